"""Custom actions for the Rasa engine, one module per domain; they read and write memory/."""
