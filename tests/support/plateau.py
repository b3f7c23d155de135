"""Problems whose best result stopped moving, or still moves, and one with an analysed failure,
logged through signed requests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine

from tests.analyses.test_analyses import analysis_form
from tests.conftest import ALICE
from tests.support.delivery import choice, command, frame, log, text

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
DECIDE = {"decide_continue", "decide_pivot", "decide_cut", "decide_ship"}
# Recall on 2,000 examples, three seeds an experiment: after the first, five tries that move
# the best by +0.002, inside the seeds' noise.
FIRST = "0.750 0.752 0.748 class-balanced sampling"
FLAT = (
    "0.751 0.749 0.753 label smoothing",
    "0.745 0.747 0.743 mixup",
    "0.752 0.750 0.754 longer schedule",
    "0.748 0.746 0.750 bigger batch",
    "0.740 0.742 0.738 dropout 0.3",
)
# Five tries that each gain 0.01, far outside the noise of seeds that agree to ±0.001.
CLIMBING = tuple(
    f"{m - 0.001:.3f} {m:.3f} {m + 0.001:.3f} step" for m in (0.71, 0.72, 0.73, 0.74, 0.75)
)
EVIDENCE = "last 5 experiments: best moved +0.002, inside noise"
COLD_START = (
    "cold-start users: 75% of errors; fixing all of them would take recall from 0.55 to at "
    "most 0.89"
)


def recall(bot, title: str = "Recall on rare classes", *, baseline: str = "0.70") -> int:
    return frame(
        bot,
        title,
        baseline=baseline,
        target="0.80",
        metric_kind=choice("proportion"),
        eval_size=text("2000"),
    )


def tries(bot, number: int, *lines: str) -> None:
    for line in lines:
        log(bot, f"P-{number} {line}")


def analysed_failure(bot, number: int, experiment: int) -> None:
    """Log 0.55 on P-<number> (E-<experiment>) and analyse it: 45 of 60 errors cold-start."""
    log(bot, f"P-{number} 0.55 cold start")
    command(bot, "/analysis", f"E-{experiment}")
    bot.slack.submit_view(
        user_id=ALICE,
        values=analysis_form(
            sample_size=text("60"), categories=text("typos: 15\ncold-start users: 45")
        ),
    )
    bot.settle()


@pytest.fixture
def clock() -> Iterator[None]:
    """A fixed Monday morning, ticking (signed requests carry its time)."""
    with time_machine.travel(NOW, tick=True):
        yield
