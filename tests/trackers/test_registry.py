"""`/problem P-1 model <name>` registers a webhook on a real MLflow server; the model's new
versions and aliases then post in P-1's thread (a `champion` with a Ship button that opens
the Ship form); deliveries are refused unless MLflow's HMAC signature holds, and each is
posted once; `model off` deletes the webhook."""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import select

from bot.ids import ActionId
from sandbox.tracking_server import free_port
from storage.db import Database
from storage.outbox import OutboxMessage
from storage.trackers import TrackerConnection, TrackerKind
from tests.conftest import ALICE, BOB, CHANNEL, TEAM
from tests.support.delivery import buttons, command, frame, problems
from tests.support.registry import alias_set, deliver, links, version_created, webhooks
from tests.support.slack import rendered
from tests.trackers.conftest import ritual

pytestmark = pytest.mark.mlflow
# Deliveries the tests sign themselves are stamped at this instant, the hook's clock.
NOW = 1_796_000_000


def told(bot) -> str:
    """What the person was told after the ack (through the response URL)."""
    return " ".join(rendered(r.body) for r in bot.slack.responses)


def linked(bot, server, model: str):
    """MLflow connected by Carol (an admin), P-1 framed by Alice and linked to `model`."""
    ritual(bot, f"connect mlflow {server.url}")
    frame(bot)
    answer = command(bot, "/problem", f"P-1 model {model}")
    assert "follows model" in told(bot), told(bot)
    bot.runtime.web.registry_hook.now = lambda: NOW
    return answer


def thread(bot) -> list[str]:
    """P-1's thread below its card, as rendered."""
    card_ts = problems(bot)[0].card_ts
    return [rendered(m.blocks) for m in bot.slack.thread(CHANNEL, card_ts) if m.ts != card_ts]


def queued(bot) -> list[OutboxMessage]:
    with bot.runtime.db.reading() as session:
        return list(
            session.scalars(select(OutboxMessage).where(OutboxMessage.key.like("mlflow:%")))
        )


def test_linking_registers_a_webhook_signed_with_a_sealed_secret(public_bot, mlflow_server, model):
    answer = linked(public_bot, mlflow_server, model)

    assert "Linking P-1" in rendered(answer.body)
    [link] = links(public_bot)
    [hook] = webhooks(mlflow_server)
    assert hook["url"] == f"{public_bot.url}/hooks/mlflow/{link.hook_key}"
    assert hook["webhook_id"] == link.webhook_id and hook["status"] == "ACTIVE"
    assert {(e["entity"], e["action"]) for e in hook["events"]} == {
        ("MODEL_VERSION", "CREATED"),
        ("MODEL_VERSION_ALIAS", "CREATED"),
    }
    assert link.model_name == model and link.secret.startswith("fernet:")


def test_mlflow_delivers_a_new_version_and_champion_into_the_thread_with_ship(
    public_bot, mlflow_server, model
):
    """Real deliveries: the MLflow server posts to the app, stamped with the real time."""
    linked(public_bot, mlflow_server, model)
    public_bot.runtime.web.registry_hook.now = time.time
    client = mlflow_server.client()
    run_id = mlflow_server.run({"recall": 0.84})

    version = client.create_model_version(model, source=f"runs:/{run_id}/model", run_id=run_id)
    public_bot.slack.wait_for(lambda: len(thread(public_bot)) == 1, timeout=30)
    client.set_registered_model_alias(model, "champion", version.version)
    public_bot.slack.wait_for(lambda: len(thread(public_bot)) == 2, timeout=30)

    created, champion = thread(public_bot)
    assert f"model `{model}` v1 created from run {run_id[:8]}" in created
    assert "alias `champion` now v1" in champion
    card_ts = problems(public_bot)[0].card_ts
    [post] = [m for m in public_bot.slack.thread(CHANNEL, card_ts) if "champion" in m.text]
    assert ActionId.MODEL_SHIP in buttons(post.blocks)

    public_bot.slack.click(
        team_id=TEAM,
        user_id=ALICE,
        action_id=ActionId.MODEL_SHIP,
        channel_id=CHANNEL,
        message_ts=post.ts,
    )
    public_bot.settle()
    form = public_bot.slack.open_view(ALICE)
    assert form is not None and form.view["callback_id"] == "decision_modal"
    shown = rendered(form.view)
    assert f"Ship {model} v1" in shown and "Production metric to watch" in shown


