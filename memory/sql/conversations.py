"""Conversations area on SQL: interactions and transcripts."""
from __future__ import annotations

import dataclasses

from memory import errors
from memory.api.conversations import InteractionView, MessageView, NewMessage
from memory.sql.base import SqlBase
from memory.sql.unit_of_work import UnitOfWork


def interaction_view(row) -> InteractionView:
    return InteractionView(
        row.conversation_id, row.customer_id, row.channel, row.started_at, row.ended_at,
        row.summary,
    )


def message_view(row) -> MessageView:
    return MessageView(
        row.id, row.conversation_id, row.sender, row.text, row.message_id, row.payload,
        row.created_at,
    )


def _require_conversation(uow: UnitOfWork, conversation_id: str) -> None:
    if uow.conversations.get(conversation_id) is None:
        raise errors.UnknownConversation(conversation_id)


class SqlConversations(SqlBase):
    async def _start_interaction(
        self, customer_id: str, channel: str, conversation_id: str
    ) -> None:
        def start(uow: UnitOfWork) -> None:
            live_id = uow.customers.resolve(customer_id, lock=True)
            uow.conversations.start(
                {
                    "conversation_id": conversation_id, "customer_id": live_id,
                    "channel": channel, "started_at": self._now(),
                }
            )
            if uow.conversations.get(conversation_id).customer_id != live_id:
                raise errors.ConversationConflict(conversation_id)
            uow.commit()

        await self._write(start)

    async def _end_interaction(self, conversation_id: str, summary: str | None) -> None:
        def end(uow: UnitOfWork) -> None:
            _require_conversation(uow, conversation_id)
            uow.conversations.end(conversation_id, self._now(), summary)
            uow.commit()

        await self._write(end)

    async def customer_for_conversation(self, conversation_id: str) -> str | None:
        def read(uow: UnitOfWork) -> str | None:
            row = uow.conversations.get(conversation_id)
            return row.customer_id if row is not None else None

        return await self._read(read)

    async def interactions(self, customer_id: str) -> list[InteractionView]:
        def read(uow: UnitOfWork) -> list[InteractionView]:
            live_id = uow.customers.resolve(customer_id)
            return [interaction_view(row) for row in uow.conversations.for_customer(live_id)]

        return await self._read(read)

    async def _record_messages(
        self, conversation_id: str, checked: list[NewMessage]
    ) -> list[MessageView]:
        now = self._now()
        # Built here, not on the writer thread every write waits for; the payloads are
        # already fresh copies (validation.payload).
        rows = [{"conversation_id": conversation_id, "created_at": now, **vars(message)}
                for message in checked]

        def record(uow: UnitOfWork) -> list[MessageView]:
            _require_conversation(uow, conversation_id)
            views = []
            for message, values in zip(checked, rows):
                new_id = uow.conversations.add_message(values)
                if new_id is None:
                    # Already stored: a retried delivery. Return what was kept the first time.
                    first = uow.conversations.message(conversation_id, message.message_id)
                    views.append(dataclasses.replace(message_view(first), duplicate=True))
                else:
                    views.append(MessageView(new_id, conversation_id, message.sender, message.text,
                                             message.message_id, message.payload, now))
            uow.commit()
            return views

        return await self._write(record)

    async def _transcript(self, conversation_id: str, limit: int) -> list[MessageView]:
        def read(uow: UnitOfWork) -> list[MessageView]:
            _require_conversation(uow, conversation_id)
            return [message_view(r) for r in uow.conversations.messages(conversation_id, limit)]

        return await self._read(read)
