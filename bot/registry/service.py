"""A problem linked to a model in the team's MLflow registry: what linking needs, the link
kept or removed, and the webhook a delivery names. MLflow itself is called by the handler,
between these steps, outside any transaction."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import NotFound, RitualbotError
from bot.permissions import Actor
from bot.problems import service as problems
from bot.trackers import service as trackers
from storage import queries
from storage.problems import Problem
from storage.registry import ModelLink
from storage.secrets import KEY_VARIABLE, SecretBox
from storage.trackers import TrackerKind

HOOK_PATH = "/hooks/mlflow/"
PUBLIC_URL_VARIABLE = "RITUALBOT_PUBLIC_URL"


class CannotLink(RitualbotError):
    """Something ritualbot's operator or an admin must set up before a model can be linked."""


@dataclass(frozen=True, kw_only=True)
class Linking:
    """What linking needs, read before MLflow is called."""

    team_id: str
    number: int
    server: str
    token: str | None
    hook_key: str
    hook_url: str
    secret: str

    @property
    def webhook_name(self) -> str:
        return f"ritualbot-{self.hook_key}"


@dataclass(frozen=True, kw_only=True)
class Hook:
    """The problem a webhook delivery is for, its model, and the secret it is signed with."""

    team_id: str
    number: int
    model: str
    secret: str


@dataclass(frozen=True, kw_only=True)
class Unlinked:
    model: str
    webhook_id: str
    server: str | None  # None: MLflow was disconnected since, so its webhook stays there
    token: str | None


def prepare(
    session: Session,
    *,
    team_id: str,
    number: int,
    actor: Actor,
    box: SecretBox | None,
    public_url: str | None,
) -> Linking:
    """What linking P-`number` needs; an error saying what is missing, checked in the
    order someone would fix it."""
    problem = problems.may_change(session, team_id=team_id, number=number, actor=actor)
    if public_url is None:
        raise CannotLink(
            f"MLflow can't reach ritualbot yet: its operator has not set {PUBLIC_URL_VARIABLE} "
            "(the https address Slack reaches it at, e.g. https://ritualbot.example.com). "
            "Ask them to set it, then link the model again."
        )
    credentials = trackers.credentials(session, team_id=team_id, kind=TrackerKind.MLFLOW, box=box)
    if credentials is None:
        raise CannotLink(
            "MLflow is not connected in this workspace. A workspace admin connects it with "
            f"`/ritual connect mlflow <url> [token]`, then `/problem {problem.ref} model <name>` "
            "links the model."
        )
    if box is None:
        raise CannotLink(
            f"ritualbot can't keep the webhook's signing secret: secrets are stored encrypted, "
            f"and its operator has not set {KEY_VARIABLE} (`ritualbot secret-key` prints one)."
        )
    hook_key = secrets.token_hex(16)
    return Linking(
        team_id=team_id,
        number=number,
        server=credentials.url,
        token=credentials.token,
        hook_key=hook_key,
        hook_url=f"{public_url}{HOOK_PATH}{hook_key}",
        secret=secrets.token_urlsafe(32),
    )


def save(
    session: Session, *, linking: Linking, model: str, webhook_id: str, user_id: str, box: SecretBox
) -> str | None:
    """Keep the link, replacing the problem's previous one: that one's webhook id (to delete
    in MLflow), or None."""
    problem = queries.problem_by_number(session, team_id=linking.team_id, number=linking.number)
    if problem is None or problem.deleted_at is not None:
        raise NotFound(f"P-{linking.number} was deleted while its model was being linked.")
    row = _row(session, team_id=linking.team_id, problem_id=problem.id)
    replaced = row.webhook_id if row is not None else None
    if row is None:
        row = ModelLink(team_id=linking.team_id, problem_id=problem.id)
        session.add(row)
    row.model_name, row.hook_key, row.webhook_id = model, linking.hook_key, webhook_id
    row.secret, row.linked_by = box.seal(linking.secret), user_id
    session.flush()
    return replaced


def unlink(
    session: Session, *, team_id: str, number: int, actor: Actor, box: SecretBox | None
) -> Unlinked:
    """Remove P-`number`'s link; what MLflow's webhook for it was, to delete it there."""
    problem = problems.may_change(session, team_id=team_id, number=number, actor=actor)
    found = queries.problem_by_number(session, team_id=team_id, number=number)
    row = found and _row(session, team_id=team_id, problem_id=found.id)
    if row is None:
        raise NotFound(
            f"{problem.ref} follows no model. `/problem {problem.ref} model <name>` links one."
        )
    credentials = trackers.credentials(session, team_id=team_id, kind=TrackerKind.MLFLOW, box=box)
    session.delete(row)
    session.flush()
    return Unlinked(
        model=row.model_name,
        webhook_id=row.webhook_id,
        server=credentials.url if credentials else None,
        token=credentials.token if credentials else None,
    )


def hook(session: Session, *, hook_key: str, box: SecretBox | None) -> Hook | None:
    """The link a delivery to /hooks/mlflow/<hook_key> is for; None when there is none."""
    row = session.scalar(select(ModelLink).where(ModelLink.hook_key == hook_key))
    if row is None or box is None:
        return None
    problem = session.get(Problem, row.problem_id)
    assert problem is not None and problem.team_id == row.team_id
    return Hook(
        team_id=row.team_id,
        number=problem.number,
        model=row.model_name,
        secret=box.open(row.secret),
    )


def _row(session: Session, *, team_id: str, problem_id: int) -> ModelLink | None:
    return session.scalar(
        select(ModelLink).where(ModelLink.team_id == team_id, ModelLink.problem_id == problem_id)
    )
