"""An experiment's verdict: its seeds' result judged against the problem's baseline and target
and the best result so far, with the noise the team's data show. Pure functions.

A result is the mean of its seeds with a 95% interval, and two results differ beyond noise
when the interval of their difference excludes zero (bot/result.py). The baseline is one
measurement of the same metric, so a proportion's baseline with an evaluation set size has
Wilson's interval; the target is a line, with no noise.

The verdicts, the first that applies:

- broken: no value at all, a run that crashed. It owes a short note of what broke.
- unjudged: no metric, or nothing to judge against (no baseline, no earlier result, and no
  target met). Nothing is owed.
- met_target: the mean reaches the target. When the target lies within the result's own
  interval a caveat says so.
- improved: better beyond noise than every reference there is: the baseline and the best
  result so far (the baseline alone for the first experiment, the best so far alone
  without a baseline).
- beat_baseline: better than the baseline beyond noise, but not beyond the best so far.
- worse: worse beyond noise than the reference (the baseline; without one, the best so far).
- inconclusive: the reference lies within noise: the interval of the difference holds 0.
  Nothing better or worse is claimed.
- no_gain: no noise is known and the value equals the reference.

With no noise known on either side, any other difference counts as better or worse and a
caveat says so. Directions are respected throughout: a lower latency is better.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.metric import Metric
from bot.outcome import meets
from bot.result import Comparison, Noise, Result, Standing, compare, decimals, figure, significant
from storage.experiments import Outcome

# The verdicts are the outcomes an experiment stores: one enum, so a judgement is stored as is.
Verdict = Outcome


# Verdicts that owe the team an error analysis (judged, and no gain shown), and a note of
# what broke. Inconclusive owes one too: it showed no gain, only that more seeds might.
OWES_ANALYSIS = frozenset({Verdict.INCONCLUSIVE, Verdict.NO_GAIN, Verdict.WORSE})
OWES_NOTE = frozenset({Verdict.BROKEN})


@dataclass(frozen=True)
class Judgement:
    outcome: Verdict
    result: Result | None  # None when the run was broken
    vs_baseline: Comparison | None
    vs_best: Comparison | None
    target: float | None
    # Why the judgement is partial or how to firm it up, in the team's words.
    caveats: tuple[str, ...] = ()


def judge(
    values: Sequence[float],
    *,
    metric: Metric | None,
    baseline: float | None,
    target: float | None,
    best_before: Result | None = None,
) -> Judgement:
    """Judge one experiment's seeds against the baseline, the best so far and the target."""
    if metric is None:
        result = Result.of(values) if values else None
        return Judgement(
            Verdict.UNJUDGED, result, None, None, target, ("the problem has no metric to judge",)
        )
    if not values:
        return Judgement(Verdict.BROKEN, None, None, None, target)
    result = Result.of(values, metric)
    direction = metric.direction
    vs_baseline = (
        None if baseline is None else compare(result, Result.of([baseline], metric), direction)
    )
    vs_best = None if best_before is None else compare(result, best_before, direction)
    judged = [c for c in (vs_baseline, vs_best) if c is not None]
    if target is not None and meets(result.mean, target, direction):
        outcome = Verdict.MET_TARGET
    elif not judged:
        outcome = Verdict.UNJUDGED
    elif all(c.standing == Standing.BETTER for c in judged):
        outcome = Verdict.IMPROVED
    elif vs_baseline is not None and vs_baseline.standing == Standing.BETTER:
        outcome = Verdict.BEAT_BASELINE
    else:
        outcome = {
            Standing.WORSE: Verdict.WORSE,
            Standing.SAME: Verdict.NO_GAIN,
            Standing.WITHIN_NOISE: Verdict.INCONCLUSIVE,
        }[judged[0].standing]
    caveats = _caveats(outcome, result, judged, baseline=baseline, target=target)
    return Judgement(outcome, result, vs_baseline, vs_best, target, caveats)


def _caveats(
    outcome: Verdict,
    result: Result,
    judged: list[Comparison],
    *,
    baseline: float | None,
    target: float | None,
) -> tuple[str, ...]:
    caveats = []
    if target is None:
        caveats.append("the problem has no target, so 'met target' cannot be judged")
    if baseline is None:
        caveats.append(
            "the problem has no baseline, so this is compared with the best so far"
            if judged
            else "the problem has no baseline and no earlier result to compare with"
        )
    if any(c.low is None for c in judged):
        shown = "one seed" if result.seeds == 1 else f"{result.seeds} seeds all alike"
        caveats.append(
            f"{shown} and no known noise, so any difference counts; "
            "log several seeds (or the evaluation set size of a proportion) to judge it"
        )
    if outcome == Verdict.MET_TARGET and target is not None:
        low, high = result.bounds()
        if low < target < high:
            caveats.append(
                f"the target {target:.4g} is within this result's noise; "
                "more seeds would make it sure"
            )
    if outcome == Verdict.INCONCLUSIVE:
        caveats.append("the difference is within noise; more seeds would settle it")
    return tuple(caveats)


def unread(target: float | None) -> Judgement:
    """A result still to be read from its run (bot.trackers): not judged until it is."""
    return Judgement(Verdict.UNJUDGED, None, None, None, target)


def phrase(judgement: Judgement, metric: Metric | None) -> str:
    """The card's sentence: '0.70 ± 0.015 (3 seeds): better than baseline 0.62 (+0.08,
    outside noise); below the best so far 0.71; inconclusive against it.'"""
    result = judgement.result
    if result is None and judgement.outcome == Verdict.UNJUDGED:
        return "Not judged yet: its value comes from the run."
    if result is None:
        return "Broken: the run gave no number."
    places = decimals(result.half_width)
    head = _measured(result, places, metric)
    if metric is None:
        return f"{head}: not judged, the problem has no metric."
    clauses = []
    if judgement.outcome == Verdict.MET_TARGET and judgement.target is not None:
        clauses.append(f"meets the target {figure(judgement.target, places)}")
    for name, comparison in (
        ("baseline", judgement.vs_baseline),
        ("the best so far", judgement.vs_best),
    ):
        if comparison is not None:
            reference = f"{name} {figure(comparison.reference.mean, places)}"
            clauses.append(_against(reference, comparison, places))
    if not clauses:
        return f"{head}: nothing to judge it against yet."
    return f"{head}: {'; '.join(clauses)}."


def _against(reference: str, comparison: Comparison, places: int | None) -> str:
    change = figure(comparison.delta.absolute, places, sign=True)
    noise = "noise unknown" if comparison.low is None else "outside noise"
    match comparison.standing:
        case Standing.BETTER | Standing.WORSE:
            return f"{comparison.standing} than {reference} ({change}, {noise})"
        case Standing.SAME:
            return f"equal to {reference}"
    if comparison.delta.absolute == 0:
        return f"level with {reference}; inconclusive against it"
    side = "above" if comparison.delta.absolute > 0 else "below"
    return f"{side} {reference}; inconclusive against it"


def _measured(result: Result, places: int | None, metric: Metric | None) -> str:
    mean = figure(result.mean, places)
    seeds = "1 seed" if result.seeds == 1 else f"{result.seeds} seeds"
    half = result.half_width
    if result.noise == Noise.SEEDS and half is not None:
        return f"{mean} ± {significant(half)} ({seeds})"
    if result.noise == Noise.EVALUATION_SET and metric is not None and metric.n is not None:
        low, high = result.bounds()
        interval = f"{figure(low, places)}–{figure(high, places)}"
        return f"{mean} ({interval} at 95%, {seeds}, n={metric.n:,})"
    return f"{mean} ({seeds})"
