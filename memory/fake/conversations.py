"""Conversations area in memory: interactions and transcripts."""
from __future__ import annotations

import copy
import dataclasses
from typing import Any

from memory import errors
from memory.api.conversations import InteractionView, MessageView, NewMessage
from memory.fake.base import FakeBase


class FakeConversations(FakeBase):
    async def _start_interaction(
        self, customer_id: str, channel: str, conversation_id: str
    ) -> None:
        customer_id = self._resolve(customer_id)
        existing = self._state.interactions.get(conversation_id)
        if existing is not None:
            if existing.customer_id != customer_id:
                raise errors.ConversationConflict(conversation_id)
            return
        self._state.interactions[conversation_id] = InteractionView(
            conversation_id, customer_id, channel, self._now(), None, None
        )
        self._state.messages[conversation_id] = []

    async def _end_interaction(self, conversation_id: str, summary: str | None) -> None:
        interaction = self._interaction(conversation_id)
        changes: dict[str, Any] = {}
        if interaction.ended_at is None:
            changes["ended_at"] = self._now()
        if summary is not None:
            changes["summary"] = summary
        self._state.interactions[conversation_id] = dataclasses.replace(interaction, **changes)

    def _move_customer_data(self, from_id: str, to_id: str) -> None:
        for conversation_id, interaction in list(self._state.interactions.items()):
            if interaction.customer_id == from_id:
                self._state.interactions[conversation_id] = dataclasses.replace(
                    interaction, customer_id=to_id
                )
        super()._move_customer_data(from_id, to_id)

    def _erase_customer_data(self, customer_id: str) -> dict[str, int]:
        state = self._state
        conversations = [
            cid for cid, i in state.interactions.items() if i.customer_id == customer_id
        ]
        for conversation_id in conversations:
            del state.interactions[conversation_id]
            state.messages.pop(conversation_id, None)
        return {"interactions": len(conversations), **super()._erase_customer_data(customer_id)}

    def _interaction(self, conversation_id: str) -> InteractionView:
        interaction = self._state.interactions.get(conversation_id)
        if interaction is None:
            raise errors.UnknownConversation(conversation_id)
        return interaction

    async def customer_for_conversation(self, conversation_id: str) -> str | None:
        interaction = self._state.interactions.get(conversation_id)
        return interaction.customer_id if interaction is not None else None

    async def interactions(self, customer_id: str) -> list[InteractionView]:
        customer_id = self._resolve(customer_id)
        found = [i for i in self._state.interactions.values() if i.customer_id == customer_id]
        found.sort(key=lambda i: (i.started_at, i.conversation_id), reverse=True)
        return found

    async def _record_messages(
        self, conversation_id: str, checked: list[NewMessage]
    ) -> list[MessageView]:
        self._interaction(conversation_id)
        transcript = self._state.messages[conversation_id]
        views = []
        for new in checked:
            earlier = None if new.message_id is None else next(
                (m for m in transcript if m.message_id == new.message_id), None)
            if earlier is not None:
                views.append(dataclasses.replace(self._copy(earlier), duplicate=True))
                continue
            message = MessageView(self._state.next_id(), conversation_id, new.sender, new.text,
                                  new.message_id, new.payload, self._now())
            transcript.append(message)
            views.append(self._copy(message))
        return views

    @staticmethod
    def _copy(message: MessageView) -> MessageView:
        # Payload dicts are mutable; callers must not be able to change the transcript.
        return dataclasses.replace(message, payload=copy.deepcopy(message.payload))

    async def _transcript(self, conversation_id: str, limit: int) -> list[MessageView]:
        self._interaction(conversation_id)
        return [self._copy(m) for m in self._state.messages[conversation_id][-limit:]]
