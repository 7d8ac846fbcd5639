"""End-to-end fixtures: the real engine, action server and gateway, started by `python -m bot run`."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import training
from bot.engine_config import write_engine_config
from bot.settings import REPO_ROOT, Settings
from bot.supervisor import services
from memory import migrate
from tests.conftest import free_port

START_TIMEOUT = 900  # the first start trains the model


class Stack:
    """One `python -m bot run` supervisor and the three processes it runs."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.api_key = "e2e-api-key"
        self.env = dict(
            os.environ,
            PYTHONPATH=str(REPO_ROOT),
            RAPPORT_DATA_DIR=str(data_dir),
            # Share trained models between runs; the fingerprint decides when to retrain.
            RAPPORT_MODELS_DIR=str(REPO_ROOT / "var" / "models"),
            RAPPORT_API_KEY=self.api_key,
            RAPPORT_PORT=str(self.port),
            RAPPORT_ENGINE_PORT=str(free_port()),
            RAPPORT_ACTIONS_PORT=str(free_port()),
        )
        self.process: subprocess.Popen[str] | None = None
        self.output: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=REPO_ROOT, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        ready = threading.Event()

        def pump(stream) -> None:
            for line in stream:
                self.output.append(line)
                if "Rapport is running" in line:
                    ready.set()

        threading.Thread(target=pump, args=(self.process.stdout,), daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while not ready.wait(0.5):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail("the stack did not start:\n" + "".join(self.output[-40:]))

    def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        code, self.process = self.process.returncode, None
        return code

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(tmp_path_factory.mktemp("stack"))
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def engine_without_actions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A real `rasa run` whose action server is down (nothing listens on its port)."""
    data_dir = tmp_path_factory.mktemp("engine-only")
    env = {
        "RAPPORT_DATA_DIR": str(data_dir),
        "RAPPORT_MODELS_DIR": str(REPO_ROOT / "var" / "models"),
        "RAPPORT_API_KEY": "e2e-api-key",
        "RAPPORT_ENGINE_PORT": str(free_port()),
        "RAPPORT_ACTIONS_PORT": str(free_port()),
    }
    settings = Settings.from_env(env)
    migrate(settings.profile_db_url)
    if not training.is_up_to_date(settings.model_dir):
        asyncio.run(training.train(settings.model_dir))
    endpoints, credentials = write_engine_config(settings)
    engine = next(s for s in services(settings, endpoints, credentials) if s.name == "engine")
    process = subprocess.Popen(engine.argv, cwd=REPO_ROOT, env=engine.env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(engine.health_url, timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the engine did not start")
        yield settings
    finally:
        process.terminate()
        process.wait(30)


@pytest.fixture
async def browser():
    """Debian's Chromium through Playwright (see tests/browser.py)."""
    from tests.browser import chromium

    async with chromium() as running:
        yield running
