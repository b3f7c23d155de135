"""What a problem's thread hears of its model in MLflow's registry, and the answers to
`/problem P-12 model …`. Pure builders."""

from __future__ import annotations

import json
from typing import Any

from bot.blocks import actions, button, context, section
from bot.ids import ActionId
from bot.registry.events import ModelEvent
from bot.text import escape

RUN_SHOWN = 8  # of a run id's 32 hex digits, as the MLflow UI shortens them


def _model(name: str) -> str:
    """A name in code style; a backtick in it would end the code span early."""
    plain = name.replace("`", "'")
    return f"`{escape(plain)}`"


def event_text(event: ModelEvent) -> str:
    """ "model `churn` v7 created from run ab12…", or "alias `champion` now v7"."""
    version = f"v{escape(event.version)}"
    if event.alias is not None:
        return f"{_model(event.model)}: alias {_model(event.alias)} now {version}"
    run = f" from run {escape(event.run_id[:RUN_SHOWN])}" if event.run_id else ""
    return f"model {_model(event.model)} {version} created{run}"


def event(event: ModelEvent, *, number: int) -> list[dict[str, Any]]:
    """The event, with a Ship button when a serving alias (`champion`, `production`) moved."""
    blocks = [section(event_text(event))]
    if event.offers_ship:
        value = {"problem": number, "model": event.model[:200], "version": event.version[:20]}
        blocks += [
            actions(button("Ship", action_id=ActionId.MODEL_SHIP, value=json.dumps(value))),
            context(f"Ship P-{number} with this version: the decision and its watch plan."),
        ]
    return blocks


def ship_rationale(value: dict[str, Any]) -> str:
    """The Ship form's prefilled rationale, from the button's value."""
    model, version = str(value.get("model") or "the model"), str(value.get("version") or "?")
    return f"Ship {model} v{version}, promoted in MLflow."


def linking(ref: str, model: str, server: str) -> str:
    return f"Linking {ref} to model {_model(model)} in MLflow at {escape(server)}…"


def linked(ref: str, model: str, *, replaced: bool) -> str:
    was = " (instead of the model it followed)" if replaced else ""
    return (
        f"{ref} now follows model {_model(model)}{was}: its new versions and aliases are "
        f"posted in {ref}'s thread, with a Ship button when `champion` or `production` moves. "
        f"`/problem {ref} model off` stops it."
    )


def unlinked(ref: str, model: str, *, left: str | None) -> str:
    said = f"{ref} no longer follows model {_model(model)}."
    if left is None:
        return said
    return f"{said} {escape(left)} Delete its webhook in MLflow by hand."
