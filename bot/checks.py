"""Checks shared by the forms: each records what is wrong with a field under its name."""

from __future__ import annotations

TEXT_MAX = 3000


def text(
    value: str | None, *, name: str, errors: dict[str, str], limit: int = TEXT_MAX
) -> str | None:
    """Typed text, trimmed; None when empty; an error when over `limit` characters."""
    value = (value or "").strip()
    if len(value) > limit:
        errors[name] = f"Keep this under {limit} characters (it has {len(value)})."
    return value or None


def lines(value: str | None) -> list[tuple[int, str]]:
    """The non-blank lines of a multiline input, each with its line number as the user sees it."""
    return [
        (number, line.strip())
        for number, line in enumerate((value or "").splitlines(), start=1)
        if line.strip()
    ]
