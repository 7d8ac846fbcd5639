"""Typed exceptions raised by the profile store.

Messages name keys, limits and ids but never the personal values themselves,
so they are safe to log and to show to staff.
"""
from __future__ import annotations


class ProfileStoreError(Exception):
    """Base class for every error the profile store raises on purpose."""


class NotFound(ProfileStoreError, LookupError):
    """Something the caller referred to does not exist."""


class UnknownCustomer(NotFound):
    def __init__(self, customer_id: str) -> None:
        super().__init__(f"unknown customer {customer_id!r}")
        self.customer_id = customer_id


class UnknownConversation(NotFound):
    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"unknown conversation {conversation_id!r}")
        self.conversation_id = conversation_id


class UnknownComplaint(NotFound):
    def __init__(self, reference: str) -> None:
        super().__init__(f"unknown complaint {reference!r}")
        self.reference = reference


class UnknownNeed(NotFound):
    def __init__(self, need_id: object) -> None:
        super().__init__(f"unknown need {need_id!r}")
        self.need_id = need_id


class UnknownOffer(NotFound):
    def __init__(self, offer_id: str) -> None:
        super().__init__(f"unknown offer {offer_id!r}")
        self.offer_id = offer_id


class UnknownFactKey(ProfileStoreError, KeyError):
    def __init__(self, key: str) -> None:
        super().__init__(f"fact key {key!r} is not configured")
        self.key = key

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0])


class InvalidInput(ProfileStoreError, ValueError):
    """The caller passed a value the store refuses to keep."""


class ValueTooLong(InvalidInput):
    def __init__(self, field: str, length: int, max_length: int) -> None:
        super().__init__(f"{field} is {length} characters long; the limit is {max_length}")
        self.field = field
        self.length = length
        self.max_length = max_length


class InvalidText(InvalidInput):
    """Text that is not valid Unicode/UTF-8 (lone surrogates, undecodable bytes, NUL)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field} is not valid UTF-8 text: {problem}")
        self.field = field
        self.problem = problem


class InvalidValue(InvalidInput):
    """A value outside its allowed set or range (sender, level, confidence, amount...)."""


class Conflict(ProfileStoreError):
    """The request contradicts what the store already holds."""


class IdentityConflict(Conflict):
    def __init__(self, channel: str) -> None:
        super().__init__(
            f"this {channel} identity already belongs to another customer; merge them instead"
        )
        self.channel = channel


class ConversationConflict(Conflict):
    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"conversation {conversation_id!r} belongs to another customer")
        self.conversation_id = conversation_id


class InvalidTransition(Conflict):
    def __init__(self, reference: str, current: str, requested: str) -> None:
        super().__init__(f"complaint {reference} cannot move from {current} to {requested}")
        self.reference = reference
        self.current = current
        self.requested = requested


class ComplaintResolved(Conflict):
    """A resolved complaint keeps how it was classified; reopen it to change that."""

    def __init__(self, reference: str, fields: list[str]) -> None:
        super().__init__(
            f"complaint {reference} is resolved: reopen it before changing {', '.join(fields)}"
        )
        self.reference = reference
        self.fields = fields


class ConsentRequired(Conflict):
    def __init__(self, purpose: str) -> None:
        super().__init__(f"the customer has not consented to {purpose!r}")
        self.purpose = purpose


class IntegrationConflict(Conflict):
    def __init__(self, integration: str) -> None:
        super().__init__(f"integration {integration!r} already has an active API key; revoke it first")
        self.integration = integration


class RequestMismatch(Conflict):
    """An idempotency key came back with a different request than the one it first carried."""

    def __init__(self) -> None:
        super().__init__("this idempotency key was already used for a different request")


class LinkTokenRefused(ProfileStoreError):
    """A cross-channel link token cannot be redeemed: `reason` is unknown, used or expired,
    or "taken" when the identity redeeming it already has a history of its own."""

    REASONS = ("unknown", "used", "expired", "taken")

    def __init__(self, reason: str) -> None:
        super().__init__(f"the link token is {reason}")
        self.reason = reason


class StoreUnavailable(ProfileStoreError):
    """The database could not be reached or stayed busy past the timeout."""


class SchemaOutOfDate(StoreUnavailable):
    """The database is not migrated to the revision this code expects."""
