"""Action fixtures: the in-memory profile store, trackers as the engine would send them, the domain."""

from __future__ import annotations

import re
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
        confidence: float = 1.0,
        form: str | None = None,
    ) -> Tracker:
        latest = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
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
            active_loop={"name": form} if form else {},
            latest_action_name="action_listen",
        )

    def form_turn(self, form: str, requested: str, text: str, *, intent: str = "inform",
                  entities: list[dict[str, Any]] | None = None, slots: dict[str, Any] | None = None,
                  asked: int = 1, confidence: float = 1.0) -> Tracker:
        """The tracker a form's validation action gets when the customer answers its question
        (asked `asked` times so far), as the engine builds it."""
        question = {"event": "bot", "text": "?", "metadata": {"utter_action": f"utter_ask_{requested}"}}
        before = [{"event": "active_loop", "name": form}, *([question] * asked),
                  {"event": "action", "name": "action_listen"}]
        tracker = self.tracker(text, intent=intent, entities=entities,
                               slots={**(slots or {}), "requested_slot": requested},
                               events=before, form=form, confidence=confidence)
        tracker.events.append({"event": "action", "name": form})
        return tracker

    def form_resumed(self, form: str, requested: str, *, slots: dict[str, Any] | None = None,
                     asked: int = 1, after: str = "action_answer_product") -> Tracker:
        """The tracker a form's validation gets when it comes back after a digression."""
        question = {"event": "bot", "text": "?", "metadata": {"utter_action": f"utter_ask_{requested}"}}
        before = [{"event": "active_loop", "name": form}, *([question] * asked),
                  {"event": "action", "name": "action_listen"}]
        tracker = self.tracker("how much is fibre 500?", intent="ask_product",
                               slots={**(slots or {}), "requested_slot": requested},
                               events=before, form=form)
        tracker.events += [{"event": "action", "name": after}, {"event": "action", "name": form}]
        return tracker


@pytest.fixture
async def conversation(store: InMemoryProfileStore):
    """A web customer with an open conversation, as the gateway sets it up."""

    async def make(channel: str = "web", external_id: str = "visitor-1") -> Conversation:
        customer_id = await store.identify(channel, external_id)
        conversation_id = f"{channel}.{external_id}.1"
        await store.start_interaction(customer_id, channel, conversation_id)
        return Conversation(store, customer_id, conversation_id)

    return make


def render(message: dict[str, Any], responses: dict[str, Any], slots: dict[str, Any]) -> str:
    """What the customer reads for one dispatched message: a response's first variation whose
    slot conditions hold, with its {placeholders} filled as Rasa fills them."""
    name = message.get("response")
    if not name:
        return message.get("text") or ""
    variations = responses[name]
    chosen = next((v for v in variations if v.get("condition") and all(
        slots.get(c["name"]) == c["value"] for c in v["condition"])), None)
    chosen = chosen or next(v for v in variations if not v.get("condition"))
    values = {**slots, **{k: v for k, v in message.items() if v is not None}}
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), chosen["text"])


_DOMAIN = yaml.safe_load(Path(REPO_ROOT / "domain.yml").read_text())


def texts(dispatcher: CollectingDispatcher, slots: dict[str, Any] | None = None) -> list[str]:
    """The bot's messages as the customer reads them."""
    return [render(m, _DOMAIN["responses"], slots or {}) for m in dispatcher.messages]


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("response") or "" for m in dispatcher.messages]