def test_a_new_version_posts_no_ship_button_and_other_aliases_none_either(
    public_bot, mlflow_server, model
):
    linked(public_bot, mlflow_server, model)
    [link] = links(public_bot)

    assert deliver(public_bot, link, version_created(model), timestamp=NOW).status_code == 200
    assert deliver(public_bot, link, alias_set(model, "staging"), timestamp=NOW).status_code == 200
    assert deliver(public_bot, link, alias_set(model, "production"), timestamp=NOW).is_success

    created, staging, production = thread(public_bot)
    assert f"model `{model}` v7 created from run ab12ab12" in created
    assert "alias `staging` now v7" in staging and "Ship" not in staging
    assert "alias `production` now v7" in production and "Ship" in production


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"secret": "not-the-secret"}, "the signature does not match"),
        ({"timestamp": NOW - 301}, "more than five minutes"),
        ({"timestamp": NOW + 301}, "more than five minutes"),
    ],
)
def test_a_delivery_not_signed_by_its_mlflow_is_refused_and_nothing_posted(
    public_bot, mlflow_server, model, change, why
):
    linked(public_bot, mlflow_server, model)
    [link] = links(public_bot)

    answer = deliver(public_bot, link, version_created(model), **({"timestamp": NOW} | change))

    assert answer.status_code == 401 and why in answer.json()["message"]
    assert thread(public_bot) == [] and queued(public_bot) == []


def test_a_delivery_without_mlflow_headers_is_refused(public_bot, mlflow_server, model):
    linked(public_bot, mlflow_server, model)
    [link] = links(public_bot)

    answer = httpx.post(
        f"{public_bot.url}/hooks/mlflow/{link.hook_key}", json=version_created(model)
    )

    assert answer.status_code == 401 and queued(public_bot) == []


def test_a_replayed_delivery_is_posted_once(public_bot, mlflow_server, model):
    linked(public_bot, mlflow_server, model)
    [link] = links(public_bot)

    for _ in range(2):
        answer = deliver(public_bot, link, version_created(model), timestamp=NOW, delivery_id="d-1")
        assert answer.status_code == 200

    assert len(thread(public_bot)) == 1 and len(queued(public_bot)) == 1


def test_another_models_events_are_not_posted(public_bot, mlflow_server, model):
    linked(public_bot, mlflow_server, model)
    [link] = links(public_bot)

    answer = deliver(public_bot, link, version_created("someone-elses"), timestamp=NOW)

    assert answer.status_code == 200 and answer.json()["posted"] is False
    assert thread(public_bot) == []


def test_model_off_deletes_the_webhook_and_its_address_stops_answering(
    public_bot, mlflow_server, model
):
    linked(public_bot, mlflow_server, model)
    [link] = links(public_bot)

    command(public_bot, "/problem", "P-1 model off")

    assert f"P-1 no longer follows model `{model}`" in told(public_bot)
    assert links(public_bot) == [] and webhooks(mlflow_server) == []
    answer = deliver(public_bot, link, version_created(model), timestamp=NOW)
    assert answer.status_code == 404 and thread(public_bot) == []


def test_model_off_on_a_problem_following_none_says_how_to_link_one(public_bot):
    frame(public_bot)

    answer = command(public_bot, "/problem", "P-1 model off")

    assert "P-1 follows no model" in rendered(answer.body)
    assert "`/problem P-1 model &lt;name&gt;`" in rendered(answer.body)


