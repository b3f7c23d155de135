"""Messages about error analyses: the thread post, the list of owed analyses, help."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.analyses.ceilings import TopCeiling
from bot.analyses.follow_ups import FollowUpRecord
from bot.analyses.service import AnalysisRecord
from bot.blocks import actions, button, context, moment, paragraphs, section, sections, user
from bot.ceilings import Ceiling, phrase_ceiling
from bot.experiments.render import OUTCOME_LABEL, num
from bot.experiments.service import ExperimentRecord
from bot.ids import ActionId
from bot.metric import Metric
from bot.text import escape

Blocks = list[dict[str, Any]]
OWED_SHOWN = 20


def post(analysis: AnalysisRecord) -> Blocks:
    """The analysis as posted in its experiment's thread."""
    a = analysis
    blocks: Blocks = [
        section(
            f":mag: *{a.ref} · error analysis of E-{a.experiment_number}* (P-{a.problem_number})"
        )
    ]
    sample = []
    if a.sample_size is not None:
        sample.append(f"{a.sample_size} examples")
    if a.sample_method:
        sample.append(escape(a.sample_method))
    if sample:
        blocks.append(section("*Sample examined:* " + ", ".join(sample)))
    if a.ceilings is not None and a.metric is not None:
        found, metric = a.ceilings, a.metric
        blocks += sections(
            ["*Error categories, by how much fixing each could gain*"]
            + [f"• {ceiling_text(c, value=found.value, metric=metric)}" for c in found.ceilings]
        )
        if found.warning:
            blocks.append(context(f":warning: {found.warning}"))
    elif a.categories:
        blocks += sections(
            ["*Error categories*"]
            + [f"• {escape(c.name)}: {c.count} ({c.share:.0%})" for c in a.categories]
        )
    for label, value in (
        ("Slices examined", a.slices),
        ("Root causes", a.root_causes),
        ("What to try next", a.next_steps),
        ("Lessons learned", a.lessons),
    ):
        if value:
            blocks += paragraphs(f"*{label}*\n{escape(value)}")
    if a.follow_ups:
        blocks += sections(
            ["*Follow-ups*"]
            + [
                ("• " if not f.done else ":white_check_mark: ")
                + escape(f.text)
                + (f" ({user(f.owner_id)})" if f.owner_id else "")
                + (" · done" if f.done else "")
                for f in a.follow_ups
            ]
        )
    blocks.append(context(f"By {user(a.author_id)} · `/analysis show {a.ref}`"))
    return blocks


def ceiling_text(ceiling: Ceiling, *, value: float, metric: Metric) -> str:
    """The most fixing one category could gain, with the team's names escaped."""
    return phrase_ceiling(
        replace(ceiling, category=escape(ceiling.category)),
        value=value,
        metric=replace(metric, name=escape(metric.name) if metric.name else None),
    )


def top_ceiling(top: TopCeiling) -> str:
    """`A-3 on E-5: cold-start users: 75% of errors; fixing all of them would take …`."""
    noun = "error" if top.examined == 1 else "errors"
    rough = f" (rough: only {top.examined} {noun} examined)" if top.rough else ""
    return (
        f"A-{top.analysis_number} on E-{top.experiment_number}: "
        f"{ceiling_text(top.ceiling, value=top.value, metric=top.metric)}{rough}"
    )


def post_text(analysis: AnalysisRecord) -> str:
    return f"{analysis.ref}: error analysis of E-{analysis.experiment_number}"


def detail(analysis: AnalysisRecord) -> Blocks:
    blocks = post(analysis)
    blocks[-1] = context(
        f"By {user(analysis.author_id)} on {moment(analysis.created_at)} · "
        f"`/analysis history {analysis.ref}`"
    )
    blocks.append(
        actions(button("Edit", action_id=ActionId.ANALYSIS_EDIT, value=str(analysis.number)))
    )
    return blocks


def owed(experiments: tuple[ExperimentRecord, ...]) -> Blocks:
    """The caller's failed experiments still waiting for an error analysis."""
    if not experiments:
        return [
            section("You owe no error analyses. To analyse any experiment, type `/analysis E-34`.")
        ]
    blocks: Blocks = [section(f"*Error analyses you owe* ({len(experiments)})")]
    for e in experiments[:OWED_SHOWN]:
        blocks.append(
            section(
                f"*E-{e.number}* on P-{e.problem_number}: {OUTCOME_LABEL[e.outcome]} "
                f"({num(e.value)})",
                accessory=button(
                    "Start error analysis", action_id=ActionId.ANALYSIS_START, value=str(e.number)
                ),
            )
        )
    if len(experiments) > OWED_SHOWN:
        blocks.append(context(f"…and {len(experiments) - OWED_SHOWN} more, oldest first."))
    return blocks


HELP = """*`/analysis`*: learn why an experiment failed.
• `/analysis`: the error analyses you owe, with a button to start each
• `/analysis E-34`: open the form for E-34 (sample, error categories with counts, slices, root causes, what next, lessons, follow-ups)
• `/analysis show A-5`, `/analysis history A-5`, `/analysis edit A-5`
• `/analysis delete A-5`, `/analysis restore A-5`
• `/analysis help`: this message"""


def follow_up_notice(f: FollowUpRecord) -> Blocks:
    """The DM to a follow-up's owner: what, from which analysis, and a Done button."""
    told = (
        f":pushpin: {user(f.analysis_author)} gave you a follow-up in *{f.where}*:\n"
        f"> {escape(f.text)}"
    )
    return [
        section(told),
        actions(done_button(f)),
        context(
            f"`/analysis show A-{f.analysis_number}` shows the analysis; your board (this "
            "app's Home) lists your follow-ups."
        ),
    ]


def follow_up_done(f: FollowUpRecord) -> Blocks:
    """The DM once its follow-up is done."""
    return [section(f":white_check_mark: Done: {escape(f.text)} (*{f.where}*)")]


def done_button(f: FollowUpRecord) -> dict[str, Any]:
    return button("Done", action_id=ActionId.FOLLOW_UP_DONE, value=str(f.id), style="primary")
