"""Child processes: the one place that spawns a process group and stops it again.

The supervisor (engine, action server, gateway), the studio's preview engine, its warm Rasa
worker and every `rasa train` start here. Long-running children get a session (process
group) of their own, so stopping one also stops whatever it started (Rasa's own workers).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path

from bot.settings import REPO_ROOT

ENGINE_PYTHON = REPO_ROOT / ".venv-engine" / "bin" / "python"
STOP_GRACE = 10.0


def engine_env() -> dict[str, str]:
    """The environment for engine processes: repo on the path, no telemetry, quiet TensorFlow."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


async def spawn_logged(argv: list[str], env: dict[str, str], log_path: Path) -> asyncio.subprocess.Process:
    """Start a long-running child in its own process group, its output appended to `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")  # noqa: SIM115 - the child owns it from here on
    try:
        return await asyncio.create_subprocess_exec(
            *argv, cwd=REPO_ROOT, env=env, stdout=log, stderr=log, start_new_session=True,
        )
    finally:
        log.close()


async def spawn_piped(argv: list[str], env: dict[str, str], *, stdin: bool = False,
                      own_group: bool = False) -> asyncio.subprocess.Process:
    """Start a child whose output (stdout and stderr together) the caller reads line by line."""
    return await asyncio.create_subprocess_exec(
        *argv, cwd=REPO_ROOT, env=env,
        stdin=asyncio.subprocess.PIPE if stdin else None,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        start_new_session=own_group, limit=1 << 20,
    )


async def stop_process_group(process: asyncio.subprocess.Process, grace: float = STOP_GRACE) -> None:
    """SIGTERM a child started in its own process group, and SIGKILL it after `grace` seconds."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), grace)
    except asyncio.TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()


async def kill(process: asyncio.subprocess.Process) -> None:
    """Kill a child that has no process group of its own (a cancelled one-off command)."""
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    await process.wait()
