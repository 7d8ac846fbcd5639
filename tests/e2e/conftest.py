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
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.engine import training
from bot.channels.telegram import SECRET_HEADER, WEBHOOK_PATH
from bot.engine.config import write_engine_config
from bot.settings import REPO_ROOT, Settings
from bot.supervisor import services
from memory import migrate, open_store
from tests.bot.channels.telegram.bot_api import FakeBotApi, recorded_update
from tests.conftest import free_port

START_TIMEOUT = 900  # the first start trains the model


class PersonalData:
    """What the e2e customers said and who they were, and every stack's logs, for the scan
    that proves no log holds personal data (tests/e2e/test_zz_logs_hold_no_personal_data.py)."""

    def __init__(self) -> None:
        self.stacks: list[Stack] = []
        self.texts: set[str] = set()  # messages, names, emails and phone numbers

    def said(self, *texts: str | None) -> None:
        self.texts.update(text for text in texts if text)

    def sent_update(self, update: dict) -> None:
        for body in update.values():
            if isinstance(body, dict):
                message = body.get("message", body)
                self.said(message.get("text"), message.get("caption"))
                for who in (message.get("from"), message.get("chat"), body.get("from")):
                    if isinstance(who, dict):
                        self.said(who.get("first_name"), who.get("last_name"), who.get("username"))


# One per test session, shared by every module's stacks and customers.
PERSONAL_DATA = PersonalData()
TELEGRAM_SECRET = "e2e-telegram-webhook-secret"


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
        PERSONAL_DATA.stacks.append(self)

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


class RestCustomer:
    """One customer talking to the stack over the REST API."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.ref = f"crm-{uuid.uuid4().hex[:10]}"
        self.conversation = "c1"

    def new_conversation(self) -> None:
        self.conversation = f"c{uuid.uuid4().hex[:6]}"

    async def say(self, text: str) -> list[dict]:
        PERSONAL_DATA.said(text)
        async with aiohttp.ClientSession() as session:
            async with session.post(
                f"{self.stack.url}/api/v1/messages",
                json={"customer": self.ref, "conversation": self.conversation, "text": text},
                headers={"Authorization": f"Bearer {self.stack.api_key}"},
            ) as response:
                assert response.status == 200, await response.text()
                return (await response.json())["replies"]

    async def says(self, text: str) -> str:
        """Everything the bot answered, as one string."""
        return "\n".join(reply["text"] for reply in await self.say(text))

    async def introduce(self, name: str = "Ann") -> None:
        await self.say("hello")
        assert f"Nice to meet you, {name}" in await self.says(name)

    async def profile(self):
        """What the profile store holds about this customer: (store, customer id)."""
        store = await open_store(f"sqlite+aiosqlite:///{self.stack.data_dir / 'profile.db'}")
        return store, await store.find_customer("api", self.ref)


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


@pytest.fixture(scope="module")
def bot_api() -> Iterator[FakeBotApi]:
    """A local Bot API server for a module's stack."""
    server = FakeBotApi()
    server.start_in_thread()  # the gateway is another process; serve whatever this loop does
    yield server
    server.stop_thread()


class TelegramCustomer:
    """One Telegram user chatting with a stack's bot; each update gets the next update_id.

    Subclasses may change the webhook secret and where the random chat and update ids start.
    """

    secret = TELEGRAM_SECRET
    first_chat_id = 6_000_000_000
    first_update_id = 900_000_000

    def __init__(self, stack: Stack, bot_api: FakeBotApi) -> None:
        self.stack, self.bot_api = stack, bot_api
        self.chat_id = self.first_chat_id + uuid.uuid4().int % 1_000_000_000
        self.update_id = self.first_update_id + uuid.uuid4().int % 1_000_000

    async def post(self, update: dict) -> None:
        PERSONAL_DATA.sent_update(update)
        async with aiohttp.ClientSession() as session:
            async with session.post(
                f"{self.stack.url}{WEBHOOK_PATH}", json=update, headers={SECRET_HEADER: self.secret}
            ) as response:
                assert response.status == 200, await response.text()

    async def send(self, name: str, text: str | None = None) -> list[str]:
        """Post one recorded update to the webhook; the bot's answers to this chat."""
        self.update_id += 1
        update = recorded_update(name, update_id=self.update_id, chat_id=self.chat_id, text=text)
        before = len(self.texts())
        await self.post(update)
        return self.texts()[before:]

    def texts(self) -> list[str]:
        """Everything the bot has sent to this chat."""
        return self.bot_api.texts_in(self.chat_id)


@pytest.fixture
async def browser():
    """Debian's Chromium through Playwright (see tests/browser.py)."""
    from tests.browser import chromium

    async with chromium() as running:
        yield running


@pytest.fixture
async def page(browser):
    """A fresh browser context and page; any uncaught page error fails the test.

    test_studio.py overrides this with a larger viewport that accepts dialogs.
    """
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    opened = await context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    await context.close()
    assert errors == [], errors
