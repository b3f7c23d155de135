"""The App Home tab: the team's board."""

from __future__ import annotations

from typing import Any

from bot.analyses.follow_ups import SHOWN, FollowUpRecord
from bot.analyses.render import done_button, top_ceiling
from bot.blocks import (
    DIVIDER,
    actions,
    button,
    clip,
    context,
    day_of,
    header,
    moment,
    section,
    sections,
    user,
)
from bot.board.service import Board, Upcoming
from bot.decisions.service import DecisionRecord
from bot.experiments.render import OUTCOME_LABEL, num
from bot.experiments.service import ExperimentRecord
from bot.ids import ActionId
from bot.problems.render import STATUS_LABEL, TRACK_LABEL, decide_buttons
from bot.problems.service import ProblemRecord
from bot.text import escape
from storage.problems import Direction, Track
from storage.rituals import RitualKind

HOME_BLOCK_LIMIT = 100
PER_TRACK = 20
OWED_SHOWN = 10
DECISIONS_SHOWN = 5
FOLLOW_UPS_SHOWN = 10
# Decision buttons under at most this many flagged problems, so the tab keeps its later parts.
BUTTONS_SHOWN = 10


def progress(problem: ProblemRecord, best: float | None) -> str:
    """`recall ↑ 0.71 → best 0.78 → target 0.80 (78% of the way)`."""
    if not problem.metric_name and problem.target is None and best is None:
        return "_no metric yet_"
    arrow = "↑" if problem.direction == Direction.HIGHER else "↓"
    name = escape(problem.metric_name or "metric")
    line = (
        f"{name} {arrow} {num(problem.baseline)} → best {num(best)} → target {num(problem.target)}"
    )
    base, target = problem.baseline, problem.target
    if best is not None and base is not None and target is not None and target != base:
        share = max(0.0, (best - base) / (target - base))
        line += f" ({min(share, 1.0):.0%} of the way)"
    return line


def problem_line(problem: ProblemRecord, board: Board) -> str:
    """The problem, its progress, its top ceiling and whether its returns diminish."""
    lines = [
        f"*{problem.ref}* {escape(problem.title)} · {STATUS_LABEL[problem.status]} · "
        f"{user(problem.owner_id)}",
        progress(problem, board.best.get(problem.number)),
    ]
    if top := board.ceilings.get(problem.number):
        lines.append(f":mag: Top ceiling: {top_ceiling(top)}")
    if flat := board.plateaus.get(problem.number):
        lines.append(
            f":chart_with_downwards_trend: *Diminishing returns*: {flat.evidence}. Decide?"
        )
    return "\n".join(lines)


def _problems(problems: tuple[ProblemRecord, ...], board: Board, buttons: int) -> list[Any]:
    """Each problem's section, with the decision buttons under a flagged one (up to
    `buttons` of them)."""
    blocks: list[dict[str, Any]] = []
    for problem in problems:
        blocks.append(section(problem_line(problem, board)))
        if problem.number in board.plateaus and buttons > 0:
            blocks.append(decide_buttons(problem.number))
            buttons -= 1
    return blocks


def _owed(owed: tuple[ExperimentRecord, ...]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [DIVIDER, header(f"Error analyses you owe ({len(owed)})")]
    if not owed:
        return [
            *blocks,
            context("None: every experiment of yours that fell short has its analysis."),
        ]
    for e in owed[:OWED_SHOWN]:
        blocks.append(
            section(
                f"*E-{e.number}* on P-{e.problem_number}: {OUTCOME_LABEL[e.outcome]} ({num(e.value)})",
                accessory=button(
                    "Start error analysis", action_id=ActionId.ANALYSIS_START, value=str(e.number)
                ),
            )
        )
    if len(owed) > OWED_SHOWN:
        blocks.append(context(f"…and {len(owed) - OWED_SHOWN} more: `/analysis` lists them."))
    return blocks


def _follow_ups(items: tuple[FollowUpRecord, ...]) -> list[dict[str, Any]]:
    if not items:
        return []  # most people have none most weeks: no empty section
    blocks: list[dict[str, Any]] = [DIVIDER, header(f"Your follow-ups ({counted(items)})")]
    for f in items[:FOLLOW_UPS_SHOWN]:
        blocks.append(
            section(
                f"{escape(clip(f.text, 300))}\n_from *{f.where}*, {day_of(f.asked_at)}_",
                accessory=done_button(f),
            )
        )
    if len(items) > FOLLOW_UPS_SHOWN:
        blocks.append(
            context("…and more: the oldest are shown first; mark them done to see the rest.")
        )
    return blocks


def counted(items: tuple[FollowUpRecord, ...]) -> str:
    """How many, where the list stops at follow_ups.SHOWN: `20+` when there are more."""
    return f"{SHOWN}+" if len(items) > SHOWN else str(len(items))


def _decisions(decisions: tuple[DecisionRecord, ...]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [DIVIDER, header("Recent decisions")]
    if not decisions:
        return [
            *blocks,
            context(
                "No decisions yet: `/problem decide P-12 continue|pivot|cut|ship &lt;why&gt;`."
            ),
        ]
    lines = [
        f"*{d.problem_ref}* {escape(clip(d.problem_title, 80))}: *{d.kind.value}* by "
        f"{user(d.decided_by)} on {day_of(d.decided_at)}. {escape(clip(d.rationale, 200))}"
        for d in decisions[:DECISIONS_SHOWN]
    ]
    return [*blocks, section("\n".join(lines))]


def _in_production(lines: tuple[str, ...]) -> list[dict[str, Any]]:
    """Each model in production: its last check and trend, its retrain, an overdue check."""
    if not lines:
        return []
    return [DIVIDER, header(f"In production ({len(lines)})"), *sections(list(lines))]


RITUAL_LABEL = {RitualKind.STANDUP: "Standup", RitualKind.DIGEST: "Weekly digest"}


def _rituals(rituals: tuple[Upcoming, ...]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [DIVIDER, header("Next rituals")]
    if not rituals:
        return [
            *blocks,
            context("None scheduled: `/standup` in a channel, or `/digest schedule monday 09:00`."),
        ]
    lines = [f"*{RITUAL_LABEL[r.kind]}* in <#{r.channel_id}>: {moment(r.at)}" for r in rituals]
    return [*blocks, section("\n".join(lines))]


def home(board: Board) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        header("ritualbot board"),
        actions(
            button("New problem", action_id=ActionId.PROBLEM_NEW, value="home", style="primary"),
            button("Log an experiment", action_id=ActionId.EXPERIMENT_NEW, value="home"),
            button("Connect a tracker", action_id=ActionId.TRACKER_CONNECT_OPEN, value="home"),
        ),
    ]
    buttons = BUTTONS_SHOWN
    for track in Track:
        problems = board.problems.get(track, ())
        blocks += [DIVIDER, header(f"{TRACK_LABEL[track]} ({len(problems)})")]
        if not problems:
            blocks.append(context("Nothing here yet."))
            continue
        shown = _problems(problems[:PER_TRACK], board, buttons)
        buttons -= sum(1 for b in shown if b["type"] == "actions")
        blocks += shown
        if len(problems) > PER_TRACK:
            blocks.append(
                context(f"…and {len(problems) - PER_TRACK} more: `/problem list open` shows them.")
            )
    blocks += _in_production(board.in_production)
    blocks += _owed(board.owed)
    blocks += _follow_ups(board.follow_ups)
    blocks += _decisions(board.decisions)
    blocks += _rituals(board.rituals)
    return {"type": "home", "blocks": blocks[:HOME_BLOCK_LIMIT]}
