"""Repositories of the conversations area: interactions and messages.

Each takes the unit of work's connection, queries with select() and never commits.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Connection, Row, bindparam, delete, insert, select, update

from memory.sql.dialect import insert_on_conflict
from memory.sql.models.conversations import Interaction, Message

_INTERACTION = select(Interaction).where(
    Interaction.conversation_id == bindparam("conversation_id")
)
_START = insert_on_conflict(
    Interaction.__table__,
    ("conversation_id", "customer_id", "channel", "started_at"),
    ("conversation_id",),
)
_ADD_MESSAGE = insert_on_conflict(
    Message.__table__,
    ("conversation_id", "sender", "text", "message_id", "payload", "created_at"),
    ("conversation_id", "message_id"),  # NULL message ids never conflict
    returning="id",
)


class ConversationRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, conversation_id: str) -> Row[Any] | None:
        return self._c.execute(_INTERACTION, {"conversation_id": conversation_id}).first()

    def start(self, values: dict[str, Any]) -> None:
        self._c.execute(_START, values)

    def end(self, conversation_id: str, at: datetime, summary: str | None) -> None:
        values: dict[str, Any] = {"summary": summary} if summary is not None else {}
        self._c.execute(
            update(Interaction)
            .where(Interaction.conversation_id == conversation_id, Interaction.ended_at.is_(None))
            .values(ended_at=at)
        )
        if values:
            self._c.execute(
                update(Interaction)
                .where(Interaction.conversation_id == conversation_id)
                .values(**values)
            )

    def for_customer(self, customer_id: str) -> Sequence[Row[Any]]:
        statement = (
            select(Interaction)
            .where(Interaction.customer_id == customer_id)
            .order_by(Interaction.started_at.desc(), Interaction.conversation_id.desc())
        )
        return (self._c.execute(statement)).all()

    def add_message(self, values: dict[str, Any]) -> int | None:
        """Insert a message; None when its (conversation, message_id) is already stored."""
        row = self._c.execute(_ADD_MESSAGE, values).first()
        return row[0] if row is not None else None

    def message(self, conversation_id: str, message_id: str) -> Row[Any] | None:
        statement = select(Message).where(
            Message.conversation_id == conversation_id, Message.message_id == message_id
        )
        return (self._c.execute(statement)).first()

    def messages(self, conversation_id: str, limit: int | None) -> Sequence[Row[Any]]:
        statement = (
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.id.desc())
        )
        if limit is not None:
            statement = statement.limit(limit)
        return list(reversed((self._c.execute(statement)).all()))

    def move(self, from_id: str, to_id: str) -> None:
        self._c.execute(
            update(Interaction).where(Interaction.customer_id == from_id).values(customer_id=to_id)
        )

    def delete_all(self, customer_id: str) -> int:
        conversations = select(Interaction.conversation_id).where(
            Interaction.customer_id == customer_id
        )
        self._c.execute(delete(Message).where(Message.conversation_id.in_(conversations)))
        result = self._c.execute(
            delete(Interaction).where(Interaction.customer_id == customer_id)
        )
        return result.rowcount
