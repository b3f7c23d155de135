"""The team's searchable memory: past problems, experiments, error analyses and decisions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from storage import search as index
from storage.analyses import ErrorAnalysis, ErrorCategory
from storage.experiments import Experiment, Outcome
from storage.problems import Decision, Problem
from storage.search import Hit
from storage.search_index import Kind

RESULTS_LIMIT = 10
MAX_TERMS = 12
TERM_MAX = 40

# Words that match nearly everything (SQLite's tokenizer keeps them; PostgreSQL drops
# them), so both engines search the same meaningful words.
STOPWORDS = frozenset(
    """a about after again all also am an and any are as at be been before being both but by
    can could did do does doing done for from had has have having he her here him his how i
    if in into is it its itself just me more most my no nor not of off on once only or other
    our out over own same she should so some such than that the their them then there these
    they this those through to too under until up very was we were what when where which
    while who whom why will with would you your""".split()  # noqa: SIM905 (a list of 100 quoted words reads worse)
)
WORD = re.compile(r"\w+")

OUTCOME_LABEL = {
    Outcome.MET_TARGET: "met target",
    Outcome.IMPROVED: "improved",
    Outcome.BEAT_BASELINE: "better than baseline",
    Outcome.INCONCLUSIVE: "inconclusive",
    Outcome.NO_GAIN: "no gain",
    Outcome.WORSE: "worse",
    Outcome.BROKEN: "broken",
    Outcome.UNJUDGED: "unjudged",
}


def terms(text: str) -> list[str]:
    """The words worth searching for in `text`: lower-cased, no stopwords, no punctuation.

    Only letters and digits survive, so quotes, `*`, `-`, `;--` and the like can never
    reach the query language; each word is quoted again when the query is built.
    """
    seen: dict[str, None] = {}
    for word in WORD.findall(text.lower()):
        word = word.strip("_")[:TERM_MAX]
        if word and word not in STOPWORDS:
            seen.setdefault(word)
    return list(seen)[:MAX_TERMS]


@dataclass(frozen=True, kw_only=True)
class Found:
    """One record that matched, as plain values, with where its Slack message lives."""

    kind: Kind
    ref: str
    headline: str
    detail: str | None
    problem_ref: str
    problem_title: str
    channel: str | None
    ts: str | None
    thread_ts: str | None = None
    # Why it was suggested as tried before: the words it shares (its own, lower-cased), and
    # its text around those it holds beyond its headline, each marked
    # (storage.search_matches START … STOP).
    shared: frozenset[str] = frozenset()
    snippet: str | None = None


@dataclass(frozen=True, kw_only=True)
class Results:
    words: tuple[str, ...]
    found: tuple[Found, ...]


def search(session: Session, *, team_id: str, text: str, limit: int = RESULTS_LIMIT) -> Results:
    """Records matching every word first, then those matching some, best first."""
    words = terms(text)
    ranked = index.hits(session, team_id=team_id, terms=words, every=True, limit=limit)
    if len(ranked) < limit and len(words) > 1:
        seen = {(h.kind, h.id) for h in ranked}
        some = index.hits(session, team_id=team_id, terms=words, every=False, limit=limit * 2)
        ranked += [h for h in some if (h.kind, h.id) not in seen][: limit - len(ranked)]
    return Results(words=tuple(words), found=load(session, team_id=team_id, hits=ranked))


def _ids(hits: Iterable[Hit], kind: Kind) -> list[int]:
    return [h.id for h in hits if h.kind == kind]


def _rows(
    session: Session, model: Any, ids: list[int], *, team_id: str, options: Sequence[Any] = ()
) -> Sequence[Any]:
    """The workspace's rows of `model` with these ids; no query at all for no ids."""
    if not ids:
        return []
    statement = select(model).where(model.team_id == team_id, model.id.in_(ids))
    return session.scalars(statement.options(*options)).unique().all()


def load(session: Session, *, team_id: str, hits: list[Hit]) -> tuple[Found, ...]:
    """The hits' records, in the hits' order; every read is scoped to the workspace."""
    found = load_each(session, team_id=team_id, hits=hits)
    return tuple(found[h.kind, h.id] for h in hits if (h.kind, h.id) in found)


