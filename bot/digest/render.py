"""The weekly digest as Block Kit messages, split within Slack's limits without losing a line."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.analyses.follow_ups import FollowUpRecord
from bot.analyses.render import top_ceiling
from bot.blocks import SECTION_MAX, clip, context, day_of, header, moment, section, user
from bot.digest.participation import Blocker, Participation
from bot.digest.service import (
    DecisionMade,
    Digest,
    Lesson,
    OwedAnalysis,
    ProblemCeiling,
    ProblemChange,
)
from bot.digest.standing import Flag, ProblemRef, Result
from bot.problems.render import STATUS_LABEL, decide_buttons
from bot.standup.render import blocked_for
from bot.text import escape
from storage.experiments import Outcome
from storage.problems import DecisionKind, Direction

Blocks = list[dict[str, Any]]

MESSAGE_BLOCKS = 50
# User text inside one line is clipped, so that a line always fits in a section.
SHORT_TEXT = 200
LONG_TEXT = 600

OUTCOME_LABEL = {
    Outcome.MET_TARGET: "met target",
    Outcome.IMPROVED: "improved",
    Outcome.BEAT_BASELINE: "better than baseline",
    Outcome.INCONCLUSIVE: "inconclusive",
    Outcome.NO_GAIN: "no gain",
    Outcome.WORSE: "worse",
    Outcome.BROKEN: "broken",
    Outcome.UNJUDGED: "unjudged",
}
DECISION_LABEL = {
    DecisionKind.CONTINUE: "continue",
    DecisionKind.PIVOT: "pivot",
    DecisionKind.CUT: "cut losses",
    DecisionKind.SHIP: "ship",
    DecisionKind.REOPEN: "reopen",
}


def _text(value: str, limit: int = SHORT_TEXT) -> str:
    return escape(clip(" ".join(value.split()), limit))


def _problem(problem: ProblemRef) -> str:
    return f"*{problem.ref}* {_text(problem.title, 80)}"


def _num(value: float) -> str:
    return f"{value:.4g}"


def _signed(value: float) -> str:
    return f"{value:+.4g}"


def span(start: datetime, end: datetime) -> str:
    """`20 Nov – 27 Nov 2026`: the digest's week, in UTC dates (a header or a file title
    cannot show each reader's own: the context line under it does)."""
    return f"{start:%d %b} – {end:%d %b %Y}"


def change_line(change: ProblemChange) -> str:
    what = "new" if change.new else "changed"
    return (
        f"• {_problem(change.problem)}: {what}, {STATUS_LABEL[change.status]} · "
        f"owner {user(change.owner_id)}"
    )


def _against(r: Result) -> str:
    """`+0.03 (+3.6%) vs baseline 0.83 · -0.02 vs target 0.88`."""
    parts = []
    if r.vs_baseline is not None and r.baseline is not None:
        share = "" if r.vs_baseline_share is None else f" ({r.vs_baseline_share:+.1%})"
        parts.append(f"{_signed(r.vs_baseline)}{share} vs baseline {_num(r.baseline)}")
    if r.vs_target is not None and r.target is not None:
        parts.append(f"{_signed(r.vs_target)} vs target {_num(r.target)}")
    return " · ".join(parts)


def _metric(r: Result) -> str:
    name = _text(r.metric_name, 60) if r.metric_name else "metric"
    arrow = "↑" if r.direction == Direction.HIGHER else "↓"
    return f"{name} {arrow}"


def result_line(r: Result) -> str:
    approach = f" {_text(r.approach)}" if r.approach else ""
    value = "no value" if r.value is None else f"{_metric(r)} {_num(r.value)}"
    against = _against(r)
    return (
        f"• *{r.ref}* on {r.problem.ref}{approach} — {value} · *{OUTCOME_LABEL[r.outcome]}*"
        + (f" · {against}" if against else "")
        + f" · {user(r.author_id)}"
    )


def best_line(r: Result) -> str:
    value = f"{_metric(r)} {_num(r.value)}" if r.value is not None else "no value"
    against = _against(r)
    met = " · *target met*" if r.outcome == Outcome.MET_TARGET else ""
    return f"• {_problem(r.problem)}: {value} ({r.ref}){met}" + (f" · {against}" if against else "")


def owed_line(o: OwedAnalysis) -> str:
    return (
        f"• *{o.experiment_ref}* on {o.problem.ref} ({OUTCOME_LABEL[o.outcome]}, "
        f"{day_of(o.since)}) — {user(o.owner_id)}: `/analysis {o.experiment_ref}`"
    )


def follow_up_line(f: FollowUpRecord) -> str:
    owner = user(f.owner_id) if f.owner_id else "_no owner_"
    return f"• {_text(f.text)} ({f.where}, since {day_of(f.asked_at)}) — {owner}"


def decision_line(d: DecisionMade) -> str:
    return (
        f"• {_problem(d.problem)}: *{DECISION_LABEL[d.kind]}* — {_text(d.rationale, LONG_TEXT)}"
        f" · {user(d.decided_by)}"
    )


def lesson_line(lesson: Lesson) -> str:
    return (
        f"• {lesson.analysis_ref} on {lesson.experiment_ref} ({lesson.problem.ref}): "
        f"{_text(lesson.text, LONG_TEXT)} · {user(lesson.author_id)}"
    )


