"""The experiments webhook: its token made, rotated and revoked from Slack, and the
workspace a bearer token belongs to. The token is shown once; only its hash is kept."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import user
from bot.errors import Forbidden, NotFound
from bot.permissions import Actor, may_change
from storage.hooks import Webhook
from storage.types import utcnow

# A prefix says what a leaked string is (secret scanners look for such prefixes).
TOKEN_PREFIX = "rbk_"
TOKEN_BYTES = 32


@dataclass(frozen=True, kw_only=True)
class Connected:
    """A webhook token, to be shown once to who asked for it."""

    token: str
    channel_id: str
    rotated: bool  # a token existed before, and no longer works


@dataclass(frozen=True, kw_only=True)
class Caller:
    """Who a valid token speaks for: its workspace, the person who connected it, and the
    channel experiments sent with it are posted in."""

    team_id: str
    user_id: str
    channel_id: str


def hashed(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _row(session: Session, *, team_id: str) -> Webhook | None:
    return session.scalar(select(Webhook).where(Webhook.team_id == team_id))


def _check(actor: Actor, row: Webhook, *, verb: str) -> None:
    if not may_change(actor, author_id=row.connected_by, owner_id=row.connected_by):
        why = "connected it and their scripts use its token. Ask them or a workspace admin."
        raise Forbidden(
            f"You can't {verb} the webhook: the person who {why}",
            shown=f"You can't {verb} the webhook: {user(row.connected_by)} {why}",
        )


def connect(session: Session, *, team_id: str, actor: Actor, channel_id: str) -> Connected:
    """A new token for the workspace's webhook; one made before stops working at once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    row = _row(session, team_id=team_id)
    rotated = row is not None
    if row is None:
        row = Webhook(team_id=team_id)
        session.add(row)
    else:
        _check(actor, row, verb="rotate")
    row.token_hash = hashed(token)
    row.connected_by = actor.user_id
    row.channel_id = channel_id
    row.connected_at = utcnow()
    session.flush()
    return Connected(token=token, channel_id=channel_id, rotated=rotated)


def disconnect(session: Session, *, team_id: str, actor: Actor) -> None:
    """Revoke the workspace's webhook token."""
    row = _row(session, team_id=team_id)
    if row is None:
        raise NotFound(
            "No webhook is connected in this workspace. `/ritual connect webhook` makes one."
        )
    _check(actor, row, verb="disconnect")
    session.delete(row)
    session.flush()


def caller_of(session: Session, *, token: str) -> Caller | None:
    """Who the token speaks for, or None when it is not (or no longer) a webhook's."""
    row = session.scalar(select(Webhook).where(Webhook.token_hash == hashed(token)))
    if row is None:
        return None
    return Caller(team_id=row.team_id, user_id=row.connected_by, channel_id=row.channel_id)
