"""What the bot posts about records, rendered and put in the outbox in the caller's
transaction: a problem's card and its updates, decisions, analyses. Each returns the ids of
what it queued, for the web process to send at once. They carry no dedupe key: each is
queued only with a record just created, whose creation is itself deduplicated."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from bot.analyses import follow_ups
from bot.analyses import render as render_analyses
from bot.analyses import service as analyses
from bot.analyses.service import AnalysisRecord
from bot.blocks import context
from bot.decisions import render as render_decisions
from bot.decisions.service import Decided
from bot.experiments import render as render_experiments
from bot.experiments import service as experiments
from bot.experiments.changes import Changed
from bot.problems import render as render_problems
from bot.problems.service import ProblemRecord
from bot.search import render as render_search
from bot.search.service import Found
from jobs import canvas
from storage import outbox
from storage.outbox import Outgoing, Relation

CARD, CONFIRMATION, ANALYSIS = "problem_card", "experiment_message", "analysis_message"


def card(session: Session, problem: ProblemRecord, *, channel: str) -> int:
    """A new problem's card, in the channel it was captured in (or its author's DM)."""
    posted = Outgoing(
        team_id=problem.team_id,
        what=f"{problem.ref}'s card",
        channel=channel,
        text=render_problems.card_text(problem),
        blocks=render_problems.card(problem),
        slot=CARD,
        record_number=problem.number,
        owner=problem.created_by,
    )
    queued = outbox.enqueue(session, posted)
    canvas.create(session, problem)
    return queued


def tried_before(
    session: Session,
    problem: ProblemRecord,
    alike: tuple[Found, ...],
    *,
    card: int,
    domain: str | None,
) -> int:
    """What the team tried that is like a new problem, in its card's thread: it waits for
    the card, so it comes after it however late the card goes out. Keyed, so a capture's
    follow-up run twice queues it once."""
    note = Outgoing(
        team_id=problem.team_id,
        what=f"what was tried before like {problem.ref}",
        channel=problem.channel_id or problem.created_by,
        text=render_search.tried_before_text(problem.ref),
        blocks=render_search.tried_before_note(problem.ref, alike, domain=domain),
        after=card,
        relation=Relation.REPLY,
        owner=problem.created_by,
        key=f"tried-before:{problem.ref}",
    )
    return outbox.enqueue(session, note)


def confirmation(session: Session, logged: experiments.Logged, *, channel: str) -> int:
    """A new experiment's confirmation: its outcome, and where its analyses will go."""
    e = logged.experiment
    posted = Outgoing(
        team_id=e.team_id,
        what=e.ref,
        channel=channel,
        text=render_experiments.confirmation_text(logged),
        blocks=render_experiments.confirmation(logged),
        slot=CONFIRMATION,
        record_number=e.number,
        owner=e.author_id,
    )
    queued = outbox.enqueue(session, posted)
    canvas.refresh(session, team_id=e.team_id, number=e.problem_number)
    return queued


def card_update(session: Session, problem: ProblemRecord) -> int | None:
    """The problem's channel card, drawn again from the record as it is now."""
    return _update(
        session,
        team_id=problem.team_id,
        slot=CARD,
        number=problem.number,
        where=(problem.card_channel, problem.card_ts),
        text=render_problems.card_text(problem),
        blocks=render_problems.card(problem),
    )


def problem_changed(session: Session, problem: ProblemRecord) -> int | None:
    """A problem's details changed: its card drawn again, and its canvas (sent later, by
    the sweep: nobody waits on it)."""
    canvas.refresh(session, team_id=problem.team_id, number=problem.number)
    return card_update(session, problem)


def confirmation_update(session: Session, logged: experiments.Logged) -> int | None:
    """The experiment's confirmation, drawn again (or marked deleted) from the record."""
    e = logged.experiment
    if e.deleted_at is not None:
        text = f"{e.ref} was deleted. `/experiment restore {e.ref}` brings it back."
        blocks = [context(text)]
    else:
        text = render_experiments.confirmation_text(logged)
        blocks = render_experiments.confirmation(logged)
    return _update(
        session,
        team_id=e.team_id,
        slot=CONFIRMATION,
        number=e.number,
        where=(e.message_channel, e.message_ts),
        text=text,
        blocks=blocks,
    )


def corrections(session: Session, changed: Changed) -> list[int]:
    """The changed experiment's confirmation drawn again, and those of its problem's other
    experiments whose verdict or best so far changed with it."""
    e = changed.logged.experiment
    queued = confirmation_update(session, changed.logged)
    canvas.refresh(session, team_id=e.team_id, number=e.problem_number)
    return [
        *([queued] if queued else []),
        *confirmations_update(session, team_id=e.team_id, numbers=changed.others),
        *_analyses_redrawn(session, e),
    ]


def _analyses_redrawn(session: Session, e: experiments.ExperimentRecord) -> list[int]:
    """The posts of the experiment's analyses whose ceilings its change moved ("from 0.55
    to at most 0.89" quotes its result), drawn again; the others are left as they are."""
    if e.deleted_at is not None:
        return []  # its analyses went with it
    queued = []
    for number in e.analyses:
        a = analyses.get(session, team_id=e.team_id, number=number)
        text, blocks = render_analyses.post_text(a), render_analyses.post(a)
        posted = outbox.of_record(session, team_id=e.team_id, slot=ANALYSIS, record_number=number)
        if posted is not None and (posted.text, posted.blocks) == (text, blocks):
            continue
        queued.append(_analysis_post(session, a, text=text, blocks=blocks))
    return [q for q in queued if q is not None]


