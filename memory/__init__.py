"""memory: the shared customer profile store.

Open it with `await open_store(url)` (SQLite or PostgreSQL, migrated beforehand with
`python -m memory upgrade --url URL` or `memory.migrate(url)`), or use
`InMemoryProfileStore()` in tests. Both implement `ProfileStore`.
"""
from memory import errors
from memory.crm_views import (
    ComplaintStatus,
    ComplaintTransition,
    ComplaintView,
    ConsentView,
    CustomerValue,
    FieldChange,
    FollowUpView,
    NeedView,
    OfferEventKind,
    OfferEventView,
    OfferView,
    PurchaseView,
    Satisfaction,
    SatisfactionReading,
    SatisfactionTrend,
    Severity,
    UNCHANGED,
    Unchanged,
    ValuePolicy,
)
from memory.config import FactCatalog, FactSpec, load_fact_catalog
from memory.fake import InMemoryProfileStore
from memory.interface import ProfileStore
from memory.migrate import migrate
from memory.sql.store import SqlProfileStore, open_store
from memory.views import (
    FactView,
    IdentityView,
    InteractionView,
    MessageView,
    NewMessage,
    Profile,
    Source,
)

__all__ = [
    "ComplaintStatus",
    "ComplaintTransition",
    "ComplaintView",
    "ConsentView",
    "CustomerValue",
    "FieldChange",
    "FollowUpView",
    "NeedView",
    "OfferEventKind",
    "OfferEventView",
    "OfferView",
    "PurchaseView",
    "Satisfaction",
    "SatisfactionReading",
    "SatisfactionTrend",
    "Severity",
    "UNCHANGED",
    "Unchanged",
    "ValuePolicy",
    "FactCatalog",
    "FactSpec",
    "FactView",
    "IdentityView",
    "InMemoryProfileStore",
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
    "open_store",
]
