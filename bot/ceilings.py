"""Error-analysis ceilings (Ng, *Machine Learning Yearning*, ch. 14-18): the most that fixing
every error of one category could gain. Pure functions.

The metric is a proportion. Its errors are 1 - value when higher is better (accuracy, recall:
the misses) and the value itself when lower is better (an error rate). A category holding a
share s of the errors examined can remove at most that share of the errors, so the error
falls to at least error × (1 - s): Ng's example (ch. 14) is 10% error with 5 of 100 examined
errors dogs, where fixing every dog leaves at best 9.5% error (90.5% accuracy).

Categories may overlap: an image both blurry and a great cat counts in both (ch. 16). Each
share is of the errors examined, so shares can add up to more than 100%, and each ceiling
counts every error its category holds, those also in another category included, since
fixing that category alone would fix them. So ceilings do not add up: fixing two categories
gains at most the share of their union, which counts per category cannot tell.

The shares are estimated from a sample, each with its Wilson interval. Under 50 examined
errors they are rough (ch. 18: 20 errors give a rough sense of the categories, 50 a good
one, 100 a very good one) and a warning says how many more to look at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.metric import Metric, MetricKind
from bot.noise import wilson
from bot.result import decimals, figure
from storage.problems import Direction

SMALL_SAMPLE = 50
GOOD_SAMPLE = 100


@dataclass(frozen=True)
class Ceiling:
    category: str
    count: int  # errors of this category among those examined
    share: float  # of the errors examined
    share_low: float  # the share's 95% Wilson interval
    share_high: float
    reach: float  # the best value fixing every error of this category could reach


@dataclass(frozen=True)
class ErrorCeilings:
    value: float
    examined: int
    ceilings: tuple[Ceiling, ...]  # the highest ceiling first
    warning: str | None  # when the sample examined is small

    @property
    def top(self) -> Ceiling | None:
        return self.ceilings[0] if self.ceilings else None


def ceilings(
    value: float,
    *,
    metric: Metric,
    categories: Mapping[str, int],
    examined: int | None = None,
) -> ErrorCeilings | None:
    """Each category's share of the errors and its ceiling, ranked; None when the metric is
    not a proportion, whose errors cannot be counted. `examined` is how many errors were
    looked at; without it each error is taken to be in exactly one category."""
    if metric.kind != MetricKind.PROPORTION:
        return None
    if not 0 <= value <= 1:
        raise ValueError(f"A proportion runs from 0 to 1, not {value:g}.")
    if any(count < 0 for count in categories.values()):
        raise ValueError("An error category's count cannot be negative; type how many you saw.")
    examined = sum(categories.values()) if examined is None else examined
    if examined < 1:
        raise ValueError("No errors were examined; type how many you looked at.")
    if over := [name for name, count in categories.items() if count > examined]:
        raise ValueError(
            f"{over[0]} counts more errors than the {examined} examined; "
            "type a count no larger than the errors you looked at."
        )
    higher = metric.direction == Direction.HIGHER
    error = 1 - value if higher else value
    found = []
    for category, count in categories.items():
        share = count / examined
        left = error * (1 - share)
        low, high = wilson(share, examined)
        found.append(Ceiling(category, count, share, low, high, 1 - left if higher else left))
    found.sort(key=lambda ceiling: (-ceiling.share, ceiling.category))
    return ErrorCeilings(value, examined, tuple(found), _warning(examined))


def _warning(examined: int) -> str | None:
    if examined >= SMALL_SAMPLE:
        return None
    noun = "error was" if examined == 1 else "errors were"
    return (
        f"Only {examined} {noun} examined, so these shares are rough: look at "
        f"{SMALL_SAMPLE - examined} more ({SMALL_SAMPLE} in all; "
        f"{GOOD_SAMPLE} give a clear picture)."
    )


def phrase_ceiling(ceiling: Ceiling, *, value: float, metric: Metric) -> str:
    """'cold-start users: 75% of errors; fixing all of them would take recall from 0.55 to at
    most 0.89' (the category and metric names are the team's: escape them for mrkdwn)."""
    # As many places as the value was given with (2 at least), and enough to show the gain.
    typed = len(f"{value:.4g}".partition(".")[2])
    gain = abs(ceiling.reach - value)
    places = max(2, typed, decimals(gain) or 0)
    bound = "at most" if metric.direction == Direction.HIGHER else "at least"
    name = metric.name or "the metric"
    return (
        f"{ceiling.category}: {ceiling.share:.0%} of errors; fixing all of them would take "
        f"{name} from {figure(value, places)} to {bound} {figure(ceiling.reach, places)}"
    )
