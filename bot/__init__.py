"""Rapport's gateway and what surrounds it: channels, identity, routing to the engine, handoff,
the staff console, the marketer studio, and the supervisor that runs the processes.

Subpackages: `channels` (web, telegram, rest), `engine` (the Rasa engine's client, its
processes, config and training, and the code that runs inside it), `handoff`, `accounts`,
`console`, `studio`. This __init__ imports nothing: the engine's Python imports
`bot.engine.serve`, `bot.engine.nlg` and `bot.engine.worker` through it.
"""
