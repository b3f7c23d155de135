"""A digest chart's worth of plain values, and how a drawn chart is compared with its golden
image: the same scenario draws tests/digest/golden/digest-chart.png and docs/images/."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from PIL import Image

from bot.digest.chart import Chart
from bot.digest.standing import Mark, Point, ProblemRef, Series
from storage.problems import DecisionKind, Direction

END = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
START = END - timedelta(days=7)
GOLDEN = Path(__file__).resolve().parents[1] / "digest" / "golden"
# Root-mean-square difference of the RGB channels (0-255) a redrawn chart may show against its
# golden image: enough for a FreeType or matplotlib upgrade moving glyph edges by a pixel,
# far below what a lost band, line, label or panel costs (see test_chart).
TOLERANCE = 2.0
REGENERATE = "RITUALBOT_REGEN_GOLDEN"


def ago(days: float) -> datetime:
    return END - timedelta(days=days)


def points(*rows: tuple[int, float, float]) -> tuple[Point, ...]:
    return tuple(Point(at=ago(days), value=value, ref=f"E-{n}") for n, days, value in rows)


def series(
    number: int,
    title: str,
    *rows: tuple[int, float, float],
    metric: str = "recall",
    direction: Direction = Direction.HIGHER,
    baseline: float | None = 0.6,
    target: float | None = 0.75,
    decisions: tuple[Mark, ...] = (),
) -> Series:
    return Series(
        problem=ProblemRef(ref=f"P-{number}", title=title),
        metric_name=metric,
        direction=direction,
        baseline=baseline,
        target=target,
        points=points(*rows),
        decisions=decisions,
    )


def team_chart() -> Chart:
    """Four active problems: one improving with a decision to continue, one flat on its
    baseline, a lower-is-better one that pivoted this week, one without a target."""
    return Chart(
        start=START,
        end=END,
        series=(
            series(
                1,
                "Churn model misses new users",
                (1, 40, 0.62), (2, 30, 0.65), (6, 20, 0.64), (9, 12, 0.66), (3, 2, 0.70),
                (4, 1, 0.58),
                decisions=(Mark(at=ago(16), kind=DecisionKind.CONTINUE),),
            ),
            series(
                2,
                "Label noise in eval set",
                (13, 28, 0.595), (14, 25, 0.598), (5, 20, 0.60), (16, 9, 0.59), (7, 1, 0.60),
            ),
            series(
                8,
                "Search latency p95 under load",
                (20, 18, 175.0), (21, 11, 160.0), (22, 5, 150.0), (23, 3, 131.0),
                metric="p95 ms",
                direction=Direction.LOWER,
                baseline=180.0,
                target=120.0,
                decisions=(Mark(at=ago(4), kind=DecisionKind.PIVOT),),
            ),
            series(9, "Fraud flags", (30, 3, 0.83), metric="AUC", baseline=0.81, target=None),
        ),
    )  # fmt: skip


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.float64)


def rms(drawn: bytes, golden: bytes) -> float:
    """How far two PNGs of the same size are apart: RMS of the RGB channels, 0-255."""
    a, b = pixels(drawn), pixels(golden)
    assert a.shape == b.shape, f"size {a.shape[1]}x{a.shape[0]}, golden {b.shape[1]}x{b.shape[0]}"
    return float(np.sqrt(np.mean((a - b) ** 2)))


def golden(name: str) -> bytes:
    return (GOLDEN / name).read_bytes()


def against_golden(drawn: bytes, name: str) -> float:
    """The distance of `drawn` from the golden image `name`; with RITUALBOT_REGEN_GOLDEN=1
    in the environment, `drawn` becomes the golden image first (and the distance is 0)."""
    if os.environ.get(REGENERATE) == "1":
        (GOLDEN / name).write_bytes(drawn)
    return rms(drawn, golden(name))
