"""The digest's chart, made to be read in a Slack thread: one image of 1200 x 600 px (Slack
previews it at about 360 px wide), one panel per active problem (at most four), the legend
below the panels, the digest's window shaded. A pure function of plain values: the same
`Chart` always gives the same PNG bytes (fixed font, Agg, no date or version in the file).
Each panel is drawn by bot.digest.chart_panel; the data comes from the digest's service."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.blocks import clip
from bot.digest import chart_panel as panel
from bot.digest.standing import Series
from bot.digest.week import CHART_LOOKBACK as LOOKBACK

WIDTH_PX, HEIGHT_PX, DPI = 1200, 600, 150
MAX_PANELS = 4
# The time axis reaches back at most LOOKBACK before the window's end; earlier results
# still carry the best so far in from the left edge.
# A panel's title, in characters, by how many panels share the image's width.
TITLE_CHARS = {1: 64, 2: 27}
TITLE_MAX = 200  # what the outbox keeps of a file's title
RC = {"font.family": panel.FONT}
# matplotlib's settings are process-wide: one chart is drawn at a time, in its own settings.
_DRAWING = threading.Lock()


@dataclass(frozen=True, kw_only=True)
class Chart:
    """What the digest's chart shows: the active problems' series and the digest's window."""

    start: datetime
    end: datetime
    series: tuple[Series, ...]


def panels(chart: Chart) -> tuple[tuple[Series, ...], tuple[Series, ...]]:
    """The series given a panel, in the digest's order, and those left out: at most
    MAX_PANELS, those with results in the window first, then the most recently tried."""

    def recent(s: Series) -> tuple[bool, datetime]:
        latest = max(p.at for p in s.points)
        return latest >= chart.start, latest

    ranked = sorted(chart.series, key=recent, reverse=True)
    kept = {id(s) for s in ranked[:MAX_PANELS]}
    return (
        tuple(s for s in chart.series if id(s) in kept),
        tuple(s for s in chart.series if id(s) not in kept),
    )


def _left(chart: Chart, shown: tuple[Series, ...]) -> datetime:
    """Where the time axis starts: the first result or decision shown, at most LOOKBACK
    before the end, and never after the window starts."""
    times = [p.at for s in shown for p in s.points] + [d.at for s in shown for d in s.decisions]
    first = min([*times, chart.start])
    return max(first, chart.end - LOOKBACK)


def _grid(n: int) -> tuple[int, int]:
    return {0: (1, 1), 1: (1, 1), 2: (1, 2)}.get(n, (2, 2))


def _legend(figure: Any, chart: Chart, shown: tuple[Series, ...]) -> None:
    """One legend for every panel, below them, naming only what some panel shows."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    same = (chart.start.year, chart.start.month) == (chart.end.year, chart.end.month)
    first = str(chart.start.day) if same else _day(chart.start)
    window = f"this digest, {first}–{_day(chart.end)}"
    entries = [
        (Line2D([], [], color=panel.VALUE, marker="o", linestyle=""), "experiment"),
        (Line2D([], [], color=panel.VALUE, linewidth=2.2, alpha=0.55), "best so far"),
        (Patch(color=panel.WINDOW), window),
    ]
    if any(s.baseline is not None for s in shown):
        entries.append((Line2D([], [], color=panel.BASELINE, linestyle=(0, (5, 3))), "baseline"))
    if any(s.target is not None for s in shown):
        line = Line2D([], [], color=panel.TARGET, linestyle=(0, (8, 3, 2, 3)))
        entries.append((line, "target"))
    if any(s.decisions for s in shown):
        mark = Line2D([], [], color=panel.DECISION, marker="v", linestyle=(0, (2, 2)))
        entries.append((mark, "decision"))

    def legend(cols: int, size: float) -> Any:
        return figure.legend(
            [handle for handle, _ in entries],
            [label for _, label in entries],
            loc="outside lower center",
            ncols=cols,
            frameon=False,
            fontsize=size,
            handlelength=1.4,
            handletextpad=0.4,
            columnspacing=0.9,
        )

    for size in (panel.LABEL, panel.LABEL - 1):  # one row, in a smaller font if need be
        one_row = legend(len(entries), size)
        if one_row.get_window_extent(figure.canvas.get_renderer()).width <= 0.98 * WIDTH_PX:
            return
        one_row.remove()
    legend((len(entries) + 1) // 2, panel.LABEL)


def _day(at: datetime) -> str:
    return f"{at.day} {at:%b}"


def _dates(ax: Any) -> None:
    from matplotlib.dates import AutoDateLocator, num2date
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=5))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: _day(num2date(x))))


def metric_chart(chart: Chart) -> bytes:
    """The chart as PNG bytes, WIDTH_PX x HEIGHT_PX.

    matplotlib (and numpy under it) is imported here, on the first digest: imported with the
    app it cost every web worker about 40 MB that most of them never use. Agg on a Figure,
    so no pyplot state; the settings are matplotlib's defaults with a fixed font.
    """
    from matplotlib import rc_context, style
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    shown, _ = panels(chart)
    with _DRAWING, style.context("default"), rc_context(RC):
        figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        rows, cols = _grid(len(shown))
        axes = figure.subplots(nrows=rows, ncols=cols, squeeze=False).flatten()
        left = _left(chart, shown)
        pad = (chart.end - left) * 0.03
        span = panel.Span(left=left, start=chart.start, end=chart.end)
        for ax, series in zip(axes, shown, strict=False):
            panel.draw(ax, series, span, title_max=TITLE_CHARS[cols])
            ax.set_xlim(left - pad, chart.end + pad)
            _dates(ax)
        for ax in axes[len(shown) :]:
            ax.set_axis_off()
        if not shown:
            axes[0].text(0.5, 0.5, "No metric values yet", ha="center", fontsize=panel.TITLE)
        else:
            _legend(figure, chart, shown)
        out = io.BytesIO()
        # No Software key: the file says nothing of the matplotlib that drew it.
        figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def chart_comment(chart: Chart) -> str:
    """What the chart shows, posted with it; names the problems it leaves out."""
    shown, left_out = panels(chart)
    refs = ", ".join(s.problem.ref for s in shown)
    text = (
        f"{refs}: each problem's metric over time against its baseline and target; "
        "the shaded band is this digest's window, points are named by experiment and "
        "decisions are marked."
    )
    if left_out:
        missing = ", ".join(s.problem.ref for s in left_out)
        text += f" Only {MAX_PANELS} problems fit in one chart; not charted: {missing}."
    return text


def chart_title(chart: Chart, *, span: str) -> str:
    """The file's title, also its alt text: the window, and each problem charted by id and
    title, the titles clipped so that every id fits."""
    shown, _ = panels(chart)
    head = f"Metrics · {span}"
    if not shown:
        return head
    room = (TITLE_MAX - len(head)) // len(shown) - len(" · P-0000 ")
    named = (f"{s.problem.ref} {clip(' '.join(s.problem.title.split()), room)}" for s in shown)
    return clip(" · ".join([head, *named]), TITLE_MAX)
