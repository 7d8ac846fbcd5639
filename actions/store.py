"""The action server's handle on the profile store, opened on first use (never at import)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from rasa_sdk import Tracker

from memory import ComplaintView, NeedView, ProfileStore, Source, ValuePolicy, open_store

from bot.settings import Settings


class _StoreHolder:
    """One store per action-server process, opened lazily inside the running event loop."""

    def __init__(self) -> None:
        self._store: ProfileStore | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> ProfileStore:
        if self._store is None:
            async with self._lock:
                if self._store is None:
                    settings = Settings.from_env()
                    self._store = await open_store(
                        settings.profile_db_url, value_policy=ValuePolicy(currency=settings.currency))
        return self._store

    def override(self, store: ProfileStore | None) -> None:
        """Tests put a fake or a test database in place."""
        self._store = store


holder = _StoreHolder()


def channel_of(tracker: Tracker) -> str:
    """Conversation ids are '<channel>.<id>', set by the gateway (see bot.conversations)."""
    channel, dot, _ = tracker.sender_id.partition(".")
    return channel if dot else "unknown"


def source_of(tracker: Tracker) -> Source:
    metadata = tracker.latest_message.get("metadata") or {}
    return Source(
        channel=channel_of(tracker),
        conversation_id=tracker.sender_id,
        message_id=metadata.get("message_id"),
    )


async def customer_of(tracker: Tracker) -> tuple[ProfileStore, str]:
    """The store and the customer this conversation belongs to, as the gateway verified it."""
    store = await holder.get()
    customer_id = await store.customer_for_conversation(tracker.sender_id)
    if customer_id is None:
        # Only reachable when someone talks to the engine directly (rasa shell, rasa test).
        customer_id = await store.identify(channel_of(tracker), tracker.sender_id)
    return store, customer_id


# A need or complaint this recent is still "what we were just talking about".
RECENT = timedelta(hours=2)


async def recent_needs(store: ProfileStore, customer_id: str) -> list[NeedView]:
    """The customer's needs recorded within RECENT, newest first."""
    return [n for n in await store.needs(customer_id)
            if datetime.now(timezone.utc) - n.created_at < RECENT]


async def recent_complaints(store: ProfileStore, customer_id: str) -> list[ComplaintView]:
    """The customer's open complaints opened within RECENT, newest first."""
    return [c for c in await store.complaints(customer_id)
            if c.is_open and datetime.now(timezone.utc) - c.created_at < RECENT]
