"""The whole schema: every model module imported, so `metadata` holds every table."""

from __future__ import annotations

from storage import (  # noqa: F401  (their tables)
    analyses,
    claimers,
    experiments,
    hooks,
    outbox,
    people,
    problems,
    registry,
    rituals,
    trackers,
    watch,
)
from storage.models import Base

metadata = Base.metadata
