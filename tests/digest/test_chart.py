"""The digest's chart as people see it in Slack: its size, what it names, what it leaves out,
and a golden image it must keep looking like.

The golden image is tests/digest/golden/digest-chart.png. After a deliberate change to the
chart, look at the new drawing and take it as the golden image with

    RITUALBOT_REGEN_GOLDEN=1 PYTHONPATH=$PWD pytest -q tests/digest/test_chart.py

(it also redraws docs/images/digest-chart.png and its preview-size copy).
"""

from __future__ import annotations

import io
import os
from dataclasses import replace
from pathlib import Path

from PIL import Image

from bot.digest import chart as digest_chart
from bot.digest.chart import Chart, chart_comment, chart_title, metric_chart, panels
from tests.support.chart import (
    END,
    REGENERATE,
    START,
    TOLERANCE,
    against_golden,
    golden,
    rms,
    series,
)
from tests.support.chart import team_chart as sample

PNG = b"\x89PNG\r\n\x1a\n"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "images"
PREVIEW_WIDTH = 360  # about what a Slack thread shows of an image before it is opened


def size(png: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(png)).size


def test_the_chart_looks_like_its_golden_image(tmp_path):
    drawn = metric_chart(sample())
    (tmp_path / "drawn.png").write_bytes(drawn)
    if os.environ.get(REGENERATE) == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        (DOCS / "digest-chart.png").write_bytes(drawn)
        preview = Image.open(io.BytesIO(drawn)).convert("RGB")
        preview = preview.resize((PREVIEW_WIDTH, PREVIEW_WIDTH // 2), Image.Resampling.LANCZOS)
        preview.save(DOCS / "digest-chart-preview.png", optimize=True)
    distance = against_golden(drawn, "digest-chart.png")
    assert distance <= TOLERANCE, f"{distance:.2f} from the golden image; drawn: {tmp_path}"


def test_a_chart_without_its_window_band_is_not_taken_for_the_golden_one(monkeypatch):
    """The tolerance lets glyph edges move, not the chart's meaning: the same chart drawn
    without the shaded window is too far from the golden image."""
    monkeypatch.setattr(digest_chart.panel, "WINDOW", "white")
    assert rms(metric_chart(sample()), golden("digest-chart.png")) > TOLERANCE


def test_the_chart_is_sized_for_slack_and_the_same_bytes_every_time():
    one, two = metric_chart(sample()), metric_chart(sample())
    assert one.startswith(PNG) and one == two
    width, height = size(one)
    assert width >= 1200 and abs(width / height - 2) < 0.05
    # No date, no matplotlib version: nothing in the file but the picture.
    assert Image.open(io.BytesIO(one)).text == {}


def test_one_problem_gets_the_whole_image():
    alone = replace(sample(), series=sample().series[:1])
    assert size(metric_chart(alone)) == size(metric_chart(sample()))


def test_at_most_four_panels_those_tried_lately_first_and_the_rest_named():
    quiet = [series(n, f"Quiet {n}", (n, 30 + n, 0.6)) for n in (20, 21)]
    busy = sample().series
    many = Chart(start=START, end=END, series=(*quiet, *busy))
    shown, left_out = panels(many)
    assert [s.problem.ref for s in shown] == ["P-1", "P-2", "P-8", "P-9"]
    assert [s.problem.ref for s in left_out] == ["P-20", "P-21"]
    comment = chart_comment(many)
    assert comment.startswith("P-1, P-2, P-8, P-9: ")
    assert "Only 4 problems fit in one chart; not charted: P-20, P-21." in comment
    assert "not charted" not in chart_comment(sample())
    assert metric_chart(many).startswith(PNG)


def test_the_title_names_every_problem_charted_within_slacks_title():
    long = tuple(
        replace(s, problem=replace(s.problem, title="A very long problem title " * 8))
        for s in sample().series
    )
    title = chart_title(replace(sample(), series=long), span="23 Nov – 30 Nov 2026")
    assert len(title) <= 200
    assert title.startswith("Metrics · 23 Nov – 30 Nov 2026 · P-1 A very long")
    assert all(ref in title for ref in ("P-1 ", "P-2 ", "P-8 ", "P-9 "))
    short = chart_title(sample(), span="23 Nov – 30 Nov 2026")
    assert "P-1 Churn model misses new users · P-2 Label noise in eval set" in short
