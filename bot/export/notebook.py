"""A problem's lab notebook in Markdown: its framing and the two questions, its metric and
the smallest change its evaluation set can detect, every experiment with its verdict and
run, error analyses with categories and ceilings, decisions with their rationale, and
once shipped, how the model is watched (bot.export.watch_log).

Written as a stream of chunks: experiments are read a batch at a time, with the analyses of
that batch only, so a problem with a hundred thousand experiments takes no more memory than
one with ten.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session, selectinload

from bot.analyses.ceilings import of_analysis
from bot.experiments.render import OUTCOME_LABEL
from bot.export.markdown import named, on_day, one_line
from bot.export.records import BATCH
from bot.export.watch_log import watch_log
from bot.metric import Metric, detectable_note, target_warning
from bot.outcome import Delta
from bot.result import figure
from storage.analyses import ErrorAnalysis, ErrorCategory, FollowUp
from storage.experiments import Experiment
from storage.people import Person
from storage.problems import Decision, Direction, Problem

# An experiment as the notebook reads it: a row of its table's columns, by name.
ExperimentRow = Row[Any]

NOT_SAID = "_not yet said_"
UNKNOWN_EFFECT = "not known (it needs a proportion, a baseline and the evaluation set's size)"


def problems(session: Session, *, team_id: str, number: int | None = None) -> Iterator[Problem]:
    """The workspace's problems (only P-`number` when given), by number; deleted ones left out."""
    query = select(Problem).where(Problem.team_id == team_id, Problem.deleted_at.is_(None))
    if number is not None:
        query = query.where(Problem.number == number)
    yield from session.scalars(query.order_by(Problem.number).execution_options(yield_per=BATCH))


def names(session: Session, *, team_id: str) -> dict[str, str]:
    """The workspace's people by Slack user id, as the notebook names them."""
    rows = session.execute(select(Person.user_id, Person.name).where(Person.team_id == team_id))
    return {user_id: name for user_id, name in rows}


def notebook(session: Session, problem: Problem, *, people: Mapping[str, str]) -> Iterator[str]:
    """P-n's notebook, a chunk of Markdown at a time."""
    yield from _framing(problem, people)
    yield from _metric(problem)
    yield "\n## Experiments\n"
    seen = False
    metric = Metric.of(problem)
    # Rows, not ORM objects: read once, phrased, and dropped (a third of the time went
    # to building objects nothing changes).
    query = (
        select(*Experiment.__table__.columns)
        .where(
            Experiment.team_id == problem.team_id,
            Experiment.problem_id == problem.id,
            Experiment.deleted_at.is_(None),
        )
        .order_by(Experiment.number)
        .execution_options(yield_per=BATCH)
    )
    for batch in session.execute(query).partitions():
        analyses = _analyses_of(session, team_id=problem.team_id, batch=batch)
        for experiment in batch:
            seen = True
            yield _experiment(experiment, problem, people)
            for analysis in analyses.get(experiment.id, ()):
                yield _analysis(analysis, experiment, metric.on(experiment.eval_size), people)
    if not seen:
        yield "\nNo experiments yet.\n"
    yield from _decisions(session, problem, people)
    yield from watch_log(session, problem, people=people)


def _analyses_of(
    session: Session, *, team_id: str, batch: Sequence[ExperimentRow]
) -> dict[int, list[ErrorAnalysis]]:
    found: dict[int, list[ErrorAnalysis]] = defaultdict(list)
    query = (
        select(ErrorAnalysis)
        .where(
            ErrorAnalysis.team_id == team_id,
            ErrorAnalysis.experiment_id.in_([e.id for e in batch]),
            ErrorAnalysis.deleted_at.is_(None),
        )
        .options(
            selectinload(ErrorAnalysis.categories.and_(ErrorCategory.team_id == team_id)),
            selectinload(ErrorAnalysis.follow_ups.and_(FollowUp.team_id == team_id)),
        )
        .order_by(ErrorAnalysis.number)
    )
    for analysis in session.scalars(query):
        found[analysis.experiment_id].append(analysis)
    return found


def _field(label: str, text: str | None) -> str:
    return f"\n**{label}** {text.strip() if text and text.strip() else NOT_SAID}\n"


def _framing(problem: Problem, people: Mapping[str, str]) -> Iterator[str]:
    yield f"# {problem.ref} · {one_line(problem.title)}\n\n"
    yield (
        f"Status: {problem.status.value.replace('_', ' ')} · track: {problem.track.value} · "
        f"owner: {named(problem.owner_id, people)} · opened {on_day(problem.created_at)} · "
        f"review on: {on_day(problem.review_on)}\n"
    )
    yield "\n## Framing\n"
    yield _field("The problem:", problem.statement)
    yield _field("Will users find value in it?", problem.user_value)
    yield _field("Is it possible to build?", problem.feasibility)
    for label, text in (
        ("Data sources:", problem.data_sources),
        ("Prior work:", problem.prior_work),
        ("Guardrail metrics:", problem.guardrails),
        ("Kill criteria:", problem.kill_criteria),
    ):
        if text and text.strip():
            yield _field(label, text)


