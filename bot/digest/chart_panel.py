"""One problem's panel of the digest chart: its experiments' values named by their ids, its
best so far, baseline and target labelled on the axis, its decisions marked and named, and
the digest's window shaded. Drawn on an Axes that bot.digest.chart lays out; pure drawing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.blocks import clip
from bot.digest.render import DECISION_LABEL
from bot.digest.standing import Point, Series
from storage.problems import Direction

if TYPE_CHECKING:  # matplotlib is imported when the first chart is drawn (bot.digest.chart)
    from matplotlib.axes import Axes

FONT = "DejaVu Sans"  # ships with matplotlib: the same glyphs on every machine
INK, MUTED = "#1d1c1d", "#616061"
VALUE = "#1264a3"
BASELINE = "#7a7a7a"
TARGET = "#2b8a3e"
WINDOW = "#f9e3a6"
DECISION = "#8a3ab9"
# Point sizes, for a 1200 px wide image read at about 360 px in a Slack thread.
TITLE, TICKS, LABEL = 14, 12, 11
# Experiment ids written beside their points, at most; the window's first.
MAX_IDS = 7


@dataclass(frozen=True, kw_only=True)
class Span:
    """The panel's time axis, from `left` to `end`, and the digest's window in it."""

    left: datetime
    start: datetime
    end: datetime


def number(value: float) -> str:
    return f"{value:.3g}"


def best_so_far(points: Sequence[Point], direction: Direction) -> list[float]:
    """The best value reached by each point, in the metric's direction."""
    better = max if direction == Direction.HIGHER else min
    best: list[float] = []
    for p in points:
        best.append(p.value if not best else better(best[-1], p.value))
    return best


def _named(points: Sequence[Point], best: Sequence[float], span: Span) -> list[int]:
    """The points to write ids beside: all when few; else the window's latest and each new
    best, newest first, up to MAX_IDS."""
    shown = [i for i, p in enumerate(points) if p.at >= span.left]
    if len(shown) <= MAX_IDS:
        return shown
    window = [i for i in reversed(shown) if points[i].at >= span.start]
    records = [i for i in reversed(shown) if i == 0 or best[i] != best[i - 1]]
    chosen = list(dict.fromkeys([*window, *records]))[:MAX_IDS]
    return sorted(chosen)


def _sides(points: Sequence[Point], best: Sequence[float], span: Span) -> list[tuple[int, bool]]:
    """The points named and whether each id goes above it (a new best, or level with it)
    or below; an id that would touch the one before it goes to the other side."""
    near = (span.end - span.left) * 0.1
    placed: list[tuple[int, bool]] = []
    for i in _named(points, best, span):
        above = points[i].value >= best[i] or i == 0
        if placed and points[i].at - points[placed[-1][0]].at < near and above == placed[-1][1]:
            above = not above
        placed.append((i, above))
    return placed


def _limits(series: Series, values: Sequence[float], *, decided: bool) -> tuple[float, float]:
    known = [*values, *(v for v in (series.baseline, series.target) if v is not None)]
    low, high = min(known), max(known)
    pad = (high - low) or max(abs(high) * 0.1, 0.01)
    # A band above for ids (and decisions' names), room below for ids of worse results.
    return low - 0.3 * pad, high + (0.8 if decided else 0.4) * pad


def _reference_lines(ax: Axes, series: Series, *, low: float, high: float) -> None:
    """Baseline and target as lines, each named with its value on the right-hand axis."""
    lines = [
        (series.baseline, "baseline", BASELINE, (0, (5, 3))),
        (series.target, "target", TARGET, (0, (8, 3, 2, 3))),
    ]
    drawn = [(v, name, color, style) for v, name, color, style in lines if v is not None]
    close = len(drawn) == 2 and abs(drawn[0][0] - drawn[1][0]) < 0.1 * (high - low)
    upper = max(v for v, *_ in drawn) if drawn else None
    for value, name, color, style in drawn:
        ax.axhline(value, color=color, linestyle=style, linewidth=1.6, zorder=1)
        nudge = "center" if not close else ("bottom" if value == upper else "top")
        ax.annotate(
            f"{name} {number(value)}",
            xy=(1, value),
            xycoords=ax.get_yaxis_transform(),
            xytext=(5, 0),
            textcoords="offset points",
            va=nudge,
            ha="left",
            color=color,
            fontsize=LABEL,
            fontfamily=FONT,
            fontweight="bold",
            annotation_clip=False,
        )


