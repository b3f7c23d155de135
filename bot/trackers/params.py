"""What a run changed from the problem's best run so far: its params side by side, so the
card says what was tried ("`lr` 0.01 → 0.003, `loss` ce → focal"). Pure."""

from __future__ import annotations

from collections.abc import Mapping

# A card names this many changes; the rest are counted.
SHOWN = 5
MISSING = "(unset)"


def changes(best: Mapping[str, str], run: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """Each param whose value differs, by name: (name, the best run's, this run's)."""
    return [
        (name, best.get(name, MISSING), run.get(name, MISSING))
        for name in sorted(best.keys() | run.keys())
        if best.get(name) != run.get(name)
    ]


def phrase(best_ref: str, best: Mapping[str, str], run: Mapping[str, str]) -> str:
    """'vs E-7 (best so far): `lr` 0.01 → 0.003 (+2 more)', or the same params said plainly.
    Names and values are the tracker's, raw: the card escapes them."""
    found = changes(best, run)
    if not found:
        return f"same params as {best_ref} (best so far)"
    shown = ", ".join(
        f"`{_short(name)}` {_short(old)} → {_short(new)}" for name, old, new in found[:SHOWN]
    )
    more = f" (+{len(found) - SHOWN} more)" if len(found) > SHOWN else ""
    return f"vs {best_ref} (best so far): {shown}{more}"


def _short(value: str, limit: int = 40) -> str:
    value = value.replace("`", "'")  # a backtick would end the card's code span
    return value if len(value) <= limit else value[: limit - 1] + "…"
