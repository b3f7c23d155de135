"""`/problem P-12 model <name>` and `model off`: a problem follows its model in the team's
MLflow registry through a webhook registered there. MLflow is called between two short
transactions, never inside one."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.registry import render
from bot.registry import service as registry
from bot.trackers import registry as mlflow_registry
from bot.trackers.mlflow import TrackerError
from handlers.people import People
from storage.db import Database
from storage.secrets import SecretBox


def link_model(
    *,
    ack: Ack,
    respond: Respond,
    command: dict[str, Any],
    client: WebClient,
    db: Database,
    people: People,
    secrets: SecretBox | None,
    public_url: str | None,
    number: int,
    model: str | None,
) -> None:
    team_id, user_id = command["team_id"], command["user_id"]
    actor = people.actor(client, team_id=team_id, user_id=user_id)
    if model is None:
        with db.transaction() as session:
            gone = registry.unlink(
                session, team_id=team_id, number=number, actor=actor, box=secrets
            )
        ack(text=f"Unlinking P-{number}…", response_type="ephemeral")
        left = _delete_webhook(gone.server, gone.token, gone.webhook_id)
        respond(text=render.unlinked(f"P-{number}", gone.model, left=left), replace_original=False)
        return
    with db.reading() as session:
        linking = registry.prepare(
            session,
            team_id=team_id,
            number=number,
            actor=actor,
            box=secrets,
            public_url=public_url,
        )
    ack(text=render.linking(f"P-{number}", model, linking.server), response_type="ephemeral")
    mlflow_registry.find_model(linking.server, linking.token, model)
    webhook_id = mlflow_registry.create_webhook(
        linking.server,
        linking.token,
        name=linking.webhook_name,
        hook_url=linking.hook_url,
        secret=linking.secret,
    )
    assert secrets is not None  # prepare() refuses to link without a box
    try:
        with db.transaction() as session:
            replaced = registry.save(
                session,
                linking=linking,
                model=model,
                webhook_id=webhook_id,
                user_id=user_id,
                box=secrets,
            )
    except Exception:
        _delete_webhook(linking.server, linking.token, webhook_id)  # none left unowned
        raise
    if replaced is not None:
        _delete_webhook(linking.server, linking.token, replaced)
    respond(
        text=render.linked(f"P-{number}", model, replaced=replaced is not None),
        replace_original=False,
    )


def _delete_webhook(server: str | None, token: str | None, webhook_id: str) -> str | None:
    """Delete the webhook in MLflow; what went wrong, when it could not be."""
    if server is None:
        return f"MLflow is no longer connected, so its webhook {webhook_id} is left there."
    try:
        mlflow_registry.delete_webhook(server, token, webhook_id)
    except TrackerError as error:
        return f"{error.message} Its webhook {webhook_id} is left there."
    return None
