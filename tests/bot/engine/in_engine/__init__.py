"""Tests of the code that runs inside the engine process, on the engine's Python (.venv-engine)."""
