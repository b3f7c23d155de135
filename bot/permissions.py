"""Who may change a record: its author, its problem's owner, or a workspace admin."""

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
