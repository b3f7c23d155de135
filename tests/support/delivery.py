"""Driving the delivery track through signed requests: framing problems, logging, analysing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.ids import ActionId, ExperimentField
from storage.analyses import ErrorAnalysis
from storage.experiments import Experiment
from storage.models import RecordVersion
from storage.problems import Decision, Problem
from tests.conftest import ALICE, CHANNEL, TEAM


def text(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def choice(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


def picked(option: dict[str, Any] | str) -> dict[str, Any]:
    """A pick in a type-ahead menu: the option the app listed, or just its value."""
    if isinstance(option, str):
        option = {"text": {"type": "plain_text", "text": option}, "value": option}
    return {"type": "external_select", "selected_option": option}


def person(user_id: str | None) -> dict[str, Any]:
    return {"type": "users_select", "selected_user": user_id}


# Blocks whose element has its own action id: Slack asks for a type-ahead's options by it.
ACTION_OF = {ExperimentField.PROBLEM: ActionId.PROBLEM_CHOICE}


def form(**fields: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """View state values: one input per block, under its element's action id."""
    return {
        block: {ACTION_OF.get(block, ActionId.FIELD): element} for block, element in fields.items()
    }


def command(
    bot, name: str, text_: str = "", *, user: str = ALICE, team: str = TEAM, channel: str = CHANNEL
):
    answer = bot.slack.slash_command(
        team_id=team, user_id=user, channel_id=channel, command=name, text=text_
    )
    bot.settle()
    return answer


def frame(
    bot,
    title: str = "Recall on rare classes",
    *,
    baseline: str = "0.70",
    target: str = "0.80",
    direction: str = "higher",
    user: str = ALICE,
    owner: str | None = None,
    track: str = "delivery",
    **more: dict[str, Any],
) -> int:
    """Frame a problem through the /problem form (with `more` of its inputs); its number."""
    command(bot, "/problem", user=user)
    bot.slack.submit_view(
        user_id=user,
        values=form(
            title=text(title),
            metric_name=text("recall"),
            direction=choice(direction),
            baseline=text(baseline),
            target=text(target),
            owner_id=person(owner or user),
            track=choice(track),
            **more,
        ),
    )
    bot.settle()
    return problems(bot)[-1].number


def edit_details(bot, **fields: dict[str, Any]) -> None:
    """Press Edit details on P-1's card and save the form with `fields`."""
    bot.slack.click(
        team_id=TEAM,
        user_id=ALICE,
        action_id=ActionId.PROBLEM_ADD_DETAILS,
        value="1",
        channel_id=CHANNEL,
        message_ts=problems(bot)[0].card_ts,
    )
    bot.settle()
    bot.slack.submit_view(user_id=ALICE, values=form(**fields))
    bot.settle()


def problems(bot, team: str = TEAM) -> list[Problem]:
    with bot.runtime.db.transaction() as session:
        return list(
            session.scalars(select(Problem).where(Problem.team_id == team).order_by(Problem.number))
        )


def experiments(bot, team: str = TEAM) -> list[Experiment]:
    with bot.runtime.db.transaction() as session:
        return list(
            session.scalars(
                select(Experiment).where(Experiment.team_id == team).order_by(Experiment.number)
            )
        )


def decisions(bot) -> list[Decision]:
    with bot.runtime.db.transaction() as session:
        return list(session.scalars(select(Decision).order_by(Decision.id)))


def analyses(bot, team: str = TEAM) -> list[ErrorAnalysis]:
    with bot.runtime.db.transaction() as session:
        rows = list(
            session.scalars(
                select(ErrorAnalysis)
                .where(ErrorAnalysis.team_id == team)
                .order_by(ErrorAnalysis.number)
            )
        )
        for row in rows:
            _ = (row.categories, row.follow_ups, row.experiment)
        return rows


def versions(bot, kind: str) -> list[RecordVersion]:
    with bot.runtime.db.transaction() as session:
        return list(
            session.scalars(
                select(RecordVersion).where(RecordVersion.kind == kind).order_by(RecordVersion.id)
            )
        )


def log(bot, text_: str, **kwargs: Any):
    """`/experiment <text_>`."""
    return command(bot, "/experiment", text_, **kwargs)


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every button in the blocks, by its action id."""
    found = {}
    for block in blocks:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button":
                found[element["action_id"]] = element
    return found
