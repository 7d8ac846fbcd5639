"""Rapport's gateway: channels, identity, routing to the engine, console and studio."""
