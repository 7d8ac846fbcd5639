"""memory: the shared customer profile store, and the staff and handoff stores beside it.

Open it with `await open_store(url)` (SQLite or PostgreSQL, migrated beforehand with
`python -m memory upgrade --url URL` or `memory.migrate(url)`), or use
`InMemoryProfileStore()` in tests. Both implement `ProfileStore`. Staff accounts and
the handoff queue live in the same database: `open_staff_database(url, profiles=store)`.

Layers are folders, areas are files: `api/<area>.py` (the interface, its views and its
input checks), `sql/<area>.py` and `fake/<area>.py` (the storage steps).
"""
from memory import errors
from memory.api.channels import ApiKeyView, LinkRedemption, RequestClaim
from memory.api.complaints import (
    ComplaintStatus,
    ComplaintTransition,
    ComplaintView,
    FollowUpView,
    Severity,
)
from memory.api.conversations import InteractionView, MessageView, NewMessage
from memory.api.customers import FactView, IdentityView, Profile
from memory.api.handoffs import HandoffStore, HandoffView, NoteView
from memory.api.needs import NeedView
from memory.api.offers import ConsentView, OfferEventKind, OfferEventView, OfferView
from memory.api.provenance import UNCHANGED, FieldChange, Source, Unchanged
from memory.api.satisfaction import Satisfaction, SatisfactionReading, SatisfactionTrend
from memory.api.staff import StaffMember, StaffSession, StaffStore
from memory.api.store import ProfileStore
from memory.api.value import CustomerValue, PurchaseView, ValuePolicy
from memory.config import FactCatalog, FactSpec, load_fact_catalog
from memory.fake import InMemoryHandoffStore, InMemoryProfileStore, InMemoryStaffStore
from memory.migrate import migrate
from memory.sql.store import SqlProfileStore, StaffDatabase, open_staff_database, open_store

__all__ = [
    "ApiKeyView",
    "ComplaintStatus",
    "ComplaintTransition",
    "ComplaintView",
    "ConsentView",
    "CustomerValue",
    "FieldChange",
    "FollowUpView",
    "HandoffStore",
    "HandoffView",
    "LinkRedemption",
    "NeedView",
    "NoteView",
    "OfferEventKind",
    "OfferEventView",
    "OfferView",
    "PurchaseView",
    "RequestClaim",
    "Satisfaction",
    "SatisfactionReading",
    "SatisfactionTrend",
    "Severity",
    "StaffDatabase",
    "StaffMember",
    "StaffSession",
    "StaffStore",
    "UNCHANGED",
    "Unchanged",
    "ValuePolicy",
    "FactCatalog",
    "FactSpec",
    "FactView",
    "IdentityView",
    "InMemoryHandoffStore",
    "InMemoryProfileStore",
    "InMemoryStaffStore",
    "InteractionView",
    "MessageView",
    "NewMessage",
    "Profile",
    "ProfileStore",
    "Source",
    "SqlProfileStore",
    "errors",
    "load_fact_catalog",
    "migrate",
    "open_staff_database",
    "open_store",
]
