"""A notebook's "Watch after ship": the plan a shipped model is watched under, every check
of its production value with what came of it, and its retrains. Streamed like the rest."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bot.export.markdown import named, on_day, one_line
from bot.export.records import BATCH
from bot.result import figure
from bot.watch.plan import WatchTerms, cadence
from storage.problems import Problem
from storage.watch import CheckOutcome, Retrain, WatchCheck, WatchPlan

OUTCOME = {
    CheckOutcome.WITHIN: "within the plan",
    CheckOutcome.ALERT: "alert, not answered",
    CheckOutcome.KEPT: "alert, kept watching",
    CheckOutcome.RETRAINED: "alert, retrained",
    CheckOutcome.REOPENED: "alert, a problem opened",
}


def watch_log(session: Session, problem: Problem, *, people: Mapping[str, str]) -> Iterator[str]:
    yield "\n## Watch after ship\n\n"
    plan = session.scalar(
        select(WatchPlan).where(
            WatchPlan.team_id == problem.team_id, WatchPlan.problem_id == problem.id
        )
    )
    if plan is None:
        yield "Not shipped: nothing is watched.\n"
        return
    terms = WatchTerms.of(plan)
    retrain = f"every {plan.retrain_every_days} days" if plan.retrain_every_days else "no cadence"
    yield (
        f"Shipped {on_day(plan.shipped_at)}, watched by {named(plan.owner_id, people)}.\n\n"
        f"- Metric: {one_line(plan.metric_name)}\n"
        f"- Value at ship: {figure(plan.shipped_value)}\n"
        f"- Alert: {terms.alert_text(problem.direction)}\n"
        f"- Checked: {cadence(plan.check_every_days)}\n"
        f"- Retraining: {retrain}, last {on_day(plan.trained_at)}\n"
    )
    yield from _checks(session, plan, people)
    yield from _retrains(session, plan, people)


def _checks(session: Session, plan: WatchPlan, people: Mapping[str, str]) -> Iterator[str]:
    opened = aliased(Problem)
    query = (
        select(WatchCheck, opened.number)
        .outerjoin(
            opened,
            (opened.id == WatchCheck.opened_problem_id) & (opened.team_id == plan.team_id),
        )
        .where(WatchCheck.team_id == plan.team_id, WatchCheck.plan_id == plan.id)
        .order_by(WatchCheck.checked_at, WatchCheck.id)
        .execution_options(yield_per=BATCH)
    )
    seen = False
    for check, number in session.execute(query):
        if not seen:
            yield "\n### Checks\n\n| Date | Value | Shifted | Note | Outcome | By |\n"
            yield "|---|---|---|---|---|---|\n"
            seen = True
        outcome = OUTCOME[check.outcome]
        if number is not None:
            outcome += f": P-{number}"
        yield (
            f"| {on_day(check.checked_at)} | {figure(check.value)} | "
            f"{'yes' if check.shifted else 'no'} | {one_line(check.note) or '–'} | {outcome} | "
            f"{named(check.checked_by, people)} |\n"
        )
    if not seen:
        yield "\nNo checks yet.\n"


def _retrains(session: Session, plan: WatchPlan, people: Mapping[str, str]) -> Iterator[str]:
    query = (
        select(Retrain)
        .where(Retrain.team_id == plan.team_id, Retrain.plan_id == plan.id)
        .order_by(Retrain.retrained_at, Retrain.id)
        .execution_options(yield_per=BATCH)
    )
    seen = False
    for retrain in session.scalars(query):
        if not seen:
            yield "\n### Retrains\n\n"
            seen = True
        yield f"- {on_day(retrain.retrained_at)} by {named(retrain.retrained_by, people)}\n"
    if not seen:
        yield "\nNo retrains yet.\n"
