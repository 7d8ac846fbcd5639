"""Action fixtures: the in-memory profile store, trackers as the engine would send them, the domain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.store import holder
from bot.marketing import sync_offers
from bot.settings import REPO_ROOT
from memory import InMemoryProfileStore


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return yaml.safe_load(Path(REPO_ROOT / "domain.yml").read_text())


@pytest.fixture
async def store():
    fake = InMemoryProfileStore()
    await sync_offers(fake)
    holder.override(fake)
    yield fake
    holder.override(None)


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


class Conversation:
    """One customer's conversation on a channel, turned into rasa-sdk Trackers."""

    def __init__(self, store: InMemoryProfileStore, customer_id: str, conversation_id: str) -> None:
        self.store = store
        self.customer_id = customer_id
        self.conversation_id = conversation_id

    def tracker(
        self,
        text: str = "",
        *,
        intent: str = "",
        entities: list[dict[str, Any]] | None = None,
        slots: dict[str, Any] | None = None,
        events: list[dict[str, Any]] | None = None,
    ) -> Tracker:
        latest = {
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": entities or [],
            "metadata": {"message_id": "m-1"},
        }
        user_event = {"event": "user", "text": text, "parse_data": latest}
        return Tracker(
            sender_id=self.conversation_id,
            slots=slots or {},
            latest_message=latest,
            events=[*(events or []), user_event],
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name="action_listen",
        )


@pytest.fixture
async def conversation(store: InMemoryProfileStore):
    """A web customer with an open conversation, as the gateway sets it up."""

    async def make(channel: str = "web", external_id: str = "visitor-1") -> Conversation:
        customer_id = await store.identify(channel, external_id)
        conversation_id = f"{channel}.{external_id}.1"
        await store.start_interaction(customer_id, channel, conversation_id)
        return Conversation(store, customer_id, conversation_id)

    return make


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [message.get("text") or message.get("response") or "" for message in dispatcher.messages]
