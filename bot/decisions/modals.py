"""The decision's form: the rationale for a decision taken from a problem's card (or from
a model's promotion in its thread), and for a ship, the plan to watch it."""

from __future__ import annotations

from typing import Any

from bot import forms
from bot.blocks import section
from bot.ids import CallbackId, DecisionField
from bot.problems.metric_lines import metric_line
from bot.problems.service import ProblemRecord
from bot.text import escape
from bot.watch import modals as watch_modals
from storage.problems import DecisionKind

DECISION_TITLE = {
    DecisionKind.CONTINUE: "Continue",
    DecisionKind.PIVOT: "Pivot",
    DecisionKind.CUT: "Cut losses on",
    DecisionKind.SHIP: "Ship",
    DecisionKind.REOPEN: "Reopen",
}
DECISION_HINT = {
    DecisionKind.CONTINUE: "What evidence says the current approach is worth more time?",
    DecisionKind.PIVOT: "What did you learn, and what will you try instead?",
    DecisionKind.CUT: "Why stop now? This closes the problem as dropped.",
    DecisionKind.SHIP: "Why is it good enough? The problem goes in production, watched.",
    DecisionKind.REOPEN: "What changed, that makes it worth taking up again? It opens again.",
}


def decision_modal(
    *,
    problem: ProblemRecord,
    kind: DecisionKind,
    channel_id: str | None,
    rationale: str | None = None,
) -> dict[str, Any]:
    """A small form for the rationale of a decision taken from the problem card's buttons
    (or from a model's promotion in its thread, which prefills the `rationale`)."""
    blocks = [
        section(f"*{problem.ref} · {escape(problem.title)}*\n{metric_line(problem)}"),
        forms.text_input(
            DecisionField.RATIONALE,
            "Why?",
            rationale,
            multiline=True,
            optional=False,
            hint=DECISION_HINT[kind],
        ),
    ]
    if kind is DecisionKind.SHIP:
        blocks += watch_modals.plan_inputs(problem)
    metadata = {"problem": problem.number, "kind": kind.value, "channel": channel_id}
    title = f"{DECISION_TITLE[kind]} {problem.ref}"
    return forms.modal(CallbackId.DECISION_MODAL, title, metadata, blocks, submit="Decide")