def test_a_signed_body_that_is_not_an_event_is_answered_and_not_posted(
    public_bot, mlflow_server, model
):
    linked(public_bot, mlflow_server, model)
    [link] = links(public_bot)

    for body in ([1, 2], {"entity": "model_version", "action": "created", "data": "x"}):
        answer = deliver(public_bot, link, body, timestamp=NOW)
        assert answer.status_code == 200 and answer.json()["posted"] is False
    assert thread(public_bot) == []


def test_linking_again_replaces_the_webhook(public_bot, mlflow_server, model):
    linked(public_bot, mlflow_server, model)
    command(public_bot, "/problem", f"P-1 model {model}")

    [link] = links(public_bot)
    assert [h["webhook_id"] for h in webhooks(mlflow_server)] == [link.webhook_id]
    assert "instead of the model it followed" in told(public_bot)


def test_a_model_mlflow_does_not_have_is_named_and_nothing_kept(public_bot, mlflow_server):
    ritual(public_bot, f"connect mlflow {mlflow_server.url}")
    frame(public_bot)

    command(public_bot, "/problem", "P-1 model no-such-model")

    assert "has no registered model named `no-such-model`" in told(public_bot)
    assert links(public_bot) == [] and webhooks(mlflow_server) == []


def test_without_a_public_address_the_operator_is_asked_for_one(bot, mlflow_server):
    ritual(bot, f"connect mlflow {mlflow_server.url}")
    frame(bot)

    answer = command(bot, "/problem", "P-1 model churn")

    assert "RITUALBOT_PUBLIC_URL" in rendered(answer.body) and links(bot) == []


def test_without_mlflow_connected_an_admin_is_asked_to_connect_it(public_bot):
    frame(public_bot)

    answer = command(public_bot, "/problem", "P-1 model churn")

    assert "MLflow is not connected" in rendered(answer.body)
    assert "`/ritual connect mlflow &lt;url&gt; [token]`" in rendered(answer.body)
    assert links(public_bot) == []


def test_an_unreachable_mlflow_is_told_and_nothing_kept(public_bot):
    frame(public_bot)
    with public_bot.runtime.db.transaction() as session:
        session.add(
            TrackerConnection(
                team_id=TEAM,
                kind=TrackerKind.MLFLOW,
                url=f"http://127.0.0.1:{free_port()}",
                connected_by=ALICE,
            )
        )

    command(public_bot, "/problem", "P-1 model churn")

    assert "Could not reach MLflow" in told(public_bot) and links(public_bot) == []


def test_only_who_may_edit_the_problem_links_its_model(public_bot, mlflow_server, model):
    ritual(public_bot, f"connect mlflow {mlflow_server.url}")
    frame(public_bot)

    answer = command(public_bot, "/problem", f"P-1 model {model}", user=BOB)

    assert "can't" in rendered(answer.body) and links(public_bot) == []
    assert webhooks(mlflow_server) == []


def test_a_model_command_without_a_name_says_what_to_type(public_bot):
    frame(public_bot)

    answer = command(public_bot, "/problem", "P-1 model")

    assert "`/problem P-1 model churn`" in rendered(answer.body)


def test_a_database_out_of_reach_answers_503_for_mlflow_to_retry(
    public_bot, mlflow_server, model, tmp_path
):
    linked(public_bot, mlflow_server, model)
    [link] = links(public_bot)
    hook = public_bot.runtime.web.registry_hook
    working, hook.db = hook.db, Database.from_url(f"sqlite:///{tmp_path}/gone/ritualbot.db")
    try:
        answer = deliver(public_bot, link, version_created(model), timestamp=NOW, delivery_id="d")
    finally:
        hook.db.dispose()
        hook.db = working

    assert answer.status_code == 503 and thread(public_bot) == []
    again = deliver(public_bot, link, version_created(model), timestamp=NOW, delivery_id="d")
    assert again.status_code == 200 and len(thread(public_bot)) == 1


def test_only_post_is_answered(public_bot, mlflow_server, model):
    linked(public_bot, mlflow_server, model)
    [link] = links(public_bot)

    answer = httpx.get(f"{public_bot.url}/hooks/mlflow/{link.hook_key}")

    assert answer.status_code == 405