def _decisions(ax: Axes, series: Series, span: Span) -> None:
    """Each decision in view: a dotted line at its time, a marker on top, its kind and id."""
    from matplotlib.dates import date2num

    middle = span.left + (span.end - span.left) * 0.7
    for mark in series.decisions:
        if not span.left <= mark.at <= span.end:
            continue
        ax.axvline(mark.at, color=DECISION, linestyle=(0, (2, 2)), linewidth=1.4, zorder=2)
        ax.plot(
            [date2num(mark.at)], [1], marker="v", markersize=9, color=DECISION,
            transform=ax.get_xaxis_transform(), clip_on=False, zorder=4,
        )  # fmt: skip
        right = mark.at > middle
        ax.annotate(
            f"{DECISION_LABEL[mark.kind]} · {series.problem.ref}",
            xy=(date2num(mark.at), 1),
            xycoords=ax.get_xaxis_transform(),
            xytext=(-6 if right else 6, -4),
            textcoords="offset points",
            ha="right" if right else "left",
            va="top",
            color=DECISION,
            fontsize=LABEL,
            fontfamily=FONT,
            fontweight="bold",
        )


def draw(ax: Axes, series: Series, span: Span, *, title_max: int) -> None:
    """Draw `series` on `ax` over `span`; points before `span.left` only carry the best."""
    from matplotlib.dates import date2num

    points = sorted(series.points, key=lambda p: p.at)
    best = best_so_far(points, series.direction)
    visible = [i for i, p in enumerate(points) if p.at >= span.left]
    carried = [i for i, p in enumerate(points) if p.at < span.left]
    ax.axvspan(span.start, span.end, color=WINDOW, linewidth=0, zorder=0)
    if carried or visible:
        times = [span.left] if carried else []
        steps = [best[carried[-1]]] if carried else []
        times += [points[i].at for i in visible] + [span.end]
        steps += [best[i] for i in visible]
        steps.append(steps[-1])
        ax.step(times, steps, where="post", color=VALUE, linewidth=2.2, alpha=0.55, zorder=3)
    for i in visible:
        inside = points[i].at >= span.start
        ax.plot(
            [points[i].at], [points[i].value], "o", markersize=8 if inside else 6.5,
            color=VALUE, alpha=1.0 if inside else 0.6, zorder=5,
        )  # fmt: skip
    for i, above in _sides(points, best, span):
        ax.annotate(
            points[i].ref,
            xy=(date2num(points[i].at), points[i].value),
            xytext=(0, 7 if above else -7),
            textcoords="offset points",
            ha="center",
            va="bottom" if above else "top",
            color=INK,
            fontsize=LABEL,
            fontfamily=FONT,
        )
    values = [points[i].value for i in visible] + ([best[carried[-1]]] if carried else [])
    decided = any(span.left <= d.at <= span.end for d in series.decisions)
    low, high = _limits(series, values or [0.0], decided=decided)
    ax.set_ylim(low, high)
    _reference_lines(ax, series, low=low, high=high)
    _decisions(ax, series, span)
    arrow = "↑ better" if series.direction == Direction.HIGHER else "↓ better"
    ax.set_ylabel(f"{(series.metric_name or 'metric')[:24]} {arrow}", fontsize=TICKS)
    ax.set_title(
        f"{series.problem.ref} {clip(' '.join(series.problem.title.split()), title_max)}",
        loc="left",
        fontsize=TITLE,
        fontfamily=FONT,
        fontweight="bold",
        color=INK,
    )
    ax.tick_params(labelsize=TICKS, colors=MUTED)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
