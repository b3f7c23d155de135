"""A living page per problem: its lab notebook (bot.export.notebook) as a Slack canvas,
created through the outbox when the problem is captured (or, for a problem from before,
at its next change) and replaced whole whenever its records change.

One canvas message waits per problem at most: a change while the create or an edit still
waits is already covered by it (locked until the change commits, so the sender cannot
render it before the change shows), so a burst of changes makes one `canvases.edit`. The
notebook is rendered when the message is sent, not in the transaction of the change: a
problem with a thousand experiments costs its change nothing, and the canvas gets the
notebook as it is at that moment. Where
Slack will not make canvases (canvases off for the workspace, `canvases:write` not
granted), the refusal is kept on the problem, its card says so once, and nothing is queued
for that canvas again; `/ritual export` still gives the notebook.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.export.notebook import names, notebook
from bot.problems import service as problems
from storage import outbox, queries
from storage.db import Database
from storage.outbox import OutboxMessage, OutboxState, Outgoing, Relation
from storage.problems import Problem

SLOT = "problem_canvas"
# Slack takes a canvas title of this many characters.
TITLE_MAX = 200


def title(problem: Problem | problems.ProblemRecord) -> str:
    return f"P-{problem.number} · {problem.title}"[:TITLE_MAX]


def markdown(session: Session, problem: Problem) -> str:
    """The problem's notebook, the export's Markdown exactly."""
    people = names(session, team_id=problem.team_id)
    return "".join(notebook(session, problem, people=people))


def create(session: Session, problem: problems.ProblemRecord) -> int:
    """Queue a new problem's canvas, in the transaction that stores the problem: nothing
    can wait for it yet, so nothing is looked up (a capture's write stays short)."""
    return outbox.enqueue(session, _created(problem))


def _created(problem: Problem | problems.ProblemRecord) -> Outgoing:
    ref = f"P-{problem.number}"
    return Outgoing(
        team_id=problem.team_id,
        what=f"{ref}'s canvas",
        channel=problem.channel_id or problem.created_by,
        text="",  # rendered when sent (content)
        file_title=title(problem),
        slot=SLOT,
        record_number=problem.number,
        key=f"canvas:{ref}",
    )


def refresh(session: Session, *, team_id: str, number: int) -> int | None:
    """Queue P-`number`'s canvas brought up to date, in the caller's transaction: created
    if it has none, else one edit (none if one already waits). None when nothing is
    queued: no such problem, or Slack will not make it a canvas."""
    problem = queries.problem_by_number(session, team_id=team_id, number=number)
    if problem is None or problem.deleted_at is not None or problem.canvas_error:
        return None
    text = ""  # rendered when sent (content)
    waiting = outbox.waiting_of_record(session, team_id=team_id, slot=SLOT, record_number=number)
    if waiting is not None:
        return waiting.id
    made = outbox.of_record(session, team_id=team_id, slot=SLOT, record_number=number)
    if made is not None and made.state == OutboxState.FAILED:
        return None
    ref = f"P-{number}"
    where = problem.channel_id or problem.created_by
    if made is None and problem.canvas_id is None:
        return outbox.enqueue(session, _created(problem))
    # After the create (sent, or still on its way), or of the canvas Slack already has.
    target = {"after": made.id} if made is not None else {"target_ts": problem.canvas_id}
    edit = Outgoing(
        team_id=team_id,
        what=f"an update of {ref}'s canvas",
        channel=where,
        text=text,
        relation=Relation.EDIT,
        slot=SLOT,
        record_number=number,
        **target,  # type: ignore[arg-type]
    )
    return outbox.enqueue(session, edit)


def is_canvas(message: OutboxMessage) -> bool:
    return message.slot == SLOT


def content(db: Database, message: OutboxMessage) -> str:
    """The notebook of the problem a canvas message is for, as it is now."""
    with db.reading() as session:
        problem = queries.problem_by_number(
            session, team_id=message.team_id, number=message.record_number or 0
        )
        return "" if problem is None else markdown(session, problem)


def call_for(
    client: WebClient, message: OutboxMessage, *, ts: str | None, text: str
) -> tuple[str, Any, dict[str, Any]]:
    """canvases.create (standalone, not a channel tab: a channel holds many problems) or
    canvases.edit replacing the whole document with `text`; `ts` is the canvas id for an
    edit."""
    content = {"type": "markdown", "markdown": text}
    if message.relation == Relation.EDIT:

        def edit(**args: Any) -> dict[str, Any]:
            client.canvases_edit(**args)
            return {"ts": ts}  # an edit answers no id: the canvas's own stands for it

        change = {"operation": "replace", "document_content": content}
        return "canvases.edit", edit, {"canvas_id": ts, "changes": [change]}
    args = {"title": message.file_title, "document_content": content}
    return "canvases.create", client.canvases_create, args


def settled(
    session: Session, message: OutboxMessage, *, error: str | None
) -> problems.ProblemRecord | None:
    """What a canvas's create or edit came to, in the sender's transaction: the problem,
    when its card is to be drawn again (to link the new canvas, or to say once why there
    is none)."""
    problem = queries.problem_by_number(
        session, team_id=message.team_id, number=message.record_number or 0
    )
    if problem is None:
        return None
    if error is not None:
        if problem.canvas_error is not None:
            return None
        # An edit refused for good (the canvas deleted in Slack): the card stops linking it.
        problem.canvas_error, problem.canvas_id = error, None
        session.flush()
    elif message.relation == Relation.EDIT:
        return None  # the card links the canvas already
    return problems.ProblemRecord.of(problem)
