"""What a person types in the error-analysis form: the draft, its strict checks, and the
categories' shares."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot import checks
from bot.errors import ValidationFailed
from bot.text import parse_count

CATEGORY_NAME_MAX = 200
CATEGORIES_MAX = 30
FOLLOW_UP_MAX = 500
SAMPLE_MAX = 10_000_000
CATEGORY_LINE = re.compile(r"^(?P<name>.+?)\s*:\s*(?P<count>\S+)$")
TEXT_FIELDS = ("sample_method", "slices", "root_causes", "next_steps", "lessons")


@dataclass(frozen=True, kw_only=True)
class AnalysisDraft:
    """What a person typed in the analysis form, before checks."""

    sample_size: str | None = None
    sample_method: str | None = None
    categories: str | None = None
    slices: str | None = None
    root_causes: str | None = None
    next_steps: str | None = None
    lessons: str | None = None
    follow_ups: tuple[tuple[str | None, str | None], ...] = ()  # (what, owner user id)


@dataclass(frozen=True)
class Category:
    name: str
    count: int
    share: float  # of all errors counted in the categories


@dataclass(frozen=True)
class FollowUpItem:
    text: str
    owner_id: str | None
    done: bool = False


def with_shares(counts: list[tuple[str, int]]) -> tuple[Category, ...]:
    """Each category's share of all the errors counted."""
    total = sum(count for _, count in counts)
    return tuple(Category(name, count, count / total if total else 0.0) for name, count in counts)


def parse_categories(text: str | None) -> list[tuple[str, int]]:
    """`name: count` lines, strictly: ValueError names the first bad line and how to fix it."""
    out: list[tuple[str, int]] = []
    seen: set[str] = set()
    for index, line in checks.lines(text):
        match = CATEGORY_LINE.match(line)
        if not match:
            raise ValueError(
                f"Line {index} ('{line[:40]}') should read `name: count`, e.g. `blurry images: 12`."
            )
        name, count = match["name"].strip(), match["count"]
        try:
            counted = parse_count(count, least=0, most=SAMPLE_MAX)
        except ValueError:
            raise ValueError(
                f"Line {index}: '{count[:20]}' is not a whole number of errors (`{name[:40]}: 12`)."
            ) from None
        if len(name) > CATEGORY_NAME_MAX:
            raise ValueError(f"Line {index}: keep the name under {CATEGORY_NAME_MAX} characters.")
        if name.casefold() in seen:
            raise ValueError(
                f"Line {index}: '{name[:40]}' is listed twice; add its counts together."
            )
        seen.add(name.casefold())
        out.append((name, counted))
    if len(out) > CATEGORIES_MAX:
        raise ValueError(f"Keep to {CATEGORIES_MAX} categories (there are {len(out)}).")
    return out


def check(draft: AnalysisDraft) -> dict[str, Any]:
    """Checked values (categories and follow-ups as lists), or ValidationFailed naming each field."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        name: checks.text(getattr(draft, name), name=name, errors=errors) for name in TEXT_FIELDS
    }
    size = (draft.sample_size or "").strip()
    values["sample_size"] = None
    if size:
        try:
            values["sample_size"] = parse_count(size, least=1, most=SAMPLE_MAX)
        except ValueError:
            errors["sample_size"] = (
                f"'{size[:20]}' is not a count of examples. Type a whole number such as 200."
            )
    try:
        values["categories"] = parse_categories(draft.categories)
    except ValueError as error:
        errors["categories"] = str(error)
    else:
        examined = values["sample_size"]
        over = [(n, c) for n, c in values["categories"] if examined is not None and c > examined]
        if over:
            name, count = over[0]
            errors["categories"] = (
                f"'{name[:40]}' counts {count} errors, more than the {examined} examined. "
                "Type how many of the examined errors fall in it, or a larger sample size."
            )
    follow_ups: list[FollowUpItem] = []
    for index, (what, owner) in enumerate(draft.follow_ups):
        what = (what or "").strip()
        if len(what) > FOLLOW_UP_MAX:
            errors[f"follow_up_{index}"] = f"Keep a follow-up under {FOLLOW_UP_MAX} characters."
        elif what:
            follow_ups.append(FollowUpItem(what, owner or None))
        elif owner:
            errors[f"follow_up_{index}"] = "Say what the follow-up is, or clear its owner."
    values["follow_ups"] = follow_ups
    if "categories" not in errors and not any(
        values.get(name) for name in (*TEXT_FIELDS, "categories")
    ):
        errors["root_causes"] = (
            "Write at least the root causes, or the error categories you counted."
        )
    if errors:
        raise ValidationFailed(errors)
    return values
