"""Everything that starts, feeds or runs inside the Rasa engine.

Used by the gateway and the supervisor (Python 3.11+, `.venv`):
- `client`: the engine client (send a turn, parse, pause/resume, swap the model);
- `processes`: the one place that spawns and stops process groups, and the engine's
  interpreter and environment;
- `config`: the endpoints.yml and credentials.yml the engine reads, and its command line;
- `training`: trains the shipped model when its inputs changed, with a short progress
  display (the full log goes to `var/logs/training.log`);
- `runner`: Rasa's command line for the studio, cold or as a warm worker.

Run inside the engine's own environment (Python 3.10, Rasa 3.6, `.venv-engine`), so they
import only the standard library and what Rasa itself brings:
- `serve`: the engine's entry point, `python -m bot.engine.serve run ...`;
- `nlg`: the NLG plugin Rasa loads, which asks the gateway for every response;
- `worker`: the warm Rasa command line, `python -m bot.engine.worker`.

This __init__ imports nothing: the engine process imports `bot.engine.serve`,
`bot.engine.nlg` and `bot.engine.worker` through it, and must not pull in the gateway.
"""
