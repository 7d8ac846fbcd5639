"""A warm Rasa command line in the engine's environment: `python -m bot.engine.worker`.

Starting `rasa train` or `rasa data validate` spends most of its time importing Rasa and
its libraries (about 30 of 32 seconds for the shipped bot on two cores); the work itself
takes a few seconds. This process imports Rasa once and then runs one command per line of
stdin, exactly as the `rasa` command line would (same argument parser, same functions):

    stdin:  {"id": "...", "argv": ["train", "--domain", ...]}
    stdout: the command's own output, then a line "\\x02rapport-done <id> <exit code>"

It only reads stdin and writes stdout; bot.engine.runner starts and stops it. It runs
inside the engine's environment, so it imports nothing from the gateway.
"""

import json
import sys
import traceback
import warnings

DONE = "\x02rapport-done"


def run(argv: list) -> int:
    from rasa.__main__ import main

    warnings.onceregistry.clear()  # Rasa warns "once": each command must report its own warnings
    sys.argv = ["rasa", *argv]
    try:
        main()
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except Exception:  # noqa: BLE001 - report it as the command's failure and carry on
        traceback.print_exc()
        return 1
    return 0


def serve() -> None:
    import rasa.__main__  # noqa: F401 - the slow imports, once, before the first command

    print(f"{DONE} ready 0", flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        code = run(list(request["argv"]))
        sys.stderr.flush()
        print(f"\n{DONE} {request['id']} {code}", flush=True)


if __name__ == "__main__":
    serve()
