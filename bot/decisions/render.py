"""The message that puts a decision on the record in the channel."""

from __future__ import annotations

from typing import Any

from bot.blocks import context, section, user
from bot.decisions.service import STATUS_AFTER, Decided
from bot.problems.metric_lines import metric_line
from bot.problems.render import STATUS_LABEL
from bot.text import escape
from storage.problems import DecisionKind

VERB = {
    DecisionKind.CONTINUE: ":arrow_forward: continue",
    DecisionKind.PIVOT: ":twisted_rightwards_arrows: pivot",
    DecisionKind.CUT: ":scissors: cut our losses",
    DecisionKind.SHIP: ":rocket: ship",
    DecisionKind.REOPEN: ":leftwards_arrow_with_hook: reopen",
}


def posted(decided: Decided) -> list[dict[str, Any]]:
    d, p = decided.decision, decided.problem
    status = f" {p.ref} is now *{STATUS_LABEL[p.status]}*." if d.kind in STATUS_AFTER else ""
    if d.kind is DecisionKind.SHIP and p.watch is not None:
        status += f"\n*Watching:* {escape(p.watch.summary(p.direction))}."
    return [
        section(
            f"*Decision on {p.ref} · {escape(p.title)}*: {VERB[d.kind]}.{status}\n"
            f"*Why:* {escape(d.rationale)}"
        ),
        context(f"{metric_line(p)} · decided by {user(d.decided_by)} · `/problem show {p.ref}`"),
    ]


def posted_text(decided: Decided) -> str:
    return f"Decision on {decided.problem.ref}: {decided.decision.kind.value}"