def blocker_line(b: Blocker) -> str:
    return f"• {user(b.user_id)} ({b.day:%a %d %b}): {_text(b.text, LONG_TEXT)}"


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def turnout_line(digest: Digest) -> str:
    """How many people the week's standups asked, and how many answered or were away."""
    people, days = digest.participation, digest.standup_days
    return (
        f"{days} standup day{'s' if days != 1 else ''} · "
        f"{sum(p.prompted > 0 for p in people)} prompted · "
        f"{sum(p.answered > 0 for p in people)} answered · {sum(p.away > 0 for p in people)} away"
    )


def participation_line(p: Participation) -> str:
    week = f"answered {p.answered} of {_days(p.prompted)}" if p.prompted else "not prompted"
    away = f", away {_days(p.away)}" if p.away else ""
    rate = p.rate
    four_weeks = f" · 4 weeks: {rate.answered}/{rate.expected} ({rate.percent}%)" if rate else ""
    return f"• {user(p.user_id)} {week}{away}{four_weeks}"


def ceiling_line(c: ProblemCeiling) -> str:
    return f"• {_problem(c.problem)}: {top_ceiling(c.top)}"


def flag_line(f: Flag) -> str:
    reasons = []
    if f.review_on is not None:
        reasons.append(f"timebox ended {f.review_on:%d %b %Y}")
    if f.plateau is not None:
        reasons.append(f"diminishing returns, {f.plateau} ({', '.join(f.stalled)})")
    return f"• {_problem(f.problem)}: {'; '.join(reasons)} · {user(f.owner_id)}"


def _flags(flags: tuple[Flag, ...]) -> Blocks:
    """Each problem that needs a decision, with the decision buttons under it."""
    if not flags:
        return []
    blocks: Blocks = [section("*Needs a decision*")]
    for f in flags:
        blocks += [section(clip(flag_line(f), SECTION_MAX)), decide_buttons(f.number)]
    return blocks


def sections(digest: Digest) -> list[tuple[str, list[str]]]:
    """Each section's title and its lines (mrkdwn, user text escaped); the problems that
    need a decision follow them, each with its buttons."""
    standup: list[str] = []
    if digest.standup_days:
        standup += [turnout_line(digest), *map(participation_line, digest.participation)]
        standup += ["*Blockers*", *map(blocker_line, digest.blockers)] if digest.blockers else []
    if digest.still_blocked:
        on = digest.end.date()
        standup += [
            "*Still blocked*",
            *(f"• {blocked_for(b, on=on)}" for b in digest.still_blocked),
        ]
    return [
        (title, lines)
        for title, lines in (
            ("New and changed problems", [change_line(c) for c in digest.changes]),
            ("Experiments this week", [result_line(r) for r in digest.results]),
            ("Best so far", [best_line(r) for r in digest.best]),
            ("Error analysis ceilings", [ceiling_line(c) for c in digest.ceilings]),
            ("Failed experiments owing an error analysis", [owed_line(o) for o in digest.owed]),
            ("Follow-ups open two weeks or more", list(map(follow_up_line, digest.follow_ups))),
            ("Decisions", [decision_line(d) for d in digest.decisions]),
            ("In production", list(digest.in_production)),
            ("Lessons learned", [lesson_line(lesson) for lesson in digest.lessons]),
            ("Standup", standup),
        )
        if lines
    ]


def _pack(title: str, lines: list[str]) -> Blocks:
    """One section's lines in as few section blocks as fit SECTION_MAX, none cut."""
    blocks: Blocks = []
    text = f"*{title}*"
    for line in lines:
        line = clip(line, SECTION_MAX)
        if len(text) + 1 + len(line) > SECTION_MAX:
            blocks.append(section(text))
            text = line
        else:
            text = f"{text}\n{line}"
    blocks.append(section(text))
    return blocks


def blocks(digest: Digest, *, title: str, lead: str | None = None) -> Blocks:
    """Every block of the digest, in order, under `title` and, after the channel, `lead`;
    `messages` splits them."""
    counts = (
        f"{len(digest.results)} experiment{'s' if len(digest.results) != 1 else ''} · "
        f"{len(digest.decisions)} decision{'s' if len(digest.decisions) != 1 else ''} · "
        f"{len(digest.owed)} {'analysis' if len(digest.owed) == 1 else 'analyses'} owed"
    )
    # The header's dates are UTC's; the window it covers is each reader's own day and time.
    window = f"{moment(digest.start)} – {moment(digest.end)}"
    out: Blocks = [
        header(title),
        context(f"<#{digest.channel_id}> · {window} · " + (f"{lead} · " if lead else "") + counts),
    ]
    parts = sections(digest)
    if not parts and not digest.flags:
        out.append(section("A quiet week: nothing was logged for this channel's problems."))
    for title, lines in parts:
        out += _pack(title, lines)
    return out + _flags(digest.flags)


def messages(
    digest: Digest,
    *,
    limit: int = MESSAGE_BLOCKS,
    title: str | None = None,
    lead: str | None = None,
) -> list[dict[str, Any]]:
    """The digest as chat messages (`text` and `blocks`), each within Slack's block limit;
    the week's, unless `title` (and `lead`) say what else it covers."""
    title = title or f"Weekly digest · {span(digest.start, digest.end)}"
    every = blocks(digest, title=title, lead=lead)
    chunks = [every[i : i + limit] for i in range(0, len(every), limit)]
    if len(chunks) == 1:
        return [{"text": title, "blocks": chunks[0]}]
    return [
        {"text": f"{title} ({n} of {len(chunks)})", "blocks": chunk}
        for n, chunk in enumerate(chunks, start=1)
    ]
