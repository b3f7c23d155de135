"""The digest's chart: each active problem's metric over time against its baseline and target."""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot.digest.standing import Series
from storage.problems import Direction

PANEL_HEIGHT = 2.4
WIDTH = 8.0
MAX_PANELS = 12


def metric_chart(series: Sequence[Series]) -> bytes:
    """A PNG with one panel per problem; Agg on a Figure, so no global pyplot state is shared.

    matplotlib (and numpy under it) is imported here, on the first digest: imported with the
    app it cost every web worker about 40 MB that most of them never use.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    shown = list(series)[:MAX_PANELS]
    figure = Figure(figsize=(WIDTH, PANEL_HEIGHT * max(1, len(shown))), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots(nrows=max(1, len(shown)), squeeze=False)[:, 0]
    for ax, s in zip(axes, shown, strict=False):
        times = [t for t, _ in s.points]
        values = [v for _, v in s.points]
        best = []
        for value in values:
            if not best:
                best.append(value)
            else:
                better = max if s.direction == Direction.HIGHER else min
                best.append(better(best[-1], value))
        ax.plot(times, values, "o", color="#4a6fa5", markersize=4, label="experiment")
        ax.step(times, best, where="post", color="#4a6fa5", linewidth=1.5, label="best so far")
        if s.baseline is not None:
            ax.axhline(s.baseline, color="#888888", linestyle="--", linewidth=1, label="baseline")
        if s.target is not None:
            ax.axhline(s.target, color="#2e8b57", linestyle="-.", linewidth=1, label="target")
        arrow = "↑" if s.direction == Direction.HIGHER else "↓"
        ax.set_title(f"{s.problem.ref} {s.problem.title[:70]}", fontsize=9, loc="left")
        ax.set_ylabel(f"{(s.metric_name or 'metric')[:30]} {arrow}", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, loc="best")
    figure.autofmt_xdate()
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def chart_comment(series: Sequence[Series]) -> str:
    """What the chart shows, and which problems it leaves out when there are too many."""
    text = "Each active problem's metric over time, against its baseline and target."
    if len(series) > MAX_PANELS:
        left = ", ".join(s.problem.ref for s in series[MAX_PANELS:])
        text += f" Only the first {MAX_PANELS} fit; not charted: {left}."
    return text
