"""The tests in in_engine/ import Rasa: scripts/test.sh runs them on the engine's Python 3.10
(`.venv-engine`), and a run on the gateway's Python leaves them out."""

from __future__ import annotations

import importlib.util

collect_ignore = [] if importlib.util.find_spec("rasa") else ["in_engine"]
