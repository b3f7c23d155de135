"""The verdict and the error-analysis ceilings recomputed for a problem with 10,000 experiments
of 5 seeds each.

Pure computation, no database. In the order logged, each experiment's seeds are judged
against the baseline, the target and the best so far (bot.verdict.judge), the card's sentence
is written (phrase), its error analysis's ceilings are ranked (bot.ceilings), and the best so
far moves on; that is the time per experiment. Beside it, today's simpler verdict
(one number against numbers, as bot/outcome.py's assess did
before the verdict replaced it; kept here as the baseline) on the same experiments, and the
diminishing-returns check over the whole history once.

    python bench/verdict.py [--experiments 10000] [--seeds 5]    # or python -m bench.verdict

Bar: p95 per experiment at most 5 ms.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `python bench/NAME.py` puts bench/ on the path, not the repository: add it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import random
import time
from collections import Counter

from bench.load import percentile
from bot.ceilings import ceilings, phrase_ceiling
from bot.metric import Metric, MetricKind
from bot.outcome import meets
from bot.result import Result, best_of
from bot.returns import diminishing_returns
from bot.verdict import judge, phrase
from storage.problems import Direction

BAR_MS = 5.0
BASELINE, TARGET = 0.62, 0.80
METRIC = Metric(Direction.HIGHER, MetricKind.PROPORTION, n=2000, name="recall")
CATEGORIES = ("cold-start users", "typos", "long queries", "rare classes", "label noise")


def history(experiments: int, seeds: int) -> list[tuple[list[float], dict[str, int], int]]:
    """Seeds of a recall creeping from the baseline toward the target, one run in 50 broken,
    each with an error analysis of 30 to 120 examined errors."""
    rng = random.Random(17)
    made = []
    for i in range(experiments):
        level = BASELINE + 0.17 * (1 - 1 / (1 + i / 500)) + rng.gauss(0, 0.01)
        values = [] if rng.random() < 0.02 else [rng.gauss(level, 0.01) for _ in range(seeds)]
        examined = rng.randint(30, 120)
        counts = {name: rng.randint(0, examined) for name in CATEGORIES}
        made.append(([min(1.0, max(0.0, v)) for v in values], counts, examined))
    return made


def measure(made: list[tuple[list[float], dict[str, int], int]]) -> dict[str, object]:
    timings, verdicts, results = [], Counter(), []
    best: Result | None = None
    for values, counts, examined in made:
        start = time.perf_counter()
        judgement = judge(values, metric=METRIC, baseline=BASELINE, target=TARGET, best_before=best)
        phrase(judgement, METRIC)
        if judgement.result is not None:
            found = ceilings(
                judgement.result.mean, metric=METRIC, categories=counts, examined=examined
            )
            assert found is not None and found.top is not None
            phrase_ceiling(found.top, value=judgement.result.mean, metric=METRIC)
            best = best_of([best, judgement.result], METRIC.direction)
        timings.append(time.perf_counter() - start)
        verdicts[judgement.outcome] += 1
        results.append(judgement.result)
    start = time.perf_counter()
    flat = diminishing_returns(results, direction=METRIC.direction)
    returns_ms = (time.perf_counter() - start) * 1000
    return {"timings": timings, "verdicts": verdicts, "returns_ms": returns_ms, "flat": flat}


def earlier_verdict(
    value: float | None, *, baseline: float, target: float, best_before: float | None
) -> str:
    """The verdict before noise was judged (bot/outcome.py's `assess` until 08321fb), for a
    higher-is-better metric: one number against the baseline (else the best earlier result)
    and the target."""
    if value is None:
        return "broken"
    reference = baseline if baseline is not None else best_before
    if meets(value, target, Direction.HIGHER):
        return "met_target"
    if reference is None or value == reference:
        return "no_gain"
    return "improved" if value > reference else "worse"


def measure_today(made: list[tuple[list[float], dict[str, int], int]]) -> list[float]:
    timings = []
    best: float | None = None
    for values, _, _ in made:
        value = sum(values) / len(values) if values else None
        start = time.perf_counter()
        earlier_verdict(value, baseline=BASELINE, target=TARGET, best_before=best)
        timings.append(time.perf_counter() - start)
        if value is not None and (best is None or value > best):
            best = value
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=10_000)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args(argv)
    made = history(args.experiments, args.seeds)
    began = time.perf_counter()
    found = measure(made)
    total = time.perf_counter() - began
    today = measure_today(made)
    timings = found["timings"]
    p50, p95, worst = (percentile(timings, s) * 1000 for s in (0.5, 0.95, 1.0))
    today_p50, today_p95 = (percentile(today, s) * 1000 for s in (0.5, 0.95))
    verdicts = ", ".join(f"{v} {n:,}" for v, n in found["verdicts"].most_common())
    flat = found["flat"]
    print(f"verdicts: {verdicts}", flush=True)
    print(
        f"verdict + phrase + ceilings per experiment: p50 {p50:.3f} ms, p95 {p95:.3f} ms, "
        f"max {worst:.3f} ms ({total:.2f} s for all); the earlier verdict: p50 {today_p50:.4f} ms, "
        f"p95 {today_p95:.4f} ms",
        flush=True,
    )
    print(
        f"diminishing returns over {len(made):,} experiments: {found['returns_ms']:.1f} ms "
        f"({flat.evidence if flat else 'best still moving'})",
        flush=True,
    )
    meets = p95 <= BAR_MS
    print(
        f"bench verdict: {len(made):,} experiments x {args.seeds} seeds, p95 {p95:.3f} ms per "
        f"experiment (the earlier verdict p95 {today_p95:.4f} ms) "
        f"-> {'meets' if meets else 'short of'} BAR (p95 <= {BAR_MS:.0f} ms)"
    )
    return 0 if meets else 1


if __name__ == "__main__":
    sys.exit(main())
