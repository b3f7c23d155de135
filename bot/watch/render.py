"""What the watch says: the owner's check prompt and retrain reminder, an alert in the
problem's thread with its three answers, and what became of it. Pure builders."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.blocks import actions, button, context, day_of, plain, section, user
from bot.ids import ActionId
from bot.problems.service import ProblemRecord
from bot.text import escape
from bot.watch.service import Checked, WatchLog
from storage.watch import CheckOutcome

Blocks = list[dict[str, Any]]


def _named(problem: ProblemRecord) -> str:
    return f"*{problem.ref} · {escape(problem.title)}*"


def card_blocks(problem: ProblemRecord) -> Blocks:
    """A model in production: its watch plan, and a button to record a check now."""
    assert problem.watch is not None
    return [
        section(f"*In production.* Watching {escape(problem.watch.summary(problem.direction))}."),
        actions(
            button("Record a check", action_id=ActionId.WATCH_CHECK_OPEN, value=str(problem.number))
        ),
        context(f"`/problem reopen {problem.ref} &lt;why&gt;` takes it up again."),
    ]


def check_prompt_text(log: WatchLog) -> str:
    return f"Time to check {log.problem.ref} in production"


def check_prompt(log: WatchLog, *, unread: str | None = None) -> Blocks:
    """To the owner, when a check is due: what to read, and the button to record it; with
    why the value could not be read from its run, when it has one (`unread`)."""
    p = log.problem
    why = []
    if unread is not None and log.terms.source is not None:
        why = [
            context(
                f":warning: I couldn't read the value from {escape(log.terms.source.label)}: "
                f"{escape(unread)}"
            )
        ]
    return [
        section(
            f"Time to check {_named(p)} in production: "
            f"{escape(log.terms.summary(p.direction))}.\nWhat does "
            f"{escape(log.terms.metric_name)} read now, and has the input data shifted?"
        ),
        *why,
        actions(
            button(
                "Record a check",
                action_id=ActionId.WATCH_CHECK_OPEN,
                value=str(p.number),
                style="primary",
            )
        ),
    ]


def read_text(checked: Checked) -> str:
    return f"{checked.problem.ref} checked from MLflow"


def read_note(checked: Checked) -> Blocks:
    """To the owner, when the ritual read the value from the plan's run: what it read, and
    the button to record a check by hand if the input data has shifted (a run can't say)."""
    where = "An alert went to its thread." if checked.alert else "Within the plan."
    return [
        section(f"Checked {_named(checked.problem)} in production: {_reading(checked)} {where}"),
        actions(
            button(
                "Record a check",
                action_id=ActionId.WATCH_CHECK_OPEN,
                value=str(checked.problem.number),
            )
        ),
        context("Has the input data shifted? Record a check by hand to say so."),
    ]


def source_set(problem: ProblemRecord) -> str:
    """What `/problem P-12 watch-source` answers."""
    source = problem.watch.source if problem.watch else None
    if source is None:
        return f"{problem.ref}'s checks are asked of its owner by DM again."
    return (
        f"{problem.ref}'s production value will be read from {escape(source.label)} at each "
        f"check, instead of asked. If it can't be read, its owner is asked by DM, with why. "
        f"`/problem {problem.ref} watch-source off` asks again."
    )


def retrain_text(log: WatchLog) -> str:
    return f"{log.problem.ref} is due for retraining"


def retrain_reminder(log: WatchLog, *, due: date) -> Blocks:
    """To the owner, when retraining is due by the plan's cadence."""
    p = log.problem
    return [
        section(
            f"{_named(p)} is due for retraining on {due:%a %d %b %Y}: the plan says every "
            f"{log.terms.retrain_every_days} days, and it was last trained on "
            f"{day_of(log.trained_at)}."
        ),
        actions(
            button("Retrained", action_id=ActionId.WATCH_RETRAINED, value=str(p.number)),
        ),
        context("Press Retrained once the new model is live: the cadence counts from then."),
    ]


def retrained(log: WatchLog) -> Blocks:
    every = log.terms.retrain_every_days
    next_due = f" Next retrain due in {every} days." if every else ""
    return [
        section(
            f":white_check_mark: Retrain of {_named(log.problem)} on the record, "
            f"{day_of(log.trained_at)}.{next_due}"
        )
    ]


def _reading(checked: Checked) -> str:
    p, terms, check = checked.problem, checked.terms, checked.check
    source = f" from {escape(check.read_from)}" if check.read_from else ""
    said = (
        f"{escape(terms.metric_name)} read *{check.value:g}*{source} "
        f"(alert {terms.alert_text(p.direction)}"
    )
    said += f"; {terms.shipped_value:g} at ship)"
    if check.shifted:
        said += ", and the input data has shifted"
    return said + (f": {escape(check.note)}" if check.note else ".")


def alert_text(checked: Checked) -> str:
    return f"Watch alert on {checked.problem.ref}"


def alert(checked: Checked) -> Blocks:
    """In the problem's thread: what the check found, and the three ways to answer it."""
    value = str(checked.check.id)
    return [
        section(
            f":rotating_light: *Watch alert on {checked.problem.ref}* in production: "
            f"{_reading(checked)}"
        ),
        actions(
            button("Open a problem", action_id=ActionId.WATCH_OPEN_PROBLEM, value=value),
            button("Retrain", action_id=ActionId.WATCH_RETRAIN, value=value),
            button("Fine, keep watching", action_id=ActionId.WATCH_KEEP, value=value),
        ),
        context(_checked_by(checked)),
    ]


def _checked_by(checked: Checked) -> str:
    check = checked.check
    if check.read_from:
        return f"Read from {escape(check.read_from)} on {day_of(check.checked_at)}."
    return f"Checked by {user(check.checked_by)} on {day_of(check.checked_at)}."


ANSWER = {
    CheckOutcome.KEPT: "kept watching",
    CheckOutcome.RETRAINED: "retrained",
}


def answered(
    problem: ProblemRecord, *, outcome: CheckOutcome, by: str, opened: str | None = None
) -> Blocks:
    """The alert once answered, in place of its buttons."""
    said = f"opened {opened} from it, in discovery" if opened is not None else ANSWER[outcome]
    return [section(f"Watch alert on {_named(problem)}: {user(by)} {said}.")]


def recorded(checked: Checked) -> dict[str, Any]:
    """The check's form once recorded: what was stored, and whether it alerted."""
    where = "An alert went to its thread." if checked.alert else "Within the plan."
    return {
        "type": "modal",
        "title": plain(f"Check {checked.problem.ref}", 24),
        "close": plain("Done", 24),
        "blocks": [section(f"Recorded: {_reading(checked)}\n{where}")],
    }
