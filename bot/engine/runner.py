"""Running Rasa's command line for the studio: cold (a process per command) or warm (one worker).

The warm runner keeps `python -m bot.engine.worker` alive between commands, so a
validation or a training skips Rasa's half-minute of imports. It starts on first use
(RasaTools.warm_up runs a dry-run training when a marketer starts a flow change, so the
lazy imports of training are paid before the publish) and runs one command at a time. It
stops after `idle` seconds without work (it holds about 600 MB), after `max_commands`
commands, or when the NLU code it imported has changed. Both runners feed every output
line to a callback and return the exit code.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable

from bot.engine.processes import ENGINE_PYTHON, engine_env, kill, spawn_piped, stop_process_group
from bot.engine.training import code_inputs
from bot.engine.worker import DONE

logger = logging.getLogger(__name__)

Line = Callable[[str], None]


def _env() -> dict[str, str]:
    return {**engine_env(), "PYTHONUNBUFFERED": "1"}


class ColdRasa:
    async def run(self, argv: list[str], on_line: Line) -> int:
        process = await spawn_piped([str(ENGINE_PYTHON), "-m", "rasa", *argv], _env())
        assert process.stdout is not None
        try:
            async for raw in process.stdout:
                on_line(raw.decode(errors="replace").rstrip("\n"))
            return await process.wait()
        except asyncio.CancelledError:
            await kill(process)
            raise

    generation = 0  # a fresh process every time: nothing stays warm

    async def close(self) -> None:
        pass


def _code_stamp() -> str:
    digest = hashlib.sha256()
    for path in code_inputs():
        digest.update(path.read_bytes())
    return digest.hexdigest()


class WarmRasa:
    def __init__(self, *, idle: float = 300.0, max_commands: int = 25,
                 start_timeout: float = 300.0) -> None:
        self._idle = idle
        self._max_commands = max_commands
        self._start_timeout = start_timeout
        self._process: asyncio.subprocess.Process | None = None
        self._stamp = ""
        self._commands = 0
        self._used = time.monotonic()
        self._lock = asyncio.Lock()
        self._reaper: asyncio.Task | None = None
        self.generation = 0  # counts worker starts

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def run(self, argv: list[str], on_line: Line) -> int:
        async with self._lock:
            await self._ensure(on_line)
            assert self._process is not None and self._process.stdin and self._process.stdout
            command = uuid.uuid4().hex
            self._commands += 1
            try:
                request = json.dumps({"id": command, "argv": argv}) + "\n"
                self._process.stdin.write(request.encode())
                await self._process.stdin.drain()
                while True:
                    raw = await self._process.stdout.readline()
                    if not raw:
                        raise ConnectionError("the Rasa worker exited during the command")
                    line = raw.decode(errors="replace").rstrip("\n")
                    if line.startswith(f"{DONE} {command} "):
                        return int(line.rsplit(" ", 1)[1])
                    on_line(line)
            except BaseException:
                await self._stop()  # its state is unknown: start afresh next time
                raise
            finally:
                self._used = time.monotonic()
                if self._reaper is None or self._reaper.done():
                    self._reaper = asyncio.ensure_future(self._reap())

    async def _ensure(self, on_line: Line) -> None:
        stamp = await asyncio.to_thread(_code_stamp)
        if self.running and (stamp != self._stamp or self._commands >= self._max_commands):
            await self._stop()
        if self.running:
            return
        on_line("Starting Rasa (the first check or training after a pause takes longer)")
        self._process = await spawn_piped([str(ENGINE_PYTHON), "-m", "bot.engine.worker"], _env(),
                                          stdin=True, own_group=True)
        self._stamp, self._commands = stamp, 0
        self.generation += 1
        assert self._process.stdout is not None
        try:
            async with asyncio.timeout(self._start_timeout):
                while True:
                    raw = await self._process.stdout.readline()
                    if not raw:
                        raise ConnectionError("the Rasa worker exited while starting")
                    if raw.decode(errors="replace").startswith(f"{DONE} ready"):
                        return
        except BaseException:
            await self._stop()
            raise

    async def _reap(self) -> None:
        while self.running:
            wait = self._idle - (time.monotonic() - self._used)
            if wait <= 0 and not self._lock.locked():
                async with self._lock:
                    if time.monotonic() - self._used >= self._idle:
                        logger.info("stopping the idle Rasa worker")
                        await self._stop()
                        return
            await asyncio.sleep(max(wait, 1.0))

    async def _stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            await stop_process_group(process)

    async def close(self) -> None:
        if self._reaper is not None and not self._reaper.done():
            self._reaper.cancel()
            await asyncio.gather(self._reaper, return_exceptions=True)
        await self._stop()
