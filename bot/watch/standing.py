"""Where each model in production stands, one line each for the board and the digest: its
last check and its trend against the value at ship, the days since its last retrain, and
an overdue check. Pure."""

from __future__ import annotations

from datetime import datetime

from bot.blocks import day_of, user
from bot.text import escape
from bot.watch.service import WatchLog, check_due
from storage.watch import CheckOutcome


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _last_check(log: WatchLog) -> str:
    terms = log.terms
    if not log.checks:
        return f"no check yet ({escape(terms.metric_name)} {terms.shipped_value:g} at ship)"
    last = log.checks[-1]
    trend = ""
    if terms.shipped_value:
        change = (last.value - terms.shipped_value) / abs(terms.shipped_value) * 100
        trend = f" ({change:+.1f}% vs {terms.shipped_value:g} at ship)".replace("-", "−")
    alert = " :rotating_light:" if last.outcome is CheckOutcome.ALERT else ""
    shift = ", input shifted" if last.shifted else ""
    return (
        f"{escape(terms.metric_name)} {last.value:g} on {day_of(last.checked_at)}"
        f"{trend}{shift}{alert}"
    )


def line(log: WatchLog, *, now: datetime) -> str:
    """`• *P-1* Churn model: recall 0.74 on 11 Jan (−10.8% vs 0.83 at ship) · retrained
    7 days ago · check overdue by 3 days · @owner`."""
    p = log.problem
    parts = [f"• *{p.ref}* {escape(p.title[:80])}: {_last_check(log)}"]
    since = (now - log.trained_at).days
    retrained = "retrained" if log.retrains else "shipped"
    parts.append(f"{retrained} {_days(since)} ago")
    every = log.terms.retrain_every_days
    if every and since >= every:
        parts.append(f"*retraining due* (every {_days(every)})")
    late = (now.date() - check_due(log, zone="UTC")).days
    if late > 0:
        parts.append(f"*check overdue by {_days(late)}*")
    if log.terms.source is not None:
        parts.append(f"read from {escape(log.terms.source.label)}")
    parts.append(user(log.owner_id))
    return " · ".join(parts)


def lines(logs: list[WatchLog], *, now: datetime) -> tuple[str, ...]:
    return tuple(line(log, now=now) for log in logs)
