"""The warm Rasa worker: one process in the engine's environment runs command after command."""

from __future__ import annotations

import pytest

from bot.engine import processes
from bot.engine.runner import WarmRasa


@pytest.mark.skipif(not processes.ENGINE_PYTHON.exists(),
                    reason="the engine environment is not installed")
async def test_the_warm_rasa_worker_runs_commands_one_after_another_in_one_process():
    rasa = WarmRasa(idle=60)
    lines: list[str] = []
    try:
        assert await rasa.run(["--version"], lines.append) == 0
        pid = rasa._process.pid
        assert any("Rasa Version" in line for line in lines)
        # argparse refuses it, and the worker carries on.
        assert await rasa.run(["data", "validate", "--no-such-option"], lines.append) == 2
        assert await rasa.run(["--version"], lines.append) == 0
        assert rasa._process.pid == pid
    finally:
        await rasa.close()
    assert not rasa.running