def confirmations_update(session: Session, *, team_id: str, numbers: Iterable[int]) -> list[int]:
    """The confirmations of these experiments drawn again (their verdicts were judged anew)."""
    queued = (
        confirmation_update(session, experiments.get(session, team_id=team_id, number=number))
        for number in numbers
    )
    return [q for q in queued if q is not None]


def analysis_update(session: Session, a: AnalysisRecord) -> list[int]:
    """The analysis in its thread, drawn again (or marked deleted) from the record, and its
    experiment's confirmation: the "Start error analysis" button comes and goes with it."""
    logged = experiments.get(session, team_id=a.team_id, number=a.experiment_number)
    if a.deleted_at is not None:
        text = f"{a.ref} was deleted. `/analysis restore {a.ref}` brings it back."
        blocks = [context(text)]
    else:
        text, blocks = render_analyses.post_text(a), render_analyses.post(a)
    canvas.refresh(session, team_id=a.team_id, number=a.problem_number)
    queued = [
        _analysis_post(session, a, text=text, blocks=blocks),
        confirmation_update(session, logged),
    ]
    told = follow_up_notices(session, a) if a.deleted_at is None else []
    return [q for q in queued if q is not None] + told


def _analysis_post(
    session: Session, a: AnalysisRecord, *, text: str, blocks: list[dict[str, Any]]
) -> int | None:
    return _update(
        session,
        team_id=a.team_id,
        slot=ANALYSIS,
        number=a.number,
        where=(a.channel, a.message_ts),
        text=text,
        blocks=blocks,
    )


def _update(
    session: Session,
    *,
    team_id: str,
    slot: str,
    number: int,
    where: tuple[str | None, str | None],
    text: str,
    blocks: list[dict[str, Any]],
) -> int | None:
    """An edit of a record's message: of its outbox message, or of the one Slack has from
    before the outbox; None when the record has no message."""
    message = outbox.of_record(session, team_id=team_id, slot=slot, record_number=number)
    if message is not None:
        return outbox.edit(session, team_id=team_id, of=message.id, text=text, blocks=blocks)
    channel, ts = where
    if channel is None or ts is None:
        return None
    edit = Outgoing(
        team_id=team_id,
        what=f"an update of {slot.replace('_', ' ')} {number}",
        channel=channel,
        text=text,
        blocks=blocks,
        relation=Relation.EDIT,
        target_ts=ts,
    )
    return outbox.enqueue(session, edit)


def decision(session: Session, result: Decided, *, channel: str) -> list[int]:
    """The decision, on the record in the channel, then the problem's card brought up to date."""
    posted = Outgoing(
        team_id=result.problem.team_id,
        what=f"the decision on {result.problem.ref}",
        channel=channel,
        text=render_decisions.posted_text(result),
        blocks=render_decisions.posted(result),
        owner=result.decision.decided_by,
    )
    queued = [outbox.enqueue(session, posted)]
    card = problem_changed(session, result.problem)
    return queued + ([card] if card else [])


def analysis(session: Session, a: AnalysisRecord, logged: experiments.Logged) -> list[int]:
    """The analysis in its experiment's thread (to its author, for an experiment never
    posted in a channel), then the experiment's confirmation updated: it shows that the
    analysis it owed is done."""
    thread = outbox.of_record(
        session, team_id=a.team_id, slot=CONFIRMATION, record_number=a.experiment_number
    )
    if a.channel is None:
        in_thread: dict[str, Any] = {}
    elif thread is not None and thread.ts is None:
        in_thread = {"after": thread.id, "relation": Relation.REPLY}
    else:
        in_thread = {"target_ts": a.thread_ts}
    posted = Outgoing(
        team_id=a.team_id,
        what=f"{a.ref} in its experiment's thread",
        channel=a.channel or a.author_id,
        text=render_analyses.post_text(a),
        blocks=render_analyses.post(a),
        owner=a.author_id,
        slot=ANALYSIS,
        record_number=a.number,
        **in_thread,
    )
    queued = [outbox.enqueue(session, posted)]
    canvas.refresh(session, team_id=a.team_id, number=a.problem_number)
    confirmation = confirmation_update(session, logged)
    return queued + ([confirmation] if confirmation else []) + follow_up_notices(session, a)


def follow_up_notices(session: Session, a: AnalysisRecord) -> list[int]:
    """A DM to the owner of each of the analysis's open follow-ups (its author wrote them, and
    is not told), once per follow-up however often the analysis is edited or restored."""
    notices = [
        Outgoing(
            team_id=a.team_id,
            what=f"a follow-up of {a.ref} to its owner",
            channel=f.owner_id,
            text=f"A follow-up for you in {f.where}: {f.text}",
            blocks=render_analyses.follow_up_notice(f),
            owner=a.author_id,  # told if Slack will not take it
            key=f"follow-up:{f.id}",
        )
        for f in follow_ups.of_analysis(session, team_id=a.team_id, number=a.number)
        if f.owner_id and f.owner_id != a.author_id and not f.done
    ]
    return list(outbox.enqueue_all(session, notices).values())
