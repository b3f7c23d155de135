"""How a problem's metric reads: its one line (direction, baseline, target, kind, set
size), what its evaluation set can tell from noise, and the warning when the target is
within that noise."""

from __future__ import annotations

from typing import Any

from bot.blocks import actions, button, context, section
from bot.ids import ActionId
from bot.metric import Metric, detectable_note, target_warning
from bot.problems.service import ProblemRecord
from bot.text import escape
from storage.problems import Direction, MetricKind

Blocks = list[dict[str, Any]]


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def metric_line(problem: ProblemRecord) -> str:
    """`accuracy ↑ baseline 0.71 → target 0.80 · proportion 0–1 · n=2,000`: the metric, its
    direction, baseline and target, and its kind or range and evaluation set when said."""
    said = _kind_and_size(problem)
    if not problem.metric_name and problem.target is None and not said:
        return "_no metric yet_"
    arrow = "↑" if problem.direction == Direction.HIGHER else "↓"
    name = escape(problem.metric_name or "metric")
    line = f"{name} {arrow} baseline {_num(problem.baseline)} → target {_num(problem.target)}"
    return " · ".join((line, *said))


def _kind_and_size(problem: ProblemRecord) -> list[str]:
    """`proportion 0–1`, `range 0–100` (`range ≥ 0` when open), `unbounded`; `n=2,000`."""
    said = []
    if problem.metric_kind == MetricKind.PROPORTION:
        said.append("proportion 0–1")
    elif problem.metric_kind == MetricKind.BOUNDED:
        low, high = problem.metric_low, problem.metric_high
        if low is not None and high is not None:
            said.append(f"range {low:g}–{high:g}")
        else:
            said.append(f"range ≥ {low:g}" if low is not None else f"range ≤ {high:g}")
    elif problem.metric_kind == MetricKind.UNBOUNDED:
        said.append("unbounded")
    if problem.eval_size is not None:
        said.append(f"n={problem.eval_size:,}")
    return said


def noise(problem: ProblemRecord) -> tuple[str, str | None] | None:
    """What the evaluation set can tell from noise, and the warning with its fix when the
    target is within it (both mrkdwn); None when the metric does not say (not a proportion,
    or no evaluation set size or baseline)."""
    if problem.eval_size is None:
        # Without a set there is no noise to tell; and a capture, whose card is drawn before
        # its ack, never has one: it does not pay for the arithmetic.
        return None
    metric = Metric.of(problem)
    note = detectable_note(metric, problem.baseline)
    if note is None:
        return None
    warning = target_warning(metric, problem.baseline, problem.target)
    return escape(note), warning and escape(warning)


def noise_blocks(problem: ProblemRecord) -> Blocks:
    """Under the metric: the noise in a context line, and the target's warning."""
    said = noise(problem)
    if said is None:
        return []
    note, warning = said
    blocks = [context(f"{note[:1].upper()}{note[1:]}.")]
    return [*blocks, section(f":warning: {warning}")] if warning else blocks


def target_warned(problem: ProblemRecord) -> tuple[str, Blocks] | None:
    """To whoever saved a problem whose target is within its evaluation set's noise: the
    warning, its fix, and the way back to the form (text, blocks); None when it is clear."""
    said = noise(problem)
    if said is None or said[1] is None:
        return None
    metric = f"{escape(problem.metric_name)} " if problem.metric_name else ""
    text = f"{problem.ref} is saved, but its {metric}target cannot be told from noise."
    return text, [
        section(f":warning: {text} {said[1]}"),
        actions(
            button(
                "Edit details", action_id=ActionId.PROBLEM_ADD_DETAILS, value=str(problem.number)
            )
        ),
    ]
