"""The problem modal: one form for framing a new problem and for editing one."""

from __future__ import annotations

import json
from typing import Any

from bot import forms
from bot.blocks import context, plain, section
from bot.ids import BlockId, CallbackId, ProblemField
from bot.problems.draft import TITLE_MAX
from bot.problems.metric_lines import noise
from bot.problems.service import ProblemRecord
from storage.problems import Direction, MetricKind, Track

F = ProblemField

DIRECTION_OPTIONS = {
    Direction.HIGHER: "Higher is better",
    Direction.LOWER: "Lower is better",
}
METRIC_KIND_OPTIONS = {
    MetricKind.PROPORTION: "Proportion 0–1 (accuracy, recall, F1, error rate…)",
    MetricKind.BOUNDED: "Bounded score (give its range)",
    MetricKind.UNBOUNDED: "Unbounded (latency, loss…)",
}
TRACK_OPTIONS = {
    Track.DISCOVERY: "Discovery: is it worth building?",
    Track.DELIVERY: "Delivery: trying approaches",
}


def _text(field: ProblemField, label: str, initial: str | None, **options: Any) -> dict[str, Any]:
    return forms.text_input(field, label, initial, **options)


def _select(
    field: ProblemField, label: str, options: dict[Any, str], initial: Any, **more: Any
) -> dict[str, Any]:
    return forms.select(field, label, options, initial, **more)


def _number(
    field: ProblemField,
    label: str,
    value: float | None,
    *,
    placeholder: str,
    hint: str | None = None,
) -> dict[str, Any]:
    shown = None if value is None else f"{value:g}"
    return _text(field, label, shown, max_length=40, placeholder=placeholder, hint=hint)


def _noise(problem: ProblemRecord) -> list[dict[str, Any]]:
    """What the stored evaluation set can detect, under the target: a modal cannot redo it
    as the fields change, so it says it is the saved values' (saving checks them again)."""
    said = noise(problem)
    if said is None:
        return []
    note, warning = said
    blocks = [
        context(
            f"As saved, {note}: a target nearer the baseline cannot be told apart, and a "
            "larger evaluation set detects smaller changes."
        )
        | {"block_id": BlockId.PROBLEM_NOISE}
    ]
    if warning:
        blocks.append(section(f":warning: {warning}", block_id=BlockId.PROBLEM_TARGET_WARNING))
    return blocks


def problem_modal(
    *,
    channel_id: str | None,
    user_id: str,
    problem: ProblemRecord | None = None,
    prefill: dict[str, str] | None = None,
    source: forms.MessageRef | None = None,
) -> dict[str, Any]:
    """The modal; with `problem` it edits that problem, otherwise it frames a new one.

    `source` is the message it is captured from, linked from the problem once saved.
    """
    p = problem
    prefill = prefill or {}
    metadata = {
        "channel": channel_id,
        "problem": p.number if p else None,
        "source": source.dump() if source else None,
    }
    blocks = [
        _text(
            F.TITLE,
            "Title",
            p.title if p else prefill.get("title"),
            optional=False,
            max_length=TITLE_MAX,
            placeholder="Churn model misses new users",
        ),
        _text(
            F.STATEMENT,
            "Problem statement",
            p.statement if p else prefill.get("statement"),
            multiline=True,
            hint="Who has the problem, and what can they not do today?",
        ),
        _text(
            F.USER_VALUE,
            "Will users find value in it?",
            p.user_value if p else None,
            multiline=True,
            hint="Evidence: requests, interviews, usage data.",
        ),
        _text(
            F.FEASIBILITY,
            "Is it possible to build?",
            p.feasibility if p else None,
            multiline=True,
            hint="Risks, the data available, what would make it impossible.",
        ),
        _text(
            F.METRIC_NAME,
            "Primary metric",
            p.metric_name if p else None,
            max_length=200,
            placeholder="recall@10",
        ),
        _text(
            F.METRIC_DEFINITION,
            "Metric definition",
            p.metric_definition if p else None,
            multiline=True,
            hint="How it is computed, on which evaluation set.",
        ),
        _select(
            F.DIRECTION, "Direction", DIRECTION_OPTIONS, p.direction if p else Direction.HIGHER
        ),
        _select(
            F.METRIC_KIND,
            "Metric kind",
            METRIC_KIND_OPTIONS,
            p and p.metric_kind,
            optional=True,
            hint="Values outside its range are refused when logged.",
        ),
        _number(
            F.METRIC_LOW,
            "Bounded score: lowest value",
            p and p.metric_low,
            placeholder="0",
            hint="Leave a side empty when the score has no bound there.",
        ),
        _number(
            F.METRIC_HIGH, "Bounded score: highest value", p and p.metric_high, placeholder="100"
        ),
        _text(
            F.EVAL_SIZE,
            "Evaluation set size (examples)",
            str(p.eval_size) if p and p.eval_size is not None else None,
            max_length=12,
            placeholder="2000",
            hint="How many examples the metric is measured on. For a proportion, the card "
            "then says what change that many can tell from noise.",
        ),
        _number(
            F.BASELINE,
            "Baseline",
            p and p.baseline,
            placeholder="0.71",
            hint="Where the metric stands today.",
        ),
        _number(
            F.TARGET,
            "Target",
            p and p.target,
            placeholder="0.80",
            hint="The value that would count as success.",
        ),
        *(_noise(p) if p else []),
        _text(
            F.GUARDRAILS,
            "Guardrail metrics",
            p.guardrails if p else None,
            multiline=True,
            hint="Metrics that must not get worse, e.g. p95 latency under 50 ms.",
        ),
        _text(F.DATA_SOURCES, "Data sources", p.data_sources if p else None, multiline=True),
        _text(
            F.PRIOR_WORK,
            "Prior work",
            p.prior_work if p else None,
            multiline=True,
            hint="Papers, past experiments, links: one per line.",
        ),
        forms.input_block(
            F.OWNER,
            "Owner",
            {"type": "users_select", "initial_user": p.owner_id if p else user_id},
            optional=False,
        ),
        _select(F.TRACK, "Track", TRACK_OPTIONS, p.track if p else Track.DISCOVERY),
        forms.input_block(
            F.REVIEW_ON,
            "Review by (timebox)",
            {
                "type": "datepicker",
                **({"initial_date": p.review_on.isoformat()} if p and p.review_on else {}),
            },
            hint="When the team decides to continue, pivot, cut or ship.",
        ),
        _text(
            F.KILL_CRITERIA,
            "Kill criteria",
            p.kill_criteria if p else None,
            multiline=True,
            hint="What result would make you stop?",
        ),
    ]
    return {
        "type": "modal",
        "callback_id": CallbackId.PROBLEM_MODAL,
        "title": plain(f"Edit {p.ref}" if p else "New problem", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }


def read_values(state_values: dict[str, dict[str, dict[str, Any]]]) -> dict[str, str | None]:
    """Flatten a view_submission's state into field name → submitted text (unknown blocks dropped)."""
    return forms.read_values(state_values, set(ProblemField))
