"""A value far from everything the team has logged for a problem is asked about before it
counts: 1e9 typed for 0.9 would otherwise meet every target and become the best so far.

The service raises `Unusual`; the one-liner answers it with "Log it as typed" and "Edit"
buttons, the form with a warning above the value (a second, unchanged Log logs it)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.blocks import actions, button, section
from bot.errors import RitualbotError
from bot.ids import ActionId, ExperimentField
from bot.metric import implausible
from bot.text import escape
from storage.experiments import Experiment
from storage.problems import Problem

VALUE_MAX = 2000  # what Slack keeps of a button's value
WARNING = "unusual"  # the block id of the form's warning


@dataclass(frozen=True)
class Known:
    """What a problem's values are judged plausible against."""

    baseline: float | None
    target: float | None
    lowest: float | None  # of the results logged so far
    highest: float | None

    @property
    def values(self) -> list[float]:
        known = (self.baseline, self.target, self.lowest, self.highest)
        return [value for value in known if value is not None]

    def __str__(self) -> str:
        parts = [
            f"{name} {value:g}"
            for name, value in (("baseline", self.baseline), ("target", self.target))
            if value is not None
        ]
        if self.lowest is not None and self.highest is not None:
            results = (
                f"{self.lowest:g}"
                if self.lowest == self.highest
                else f"{self.lowest:g} to {self.highest:g}"
            )
            parts.append(f"results so far {results}")
        return ", ".join(parts)


class Unusual(RitualbotError):
    """A value implausibly far from the problem's baseline, target and results: the person
    is asked whether they meant it, and nothing is stored until they say so."""

    def __init__(self, *, value: float, problem: Problem, known: Known):
        name = problem.metric_name or "the metric"
        text = (
            f"Did you mean {value:g}? It is far from everything known of {name} on "
            f"{problem.ref} ({known}), so I have not logged it yet."
        )
        super().__init__(
            text,
            shown=(
                f":thinking_face: Did you mean *{value:g}*? It is far from everything known of "
                f"*{escape(name)}* on {problem.ref} ({known}), so I have not logged it yet."
            ),
        )
        self.value = value
        self.problem_number = problem.number


def known_of(session: Session, problem: Problem, *, excluding: int | None = None) -> Known:
    """The problem's baseline and target, and the range of its results (but the experiment
    `excluding`, an id, when it is the one being edited), in one query."""
    lowest, highest = session.execute(
        select(func.min(Experiment.value), func.max(Experiment.value)).where(
            Experiment.team_id == problem.team_id,
            Experiment.problem_id == problem.id,
            Experiment.deleted_at.is_(None),
            Experiment.value.is_not(None),
            Experiment.id != (excluding or 0),
        )
    ).one()
    return Known(problem.baseline, problem.target, lowest, highest)


def check(
    session: Session, *, problem: Problem, values: Sequence[float], excluding: int | None = None
) -> None:
    """Unusual for the first of `values` implausibly far from what is known of the problem."""
    if not values:
        return
    known = known_of(session, problem, excluding=excluding)
    odd = next((value for value in values if implausible(value, known.values)), None)
    if odd is not None:
        raise Unusual(value=odd, problem=problem, known=known)


# The one-liner ------------------------------------------------------------------------


def question(unusual: Unusual, *, typed: str, channel: str, trigger: str) -> list[dict[str, Any]]:
    """The ephemeral question: log it as typed, or edit it in the form. The buttons carry
    what was typed (nothing is stored until then); a note too long for a button is pointed
    to the form instead."""
    asked = section(unusual.shown or escape(unusual.message))
    value = json.dumps({"text": typed, "channel": channel, "trigger": trigger})
    if len(value) > VALUE_MAX:
        return [
            asked,
            section(
                f"Your note is too long to keep on a button: log it with the form, "
                f"`/experiment P-{unusual.problem_number}`, which asks once more."
            ),
        ]
    return [
        asked,
        actions(
            button(
                "Log it as typed",
                action_id=ActionId.EXPERIMENT_AS_TYPED,
                value=value,
                style="primary",
            ),
            button("Edit", action_id=ActionId.EXPERIMENT_RETYPE, value=value),
        ),
    ]


def typed_of(value: str) -> tuple[str, str, str]:
    """What a question's button carries: the command's text, its channel and its trigger."""
    carried = json.loads(value)
    return str(carried["text"]), str(carried["channel"]), str(carried["trigger"])


# The form ---------------------------------------------------------------------------------


def asked_view(view: dict[str, Any], unusual: Unusual, *, typed: str) -> dict[str, Any]:
    """The submitted form again with the question above its value, and the value asked about
    kept in its metadata: logging it again unchanged logs it as typed. The inputs keep what
    was typed, as their block and action ids are unchanged."""
    warning = section(
        f"{unusual.shown} Press *{view.get('submit', {}).get('text', 'Save')}* again to log "
        "it as typed, or change the value.",
        block_id=WARNING,
    )
    blocks = [b for b in view["blocks"] if b.get("block_id") != WARNING]
    at = next(
        (i for i, b in enumerate(blocks) if b.get("block_id") == ExperimentField.VALUE),
        len(blocks),
    )
    metadata = json.loads(view.get("private_metadata") or "{}") | {"confirmed": typed}
    kept = ("type", "callback_id", "title", "submit", "close", "notify_on_close")
    return {
        **{key: view[key] for key in kept if key in view},
        "private_metadata": json.dumps(metadata),
        "blocks": [*blocks[:at], warning, *blocks[at:]],
    }


def confirmed_in(metadata: dict[str, Any], typed: str | None) -> bool:
    """Whether the form's value is the one its person was asked about and logged again."""
    return metadata.get("confirmed") is not None and metadata["confirmed"] == (typed or "").strip()
