"""Messages about problems: the channel card, lists, details and help (how the metric
reads is bot/problems/metric_lines.py)."""

from __future__ import annotations

from typing import Any

from bot.blocks import (
    DIVIDER,
    actions,
    button,
    clip,
    context,
    day_of,
    fields,
    header,
    paragraphs,
    section,
    sections,
    user,
)
from bot.decisions.service import DecisionRecord
from bot.experiments.render import line as experiment_line
from bot.experiments.service import ExperimentRecord
from bot.ids import ActionId
from bot.problems.canvas_line import canvas_line
from bot.problems.lists import Listing
from bot.problems.metric_lines import metric_line, noise_blocks
from bot.problems.service import ProblemRecord
from bot.text import escape
from bot.watch import render as watch_render
from storage.problems import DecisionKind, ProblemStatus, Track

Blocks = list[dict[str, Any]]

STATUS_LABEL = {
    ProblemStatus.OPEN: "open",
    ProblemStatus.IN_DELIVERY: "in delivery",
    ProblemStatus.SHIPPED: "shipped",
    ProblemStatus.IN_PRODUCTION: "in production",
    ProblemStatus.DROPPED: "dropped",
}
DECISIONS_SHOWN = 5
TRACK_LABEL = {Track.DISCOVERY: "Discovery", Track.DELIVERY: "Delivery"}
DECIDE_BUTTONS = {
    DecisionKind.CONTINUE: (ActionId.DECIDE_CONTINUE, "Continue"),
    DecisionKind.PIVOT: (ActionId.DECIDE_PIVOT, "Pivot"),
    DecisionKind.CUT: (ActionId.DECIDE_CUT, "Cut losses"),
    DecisionKind.SHIP: (ActionId.DECIDE_SHIP, "Ship"),
}


def card(problem: ProblemRecord) -> Blocks:
    """The card posted to the channel when a problem is framed."""
    blocks: Blocks = [
        section(f"*{problem.ref} · {escape(problem.title)}*"),
        fields(
            f"*Metric*\n{metric_line(problem)}",
            f"*Owner*\n{user(problem.owner_id)}",
            f"*Track*\n{TRACK_LABEL[problem.track]}",
            f"*Review by*\n{problem.review_on.isoformat() if problem.review_on else '—'}",
        ),
        *noise_blocks(problem),
    ]
    if problem.statement:
        blocks.append(section(escape(problem.statement)))
    if problem.active:
        blocks.append(decide_buttons(problem.number))
    elif problem.watch is not None:
        blocks += watch_render.card_blocks(problem)
    else:
        blocks.append(section(f"*Closed: {STATUS_LABEL[problem.status]}.*"))
        blocks.append(context(f"`/problem reopen {problem.ref} &lt;why&gt;` takes it up again."))
    source = f" from <{problem.source_permalink}|this message>" if problem.source_permalink else ""
    blocks.append(
        context(
            f"Problem framed by {user(problem.created_by)}{source} · `/problem show {problem.ref}`"
        )
    )
    notebook = canvas_line(problem)
    if notebook:
        blocks.append(context(notebook))
    return blocks


def decide_buttons(number: int) -> dict[str, Any]:
    """Continue, pivot, cut losses or ship on P-<number>: each opens a small form for the
    rationale (on its card, the board and the digest)."""
    return actions(
        *(
            button(label, action_id=action_id, value=str(number))
            for action_id, label in DECIDE_BUTTONS.values()
        )
    )


def card_text(problem: ProblemRecord) -> str:
    """Notification text for the card (what shows in notifications and screen readers)."""
    return f"{problem.ref}: {escape(problem.title)}"


def captured(problem: ProblemRecord, *, created: bool) -> Blocks:
    """The ephemeral reply to a one-line capture, with a button to add the details."""
    verb = "Captured" if created else "Already captured"
    return [
        section(
            f"{verb} *{problem.ref} · {escape(problem.title)}*. "
            "Add the statement, the metric and its target so the team can judge progress."
        ),
        actions(
            button(
                "Add details",
                action_id=ActionId.PROBLEM_ADD_DETAILS,
                value=str(problem.number),
                style="primary",
            )
        ),
    ]


