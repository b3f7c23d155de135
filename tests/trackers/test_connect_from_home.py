"""Connecting a tracker from App Home: a form where the key is typed and no channel keeps
it, checked against a real MLflow server (and the W&B stand-in) like `/ritual connect`,
the form showing what came of it. Workspace admins only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.trackers import TrackerConnection, TrackerKind
from tests.conftest import ALICE, CAROL, TEAM
from tests.support.delivery import buttons, choice, form, text
from tests.support.slack import rendered
from tests.trackers.test_wandb import KEY, wandb_api  # noqa: F401 (the stand-in's fixture)


def open_form(bot, user: str = CAROL):
    bot.slack.open_home(team_id=TEAM, user_id=user)
    bot.settle()
    home = bot.slack.home(team_id=TEAM, user_id=user)
    connect = buttons(home["blocks"])["tracker_connect_open"]
    bot.slack.click(team_id=TEAM, user_id=user, action_id=connect["action_id"], view_id=home["id"])
    bot.settle()
    return bot.slack.open_view(user)


def submit(bot, **fields):
    answer = bot.slack.submit_view(user_id=CAROL, values=form(**fields))
    bot.settle()
    return answer


def connections(bot) -> list[TrackerConnection]:
    with bot.runtime.db.reading() as session:
        found = session.scalars(select(TrackerConnection)).all()
        session.expunge_all()
    return list(found)


@pytest.mark.mlflow
def test_an_admin_connects_mlflow_from_app_home(bot, mlflow_server):
    shown = open_form(bot)
    assert shown.view["callback_id"] == "tracker_connect"

    submit(bot, tracker=choice("mlflow"), address=text(mlflow_server.url))

    done = bot.slack.open_view(CAROL)
    assert f"Connected MLflow at {mlflow_server.url}" in rendered(done.view)
    [saved] = connections(bot)
    assert (saved.kind, saved.url, saved.token) == (TrackerKind.MLFLOW, mlflow_server.url, None)


def test_a_wandb_key_typed_in_the_form_is_sealed_and_never_posted(bot, wandb_api):  # noqa: F811
    open_form(bot)

    submit(bot, tracker=choice("wandb"), address=text(wandb_api), token=text(KEY),
           entity=text("acme"))  # fmt: skip

    assert "for the runs of `acme`" in rendered(bot.slack.open_view(CAROL).view)
    [saved] = connections(bot)
    assert saved.entity == "acme" and saved.token and KEY not in saved.token
    posted = [c.args for c in bot.slack.calls("chat.postMessage")]
    assert KEY not in str(posted) and KEY not in str(bot.slack.open_view(CAROL).view)


def test_a_refused_check_shows_the_form_again_with_why_and_saves_nothing(bot, wandb_api):  # noqa: F811
    open_form(bot)

    submit(bot, tracker=choice("wandb"), address=text(wandb_api), token=text("f" * 40))

    again = bot.slack.open_view(CAROL).view
    assert again["callback_id"] == "tracker_connect" and again.get("submit")
    assert "Not connected" in rendered(again) and "refused the API key (401)" in rendered(again)
    assert "f" * 40 not in str(again)  # the key is typed again, not kept in the form
    assert connections(bot) == []


def test_a_wrong_field_is_pointed_at_before_anything_is_checked(bot):
    open_form(bot)

    no_address = submit(bot, tracker=choice("mlflow"))
    bad_entity = submit(bot, tracker=choice("wandb"), token=text(KEY), entity=text("acme/churn"))

    assert "address" in no_address.body["errors"]
    assert "not a W&B entity name" in bad_entity.body["errors"]["entity"]
    assert connections(bot) == []


def test_someone_not_an_admin_is_told_who_can_connect(bot):
    shown = open_form(bot, user=ALICE)

    assert "Only a workspace admin can connect a tracker" in rendered(shown.view)
    assert not shown.view.get("submit")  # nothing to submit: only Done
