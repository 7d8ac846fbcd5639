"""All mapped tables, imported together so their metadata is complete."""
from __future__ import annotations

from memory.sql import models, models_channels, models_crm  # noqa: F401  (registers the tables)
from memory.sql.models import Base

metadata = Base.metadata