def detail(
    problem: ProblemRecord,
    *,
    experiments: tuple[ExperimentRecord, ...] = (),
    decisions: tuple[DecisionRecord, ...] = (),
) -> Blocks:
    """Everything recorded about one problem, its latest experiments and its decisions."""
    blocks: Blocks = [
        header(f"{problem.ref} · {problem.title}"),
        fields(
            f"*Status*\n{STATUS_LABEL[problem.status]}",
            f"*Track*\n{TRACK_LABEL[problem.track]}",
            f"*Owner*\n{user(problem.owner_id)}",
            f"*Review by*\n{problem.review_on.isoformat() if problem.review_on else '—'}",
        ),
        section(f"*Metric*\n{metric_line(problem)}"),
        *noise_blocks(problem),
    ]
    for label, value in (
        ("Problem statement", problem.statement),
        ("Will users find value in it?", problem.user_value),
        ("Is it possible to build?", problem.feasibility),
        ("Metric definition", problem.metric_definition),
        ("Guardrail metrics", problem.guardrails),
        ("Data sources", problem.data_sources),
        ("Prior work", problem.prior_work),
        ("Kill criteria", problem.kill_criteria),
    ):
        if value:
            blocks += paragraphs(f"*{label}*\n{escape(value)}")
    if problem.source_permalink:
        blocks.append(context(f"Captured from <{problem.source_permalink}|this message>"))
    if experiments:
        blocks += sections(["*Latest experiments*", *(experiment_line(e) for e in experiments)])
    if decisions:
        blocks += sections(
            [
                "*Decisions*"
                if len(decisions) <= DECISIONS_SHOWN
                else f"*Decisions* (the latest {DECISIONS_SHOWN} of {len(decisions)})"
            ]
            + [
                f"{day_of(d.decided_at)} *{d.kind.value}* by {user(d.decided_by)}: "
                f"{escape(clip(d.rationale, 400))}"
                for d in decisions[-DECISIONS_SHOWN:]
            ]
        )
    blocks.append(DIVIDER)
    buttons = [
        button("Edit details", action_id=ActionId.PROBLEM_ADD_DETAILS, value=str(problem.number))
    ]
    if problem.active:
        buttons += decide_buttons(problem.number)["elements"]
    blocks.append(actions(*buttons))
    blocks.append(context(f"`/problem history {problem.ref}` shows every edit."))
    return blocks


def list_line(problem: ProblemRecord) -> str:
    return (
        f"*{problem.ref}* {escape(problem.title)} · {metric_line(problem)} · "
        f"{user(problem.owner_id)} · {STATUS_LABEL[problem.status]}"
    )


def listing(result: Listing, *, scope: str) -> Blocks:
    if not result.problems:
        return [
            section(
                f"No {'' if scope == 'all' else scope + ' '}problems yet. "
                "Frame one with `/problem` (a form) or in one line: `/problem Churn model misses new users`."
            )
        ]
    title = {"open": "Open problems", "mine": "Your open problems", "all": "All problems"}[scope]
    total = f"{result.total:,}+" if result.more else f"{result.total:,}"
    blocks: Blocks = [section(f"*{title}* ({total})")]
    blocks += sections([list_line(p) for p in result.problems])
    if result.more or result.total > len(result.problems):
        blocks.append(
            context(
                f"Showing the newest {len(result.problems)} of {total}. `/problem show P-n` for one."
            )
        )
    return blocks


HELP = """*`/problem`*: frame the problem before the work.
• `/problem`: open the form (statement, user value, feasibility, metric, baseline, target…)
• `/problem Churn model misses new users`: capture one in a line, add details later
• `/problem list` (open), `/problem list mine`, `/problem list all`
• `/problem show P-12`: everything recorded about P-12, its experiments and decisions
• `/problem decide P-12 continue|pivot|cut|ship &lt;why&gt;`: decide on the record (cut drops it, ship puts it in production); its author, its owner or a workspace admin decides, anyone can add evidence in its card's thread
• `/problem decide P-12 ship &lt;why&gt; alert=-5% check=weekly retrain=90d`: ship with a watch plan (also `metric=` and `value=`; each has a default)
• `/problem P-12 watch-source &lt;run id or link&gt; [key]`: read P-12's production value from an MLflow run at each check instead of asking (`off` asks again; `run=` and `key=` at ship do the same)
• `/problem P-12 metric-key val/recall_at_10`: the metric's key in the team's tracker, so a pasted MLflow run's value fills in
• `/problem P-12 model churn`: post the MLflow model's new versions and aliases in P-12's thread (`champion` offers Ship); `model off` stops
• `/problem reopen P-12 &lt;why&gt;`: take a dropped or shipped problem up again, on the record (experiments go only on open problems)
• `/problem edit P-12`, `/problem history P-12`: change it; every edit, with who and when
• `/problem delete P-12`, `/problem restore P-12`
• `/problem help`: this message"""


def usage(error: str, *, command: str = "/problem") -> Blocks:
    """What was wrong (mrkdwn, its user text escaped), then how to type it."""
    return [
        section(f":warning: {error}"),
        context(f"Type `{escape(command)} help` for every form."),
    ]


def metric_key_set(number: int, key: str) -> str:
    return (
        f"P-{number}'s metric is `{escape(key)}` in the team's tracker: a run pasted in "
        f"`/experiment P-{number} <run link> <note>` has its value read from that key."
    )
