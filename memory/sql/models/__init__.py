"""The tables, one module per area. Importing this package registers them all, so
`metadata` is complete: Alembic (memory/migrations/env.py) and the tests compare it."""
from __future__ import annotations

from memory.sql.models import (  # noqa: F401  (registers the tables)
    channels,
    complaints,
    conversations,
    customers,
    handoffs,
    needs,
    offers,
    privacy,
    satisfaction,
    staff,
    value,
)
from memory.sql.models.base import Base

metadata = Base.metadata
