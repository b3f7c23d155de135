"""Who may change a record, or decide on a problem: its author, its problem's owner, or a
workspace admin."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import Forbidden


@dataclass(frozen=True)
class Actor:
    """The person asking, with what Slack says of them (admins and owners of the workspace)."""

    user_id: str
    is_admin: bool = False


def may_change(actor: Actor, *, author_id: str, owner_id: str) -> bool:
    return actor.is_admin or actor.user_id in (author_id, owner_id)


def check(actor: Actor, *, ref: str, author_id: str, owner_id: str, verb: str) -> None:
    """Raise Forbidden, naming who may, unless the actor may `verb` the record."""
    if may_change(actor, author_id=author_id, owner_id=owner_id):
        return
    raise Forbidden(
        f"You can't {verb} {ref}: only its author, the owner of its problem or a workspace "
        "admin can. Ask one of them, or add what you know in its thread instead."
    )


def check_decider(actor: Actor, *, ref: str, author_id: str, owner_id: str) -> None:
    """Raise Forbidden, saying who may and what to do instead, unless the actor may decide on
    problem `ref`: cut and ship end the work, so the call is its author's, owner's or an admin's."""
    if may_change(actor, author_id=author_id, owner_id=owner_id):
        return
    raise Forbidden(
        f"You can't decide on {ref}: only its author, its owner or a workspace admin can. "
        f"Add your evidence in the thread under {ref}'s card, or ask its owner to decide "
        f"(`/problem show {ref}` names them)."
    )


def check_admin(actor: Actor, *, verb: str) -> None:
    """Raise Forbidden unless the actor administers the workspace: a tracker's connection
    is the whole workspace's, so only an admin may `verb` it."""
    if actor.is_admin:
        return
    raise Forbidden(
        f"You can't {verb}: the connection serves the whole workspace, so only a workspace "
        "admin can change it. Ask one of them; `/ritual connections` shows what is connected."
    )
