"""The watch plan's fields on the Ship form, and the form of a check. Pure builders."""

from __future__ import annotations

import json
from typing import Any

from bot import forms
from bot.blocks import plain, section
from bot.errors import ValidationFailed
from bot.ids import CallbackId, WatchCheckField, WatchField
from bot.problems.service import ProblemRecord
from bot.text import escape
from bot.watch.plan import CHECK_WORDS, WatchDraft, number

CHECK_OPTIONS = {
    "daily": "Daily",
    "weekly": "Weekly",
    "fortnightly": "Fortnightly",
    "monthly": "Monthly",
}
SHIFT_OPTIONS = {"no": "No", "yes": "Yes, it has shifted"}
NOTE_MAX = 1000
PLAN_FIELDS = set(WatchField)
CHECK_FIELDS = set(WatchCheckField)


def plan_inputs(problem: ProblemRecord) -> list[dict[str, Any]]:
    """What the Ship form asks for the watch plan, with its defaults."""
    return [
        section("*Watch plan*: how the model is watched in production."),
        forms.text_input(
            WatchField.METRIC, "Production metric to watch", problem.metric_name, optional=False
        ),
        forms.text_input(
            WatchField.VALUE,
            "Value at ship",
            None,
            hint="Leave empty for the best experiment's value (else the target).",
            placeholder="0.86",
        ),
        forms.text_input(
            WatchField.ALERT,
            "Alert threshold",
            "-5%",
            optional=False,
            hint="A value (0.80), or a drop from the value at ship (-5%).",
        ),
        forms.select(WatchField.CHECK, "Check", CHECK_OPTIONS, "weekly"),
        forms.text_input(
            WatchField.RETRAIN,
            "Retrain every",
            None,
            hint="A number of days (90d), or leave empty for no cadence.",
            placeholder="90d",
        ),
        forms.text_input(
            WatchField.RUN,
            "Read the value from an MLflow run",
            None,
            hint="A run id or link on the connected MLflow: its value is read at each check "
            "instead of asked. Leave empty to be asked by DM.",
            placeholder="0123456789abcdef0123456789abcdef",
        ),
        forms.text_input(
            WatchField.KEY,
            "Metric key in that run",
            None,
            hint="Leave empty for the problem's metric key, else the metric's name.",
            placeholder="val/recall_at_10",
        ),
    ]


def plan_draft(values: dict[str, str | None]) -> WatchDraft:
    return WatchDraft(**{str(f): values.get(f) for f in WatchField})


def check_modal(*, problem: ProblemRecord) -> dict[str, Any]:
    """The owner's check: the production value, and whether the input data has shifted."""
    assert problem.watch is not None
    metric = escape(problem.watch.metric_name)
    return {
        "type": "modal",
        "callback_id": CallbackId.WATCH_CHECK,
        "title": plain(f"Check {problem.ref}", 24),
        "submit": plain("Record", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps({"problem": problem.number}),
        "blocks": [
            section(
                f"*{problem.ref} · {escape(problem.title)}* in production: "
                f"{escape(problem.watch.summary(problem.direction))}."
            ),
            forms.text_input(
                WatchCheckField.VALUE, f"{metric} in production now", None, optional=False
            ),
            forms.select(
                WatchCheckField.SHIFTED, "Has the input data shifted?", SHIFT_OPTIONS, "no"
            ),
            forms.text_input(
                WatchCheckField.NOTE,
                "Note",
                None,
                multiline=True,
                max_length=NOTE_MAX,
                hint="What you looked at, e.g. PSI 0.31 > 0.2 on the country feature.",
            ),
        ],
    }


def read_check(values: dict[str, str | None]) -> tuple[float, bool, str | None]:
    """(value, shifted, note) from the check's form, or the field that is wrong."""
    text = (values.get(WatchCheckField.VALUE) or "").strip()
    value = number(text)
    if value is None:
        raise ValidationFailed(
            {WatchCheckField.VALUE: f"'{text[:20]}' is not a number: type the value, e.g. 0.84."}
        )
    return value, values.get(WatchCheckField.SHIFTED) == "yes", values.get(WatchCheckField.NOTE)


assert set(CHECK_OPTIONS) <= set(CHECK_WORDS)
