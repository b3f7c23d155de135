"""The whole schema: every model module imported, so `metadata` holds every table."""

from __future__ import annotations

from storage import analyses, experiments, outbox, problems, rituals  # noqa: F401  (their tables)
from storage.models import Base

metadata = Base.metadata
