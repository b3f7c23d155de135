"""Settings for the property tests of pure functions: fast, and the same examples every run."""

from __future__ import annotations

from hypothesis import settings

PROPERTY = settings(max_examples=200, derandomize=True, deadline=None)