def load_each(session: Session, *, team_id: str, hits: list[Hit]) -> dict[tuple[Kind, int], Found]:
    """Each hit's record that is still there, by kind and id; scoped to the workspace."""
    scope = {"team_id": team_id}
    experiments = _rows(
        session,
        Experiment,
        _ids(hits, Kind.EXPERIMENT),
        options=(joinedload(Experiment.problem),),
        **scope,
    )
    causes = _top_category(session, team_id=team_id, experiment_ids=[e.id for e in experiments])
    found: dict[tuple[Kind, int], Found] = {}
    for p in _rows(session, Problem, _ids(hits, Kind.PROBLEM), **scope):
        found[Kind.PROBLEM, p.id] = _problem(p)
    for e in experiments:
        found[Kind.EXPERIMENT, e.id] = _experiment(e, cause=causes.get(e.id))
    analyses = _rows(
        session,
        ErrorAnalysis,
        _ids(hits, Kind.ANALYSIS),
        options=(
            joinedload(ErrorAnalysis.experiment).joinedload(Experiment.problem),
            selectinload(ErrorAnalysis.categories),
        ),
        **scope,
    )
    for a in analyses:
        found[Kind.ANALYSIS, a.id] = _analysis(a)
    decisions = _rows(
        session,
        Decision,
        _ids(hits, Kind.DECISION),
        options=(joinedload(Decision.problem),),
        **scope,
    )
    for d in decisions:
        found[Kind.DECISION, d.id] = _decision(d)
    return found


def _top_category(session: Session, *, team_id: str, experiment_ids: list[int]) -> dict[int, str]:
    """Per experiment, the largest error category of its latest live analysis."""
    if not experiment_ids:
        return {}
    rows = session.execute(
        select(ErrorAnalysis.experiment_id, ErrorCategory.name)
        .join(ErrorCategory, ErrorCategory.analysis_id == ErrorAnalysis.id)
        .where(
            ErrorAnalysis.team_id == team_id,
            ErrorAnalysis.experiment_id.in_(experiment_ids),
            ErrorAnalysis.deleted_at.is_(None),
        )
        .order_by(ErrorAnalysis.number, ErrorCategory.count)
    )
    # Later rows win: the latest analysis, and within it the largest category.
    return {experiment_id: name for experiment_id, name in rows}


def _problem(p: Problem) -> Found:
    return Found(
        kind=Kind.PROBLEM,
        ref=p.ref,
        headline=p.title,
        detail=p.status.value.replace("_", " "),
        problem_ref=p.ref,
        problem_title=p.title,
        channel=p.card_channel,
        ts=p.card_ts,
    )


def _experiment(e: Experiment, *, cause: str | None) -> Found:
    detail = ", ".join(x for x in (OUTCOME_LABEL[e.outcome], cause) if x)
    return Found(
        kind=Kind.EXPERIMENT,
        ref=e.ref,
        headline=e.approach or e.hypothesis or "(no approach recorded)",
        detail=detail,
        problem_ref=e.problem.ref,
        problem_title=e.problem.title,
        channel=e.message_channel,
        ts=e.message_ts,
    )


def _analysis(a: ErrorAnalysis) -> Found:
    categories = sorted(a.categories, key=lambda c: -c.count)[:3]
    experiment = a.experiment
    return Found(
        kind=Kind.ANALYSIS,
        ref=a.ref,
        headline=a.lessons or a.root_causes or "(no lessons recorded)",
        detail=", ".join([f"of {experiment.ref}", *(c.name for c in categories)]),
        problem_ref=experiment.problem.ref,
        problem_title=experiment.problem.title,
        # Analyses are posted in their experiment's thread.
        channel=experiment.message_channel if a.message_ts else None,
        ts=a.message_ts,
        thread_ts=experiment.message_ts,
    )


def _decision(d: Decision) -> Found:
    return Found(
        kind=Kind.DECISION,
        ref=f"decision on {d.problem.ref}",
        headline=d.rationale,
        detail=d.kind.value,
        problem_ref=d.problem.ref,
        problem_title=d.problem.title,
        channel=d.problem.card_channel,
        ts=d.problem.card_ts,
    )
