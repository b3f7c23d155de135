"""POST /hooks/experiments: a training script logs an experiment as `/experiment` would,
with the workspace's webhook token."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from sqlalchemy import select

from storage.db import Database
from storage.experiments import Outcome
from storage.hooks import Webhook
from tests.conftest import ALICE, BOB, CAROL, CHANNEL, OTHER_TEAM, QUIET_CHANNEL, TEAM
from tests.hooks.support import TOKEN, answer_text, connect, send
from tests.support.delivery import command, experiments, frame, log
from tests.support.plateau import clock  # noqa: F401  (the fixture)
from tests.support.slack import rendered

pytestmark = pytest.mark.usefixtures("clock")

RUN = "https://wandb.ai/acme/recall/runs/3kx9q2"


def webhooks(bot) -> list[Webhook]:
    with bot.runtime.db.transaction() as session:
        return list(session.scalars(select(Webhook).order_by(Webhook.id)))


def test_connecting_shows_the_token_once_to_its_maker_and_keeps_only_its_hash(bot):
    answer = command(bot, "/ritual", "connect webhook")

    assert answer.body["response_type"] == "ephemeral"
    shown = answer_text(answer)
    token = TOKEN.search(shown).group(0)
    assert "only this once" in shown and "ritualbot log P-12" in shown
    [row] = webhooks(bot)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (row.team_id, row.connected_by, row.channel_id) == (TEAM, ALICE, CHANNEL)
    assert token not in repr([getattr(row, c.key) for c in Webhook.__table__.columns])
    assert not any(token in rendered(call.args) for call in bot.slack.calls())


def test_a_redelivered_connect_shows_no_second_token(bot):
    answer = command(bot, "/ritual", "connect webhook")
    token = TOKEN.search(answer_text(answer)).group(0)

    again = bot.slack.redeliver(answer)
    bot.settle()

    assert not TOKEN.search(rendered(again.body))
    assert webhooks(bot)[0].token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_a_posted_result_is_logged_and_confirmed_exactly_as_the_command_would(bot):
    frame(bot, baseline="0.70", target="0.80")
    frame(bot, baseline="0.70", target="0.80")
    log(bot, f"P-1 0.75 0.76 n=2000 hard negatives {RUN}")
    token = connect(bot)

    answer = send(
        bot,
        token,
        {
            "problem": "P-2",
            "values": [0.75, 0.76],
            "n": 2000,
            "run_url": RUN,
            "note": f"hard negatives {RUN}",
        },
    )

    assert answer.status_code == 201, answer.text
    typed, sent = experiments(bot)
    assert answer.json() | {"verdict": ""} == {
        "id": "E-2",
        "problem": "P-2",
        "outcome": typed.outcome.value,
        "verdict": "",
        "created": True,
        "posted": True,
    }
    assert answer.json()["verdict"].startswith("E-2 on P-2: inconclusive")
    assert (sent.author_id, sent.values, sent.eval_size, sent.run_url, sent.outcome) == (
        ALICE,
        [0.75, 0.76],
        2000,
        RUN,
        Outcome.INCONCLUSIVE,  # two seeds on 2,000 examples: within the noise
    )
    first, second = (m for m in bot.slack.messages(CHANNEL) if m.text.startswith("E-"))
    assert (sent.message_channel, sent.message_ts) == (CHANNEL, second.ts)
    # The same card but for the ids (in its text and its buttons' values).
    same = rendered(first.blocks).replace("E-1", "E-2").replace("P-1", "P-2")
    assert rendered(second.blocks) == same.replace('"value": "1"', '"value": "2"')


def test_the_same_key_twice_logs_one_experiment_and_answers_its_id_again(bot):
    frame(bot)
    token = connect(bot)
    body = {"problem": "P-1", "values": [0.75], "note": "mixup", "key": "run-ab12"}

    first, again = send(bot, token, body), send(bot, token, body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] == "E-1"
    assert again.json()["created"] is False
    assert len(experiments(bot)) == 1
    assert len([m for m in bot.slack.messages(CHANNEL) if m.text.startswith("E-")]) == 1
    assert send(bot, token, body | {"key": "run-cd34"}).json()["id"] == "E-2"


@pytest.mark.parametrize(
    ("body", "status", "said"),
    [
        ({"problem": "P-9", "values": [0.75]}, 404, "There is no problem P-9"),
        ({"problem": "X-1", "values": [0.75]}, 400, "'X-1' is not an id like P-12"),
        ({"values": [0.75]}, 400, 'Name the problem, e.g. "problem": "P-12"'),
        ({"problem": "P-1", "values": ["high"]}, 400, '"values" is the metric\'s value'),
        ({"problem": "P-1", "values": [0.75], "value": 0.8}, 400, "Unknown field 'value'"),
        ({"problem": "P-1", "values": [0.75], "n": "lots"}, 400, '"n" is a whole number'),
        ({"problem": "P-1", "values": [0.75], "key": ""}, 400, '"key" is text of 1 to 100'),
        ({"problem": "P-1", "values": []}, 400, "note: With no value the run is logged as broken"),
        ({"problem": "P-1", "values": [0.75], "n": 0}, 400, "n: "),
        ([0.75], 400, "The body is a JSON list, not an object"),
    ],
)
def test_a_wrong_body_is_refused_saying_what_was_wrong_and_nothing_is_stored(
    bot, body, status, said
):
    frame(bot)
    answer = send(bot, connect(bot), body)

    assert answer.status_code == status, answer.text
    assert said in answer.json()["message"]
    if status == 400:
        assert answer.json()["example"]["problem"] == "P-12"
    assert experiments(bot) == []


def test_broken_json_an_unusual_value_and_a_closed_problem_are_each_answered(bot):
    frame(bot, baseline="0.70", target="0.80")
    token = connect(bot)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    broken = httpx.post(f"{bot.url}/hooks/experiments", content=b'{"problem": ', headers=headers)
    assert broken.status_code == 400 and "The body is not JSON" in broken.json()["message"]
    as_form = httpx.post(
        f"{bot.url}/hooks/experiments",
        data={"problem": "P-1"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert as_form.status_code == 400 and "Content-Type: application/json" in as_form.text

    unusual = send(bot, token, {"problem": "P-1", "values": [75]})
    assert unusual.status_code == 422
    assert "Did you mean 75?" in unusual.json()["message"]
    assert '"confirmed": true' in unusual.json()["message"]
    assert experiments(bot) == []
    meant = send(bot, token, {"problem": "P-1", "values": [75], "confirmed": True, "key": "k"})
    assert meant.status_code == 201 and [e.value for e in experiments(bot)] == [75]

    command(bot, "/problem", "decide P-1 cut no gain after four tries")
    closed = send(bot, token, {"problem": "P-1", "values": [0.75]})
    assert closed.status_code == 409
    assert "/problem reopen P-1" in closed.json()["message"]
    assert len(experiments(bot)) == 1


def test_a_body_over_the_limit_is_refused_before_it_is_read(bot):
    frame(bot)
    answer = send(bot, connect(bot), {"problem": "P-1", "values": [0.75], "note": "x" * 1_100_000})

    assert answer.status_code == 413
    assert "at most 1000000 bytes" in answer.json()["message"]
    assert experiments(bot) == []


def test_a_missing_or_wrong_token_is_refused_and_not_checked_as_slack(bot):
    frame(bot)
    connect(bot)
    body = {"problem": "P-1", "values": [0.75]}

    missing = send(bot, None, body)
    wrong = send(bot, "rbk_" + "x" * 43, body)

    assert missing.status_code == wrong.status_code == 401
    assert "Authorization: Bearer <token>" in missing.json()["message"]
    assert "mistyped, rotated or revoked" in wrong.json()["message"]
    assert experiments(bot) == []


def test_a_confirmation_slack_refuses_keeps_the_experiment_and_tells_who_connected_it(bot):
    frame(bot)
    token = connect(bot, channel=QUIET_CHANNEL)  # the bot is not in #quiet

    answer = send(bot, token, {"problem": "P-1", "values": [0.75]})

    assert answer.status_code == 201
    assert answer.json()["posted"] is False
    assert "saved, but Slack did not take its confirmation" in answer.json()["delivery"]
    assert len(experiments(bot)) == 1
    bot.runtime.sender.sweep()  # the clock's round: the notice to the owner
    [told] = bot.slack.messages(ALICE)
    assert told.text.startswith("I couldn't post E-1 in <#C0QUIET>: I'm not a member")


def test_a_revoked_or_rotated_token_is_refused(bot):
    frame(bot)
    body = {"problem": "P-1", "values": [0.75]}
    first = connect(bot)
    second = connect(bot)  # rotates

    assert send(bot, first, body).status_code == 401
    assert send(bot, second, body).status_code == 201
    answer = command(bot, "/ritual", "disconnect webhook")
    assert "revoked" in answer_text(answer)
    assert send(bot, second, body).status_code == 401
    assert webhooks(bot) == []
    assert len(experiments(bot)) == 1


def test_only_who_connected_it_or_an_admin_may_rotate_or_revoke_it(bot):
    token = connect(bot)

    for verb in ("connect", "disconnect"):
        refused = command(bot, "/ritual", f"{verb} webhook", user=BOB)
        assert "<@U0ALICE> connected it" in rendered(refused.body)
    assert webhooks(bot)[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert "revoked" in answer_text(command(bot, "/ritual", "disconnect webhook", user=CAROL))


def test_a_token_of_one_workspace_cannot_log_into_another(bot):
    frame(bot)  # P-1 of our workspace
    ours = connect(bot)
    theirs = connect(bot, user="U0MALLORY", team=OTHER_TEAM, channel="C0OTHER")

    refused = send(bot, theirs, {"problem": "P-1", "values": [0.75]})

    assert refused.status_code == 404
    assert experiments(bot) == [] and experiments(bot, team=OTHER_TEAM) == []
    assert send(bot, ours, {"problem": "P-1", "values": [0.75]}).status_code == 201
    assert {w.team_id for w in webhooks(bot)} == {TEAM, OTHER_TEAM}


def test_a_database_out_of_reach_answers_503_for_the_script_to_retry(bot, tmp_path):
    frame(bot)
    token = connect(bot)
    hook = bot.runtime.web.experiments_hook
    working, hook.db = hook.db, Database.from_url(f"sqlite:///{tmp_path}/gone/ritualbot.db")
    try:
        answer = send(bot, token, {"problem": "P-1", "values": [0.75], "key": "ab12"})
    finally:
        hook.db.dispose()
        hook.db = working

    assert answer.status_code == 503
    assert 'Send it again in a minute with the same "key"' in answer.json()["message"]
    assert send(bot, token, {"problem": "P-1", "values": [0.75], "key": "ab12"}).status_code == 201
