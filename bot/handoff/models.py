"""The errors agents' handoff actions raise (the handoffs themselves are memory.api.handoffs)."""

from __future__ import annotations


class HandoffError(Exception):
    """An agent action that cannot be done; the message is fit to show the agent."""

    status = 409


class HandoffNotFound(HandoffError):
    status = 404


class NotYours(HandoffError):
    """Someone else holds the conversation, or nobody does."""

    status = 409


class InvalidAction(HandoffError):
    status = 400
