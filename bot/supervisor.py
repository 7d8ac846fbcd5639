"""Runs engine, action server and gateway together; stops all three when one dies or on Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from memory import migrate, open_store

from bot.engine import training
from bot.engine.config import (engine_command, engine_process_env, prepare_tracker_store,
                               write_engine_config)
from bot.engine.processes import spawn_logged, stop_process_group
from bot.marketing import sync_offers
from bot.settings import REPO_ROOT, Settings
from bot.studio import startup as studio_startup

RUNTIME_PYTHON = Path(sys.executable)
READY_TIMEOUT = 300.0
RESTART_LIMIT = 5  # restarts of one process within RESTART_WINDOW before the stack stops
RESTART_WINDOW = 300.0


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str]
    health_url: str
    process: asyncio.subprocess.Process | None = None


def say(message: str) -> None:
    print(f"\033[1m[rapport]\033[0m {message}", flush=True)


def services(settings: Settings, endpoints: Path, credentials: Path, model: Path | None = None) -> list[Service]:
    """The three processes; `model` is the studio's live model (the shipped one by default)."""
    # The engine reads the currency from its environment (nlu/money.py): every process gets
    # the value the settings resolved, and so do the engines the studio starts from the
    # gateway's environment.
    shared = {"RAPPORT_CURRENCY": settings.currency}
    runtime_env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), SANIC_HOST="127.0.0.1", **shared)
    return [
        Service(
            "actions",
            [str(RUNTIME_PYTHON), "-m", "rasa_sdk", "--actions", "actions",
             "--port", str(settings.actions_port)],
            runtime_env,
            f"{settings.actions_url}/health",
        ),
        Service(
            "engine",
            engine_command(settings, endpoints, credentials,
                           model or training.model_path(settings.model_dir)),
            engine_process_env(settings),
            f"{settings.engine_url}/",
        ),
        Service(
            "gateway",
            [str(RUNTIME_PYTHON), "-m", "bot", "gateway"],
            runtime_env,
            f"http://127.0.0.1:{settings.port}/health",
        ),
    ]


async def _wait_healthy(service: Service, deadline: float) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while time.monotonic() < deadline:
            assert service.process is not None
            if service.process.returncode is not None:
                raise RuntimeError(f"{service.name} exited during start-up")
            with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
                async with session.get(service.health_url) as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.3)
    raise RuntimeError(f"{service.name} did not become ready in {READY_TIMEOUT:.0f} s")


async def _start(service: Service, logs_dir: Path) -> None:
    service.process = await spawn_logged(service.argv, service.env, logs_dir / f"{service.name}.log")


async def _healthy_unless_stopped(service: Service, deadline: float, stop_requested: asyncio.Event) -> bool:
    """Wait until the service is healthy (True) or a stop is requested first (False)."""
    ready = asyncio.ensure_future(_wait_healthy(service, deadline))
    stopped = asyncio.ensure_future(stop_requested.wait())
    await asyncio.wait({ready, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not ready.done():
        ready.cancel()
        return False
    ready.result()
    return True


class RestartBudget:
    """A process that dies is restarted, up to `limit` times in `window` seconds: a crash
    (kill -9, out of memory) heals by itself, a process that cannot run stops the stack."""

    def __init__(self, limit: int = RESTART_LIMIT, window: float = RESTART_WINDOW,
                 clock=time.monotonic) -> None:
        self.limit, self.window, self._clock = limit, window, clock
        self._restarts: dict[str, list[float]] = {}

    def allows(self, name: str) -> bool:
        now = self._clock()
        recent = [at for at in self._restarts.get(name, []) if now - at < self.window]
        self._restarts[name] = recent
        if len(recent) >= self.limit:
            return False
        recent.append(now)
        return True


async def _keep_running(running: list[Service], stop_requested: asyncio.Event, logs_dir: Path) -> int:
    """Wait for a stop; restart a process that exits unexpectedly, within its budget."""
    budget = RestartBudget()
    stopped = asyncio.ensure_future(stop_requested.wait())
    while True:
        exits = {asyncio.ensure_future(s.process.wait()): s for s in running if s.process}
        done, _ = await asyncio.wait({*exits, stopped}, return_when=asyncio.FIRST_COMPLETED)
        for task in exits:
            if task not in done:
                task.cancel()
        if stopped in done:
            say("stopping")
            return 0
        for task in done:
            service = exits[task]
            log = logs_dir / f"{service.name}.log"
            if not budget.allows(service.name):
                say(f"{service.name} exited unexpectedly (code {task.result()}) again, "
                    f"{budget.limit} times in {budget.window:.0f} s; see {log}. Stopping the rest.")
                return 1
            say(f"{service.name} exited unexpectedly (code {task.result()}); see {log}. Restarting it.")
            await _start(service, logs_dir)
            assert service.process is not None
            say(f"starting {service.name} (pid {service.process.pid}, log: {log})")
            if not await _healthy_unless_stopped(service, time.monotonic() + READY_TIMEOUT, stop_requested):
                say("stopping")
                return 0
            say(f"{service.name} is ready again")


async def _stop(running: list[Service]) -> None:
    await asyncio.gather(*(stop_process_group(s.process) for s in running if s.process is not None))


async def _sync_catalogue(settings: Settings, offers_file: Path) -> None:
    store = await open_store(settings.profile_db_url)
    try:
        count = await sync_offers(store, offers_file)
        say(f"offer catalogue loaded: {count} offers")
    finally:
        await store.close()


async def supervise(settings: Settings) -> int:
    settings.logs_dir.mkdir(parents=True, exist_ok=True)
    if settings.api_key_file:
        say(f"development API key is stored in {settings.api_key_file}")
    say("migrating the profile store")
    await asyncio.to_thread(migrate, settings.profile_db_url)
    if training.is_up_to_date(settings.model_dir):
        say("model is up to date, no training needed")
    else:
        log = settings.logs_dir / "training.log"
        say(f"training the model (only when data, domain, config or nlu/ changed; full log: {log})")
        started = time.monotonic()
        await training.train(settings.model_dir, log_path=log)
        say(f"model trained in {time.monotonic() - started:.0f} s")
    # The marketer studio's live version (the shipped bot until someone publishes): its
    # offers go into the store, its model into the engine.
    live = await studio_startup.prepare(settings, echo=say)
    say(f"studio: version {live.version.number} is live ({live.version.message})")
    await _sync_catalogue(settings, live.offers_path)
    endpoints, credentials = write_engine_config(settings)
    prepare_tracker_store(settings.tracker_db_url)

    stop_requested = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop_requested.set)

    running: list[Service] = []
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        for service in services(settings, endpoints, credentials, live.model):
            await _start(service, settings.logs_dir)
            assert service.process is not None
            say(f"starting {service.name} (pid {service.process.pid}, "
                f"log: {settings.logs_dir / (service.name + '.log')})")
            running.append(service)
        for service in running:
            if not await _healthy_unless_stopped(service, deadline, stop_requested):
                say("stopping")
                return 0
            say(f"{service.name} is ready")
        say(f"Rapport is running. Open {settings.public_url}  (Ctrl-C stops everything)")

        return await _keep_running(running, stop_requested, settings.logs_dir)
    except RuntimeError as error:
        say(f"{error}; stopping the rest. Logs are in {settings.logs_dir}")
        return 1
    finally:
        await _stop(running)
        say("stopped")