def _metric(problem: Problem) -> Iterator[str]:
    metric = Metric.of(problem)
    yield "\n## Metric\n\n"
    name = one_line(problem.metric_name) or "No metric named yet"
    kind = problem.metric_kind.value if problem.metric_kind else "kind not said"
    yield f"**{name}**: {problem.direction.value} is better ({kind}).\n"
    if problem.metric_definition:
        yield f"\n{problem.metric_definition.strip()}\n"
    size = f"{problem.eval_size:,} examples" if problem.eval_size else "size not said"
    yield (
        f"\nEvaluation set: {size} · baseline: {_value(problem.baseline)} · "
        f"target: {_value(problem.target)}\n"
    )
    noise = detectable_note(metric, problem.baseline)
    yield f"\nMinimum detectable effect: {noise or UNKNOWN_EFFECT}.\n"
    warning = target_warning(metric, problem.baseline, problem.target)
    if warning:
        yield f"\n{warning}\n"


def _value(value: float | None) -> str:
    return "not set" if value is None else figure(value)


def _experiment(e: ExperimentRow, problem: Problem, people: Mapping[str, str]) -> str:
    verdict = OUTCOME_LABEL[e.outcome].split(" ", 1)[1]
    lines = [f"\n### E-{e.number} · {one_line(e.approach) or 'approach not said'}: {verdict}\n"]
    if e.hypothesis:
        lines.append(f"- Hypothesis: {one_line(e.hypothesis)}")
    if e.dataset:
        lines.append(f"- Dataset: {one_line(e.dataset)}")
    lines.append(f"- Result: {_result(e, problem)}")
    if e.metrics:
        shown = ", ".join(f"{one_line(str(k))} {v}" for k, v in e.metrics.items())
        lines.append(f"- Other metrics: {shown}")
    lines.append(f"- Run: {e.run_url.strip() if e.run_url else 'no link'}")
    if e.notes:
        lines.append(f"- Notes: {one_line(e.notes)}")
    lines.append(f"- Logged by {named(e.author_id, people)}, {on_day(e.created_at)}")
    return "\n".join(lines) + "\n"


def _result(e: ExperimentRow, problem: Problem) -> str:
    if e.value is None:
        return "nothing measured"
    text = figure(e.value)
    if len(e.values) > 1:
        text += f" (mean of {len(e.values)} seeds: {', '.join(figure(v) for v in e.values)})"
    if e.eval_size:
        text += f" on {e.eval_size:,} examples"
    for name, reference in (("baseline", problem.baseline), ("target", problem.target)):
        if reference is not None:
            delta = Delta.between(e.value, reference)
            relative = f", {delta.relative:+.1%}" if delta.relative is not None else ""
            text += f"; {figure(delta.absolute, sign=True)}{relative} vs {name}"
    return text


def _analysis(a: ErrorAnalysis, e: ExperimentRow, metric: Metric, people: Mapping[str, str]) -> str:
    lines = [f"\n#### {a.ref} · error analysis of E-{e.number}\n"]
    sample = f"{a.sample_size:,} examined" if a.sample_size else "size not said"
    lines.append(f"- Sample: {sample}, {one_line(a.sample_method) or 'chosen how not said'}")
    for label, text in (
        ("Slices", a.slices),
        ("Root causes", a.root_causes),
        ("What to try next", a.next_steps),
        ("Lessons", a.lessons),
    ):
        if text:
            lines.append(f"- {label}: {one_line(text)}")
    lines.append(f"- Written by {named(a.author_id, people)}, {on_day(a.created_at)}")
    if a.categories:
        found = of_analysis(
            value=e.value,
            metric=metric,
            categories=[(c.name, c.count) for c in a.categories],
            sample_size=a.sample_size,
        )
        reach = {c.category: c for c in found.ceilings} if found else {}
        bound = "at most" if metric.direction == Direction.HIGHER else "at least"
        lines += ["", "| Error category | Count | Share | Ceiling |", "|---|---|---|---|"]
        for category in a.categories:
            ceiling = reach.get(category.name)
            share = f"{ceiling.share:.0%}" if ceiling else "–"
            most = f"{metric.label} {bound} {figure(ceiling.reach)}" if ceiling else "–"
            lines.append(f"| {one_line(category.name)} | {category.count} | {share} | {most} |")
        if found and found.warning:
            lines += ["", found.warning]
    if a.follow_ups:
        lines.append("\nFollow-ups:")
        for f in a.follow_ups:
            owner = f" ({named(f.owner_id, people)})" if f.owner_id else ""
            lines.append(f"- [{'x' if f.done else ' '}] {one_line(f.text)}{owner}")
    return "\n".join(lines) + "\n"


def _decisions(session: Session, problem: Problem, people: Mapping[str, str]) -> Iterator[str]:
    yield "\n## Decisions\n\n"
    query = (
        select(Decision)
        .where(Decision.team_id == problem.team_id, Decision.problem_id == problem.id)
        .order_by(Decision.decided_at, Decision.id)
    )
    seen = False
    for d in session.scalars(query.execution_options(yield_per=BATCH)):
        seen = True
        who = named(d.decided_by, people)
        yield f"- {on_day(d.decided_at)} · **{d.kind.value}** by {who}: {one_line(d.rationale)}\n"
    if not seen:
        yield "No decisions yet.\n"
