"""Another workspace's ids behave exactly like missing ids; user text never pings, links
or breaks a query wherever it is shown."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from sqlalchemy import select

from bot.digest import ritual as digest_schedule
from bot.ids import ActionId
from bot.standup import service as standups
from storage.rituals import Ritual
from tests.conftest import ALICE, BOB, CHANNEL, OTHER_TEAM, TEAM
from tests.support import ledger
from tests.support.signed import (
    command_body,
    form,
    post,
    post_payload,
    stored,
    submission_payload,
    text,
)
from tests.support.slack import posted, rendered
from tests.support.standup import make_standup

MALLORY, OTHER_CHANNEL = "U0MALLORY", "C0OTHER"
PINGS = ("<!channel>", "<!here>", "<!everyone>", "<@U0CAROL>", "<#C0EVIL>", "<http://evil")
HOSTILE = "<!channel> <!here> <!everyone> <@U0CAROL> <#C0EVIL> <http://evil|Looks safe>"
SQL = "'; DROP TABLE problems; -- \" OR 1=1 -- \\ %_"
TEXT_FIELDS = (
    "statement",
    "user_value",
    "feasibility",
    "metric_name",
    "metric_definition",
    "guardrails",
    "data_sources",
    "prior_work",
    "kill_criteria",
)


def mrkdwn(payload: Any) -> list[str]:
    """Every text Slack would parse as mrkdwn (plain_text objects never ping or link)."""
    if isinstance(payload, list):
        return [t for item in payload for t in mrkdwn(item)]
    if not isinstance(payload, dict):
        return []
    found = []
    if isinstance(payload.get("text"), str) and payload.get("type") != "plain_text":
        found.append(payload["text"])
    for key, value in payload.items():
        if key != "text" or not isinstance(value, str):
            found += mrkdwn(value)
    return found


def normalised(payload, number: int) -> str:
    """An answer with the asked-for number and the per-request ids blanked out."""
    shown = rendered(payload)
    shown = re.sub(rf"P-{number}\b", "P-#", shown)
    return re.sub(r'"(trigger_id|response_url|ts|view_id|id)": "[^"]*"', '"\\1": ""', shown)


def seed_problem(bot) -> None:
    bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text="Ours alone"
    )
    bot.settle()


def from_other_team(bot, number: int):
    """Everything another workspace can aim at problem `number`; what each answered."""
    slack = bot.slack
    before = len(slack.responses), len(slack.calls())
    show = slack.slash_command(
        team_id=OTHER_TEAM,
        user_id=MALLORY,
        channel_id=OTHER_CHANNEL,
        command="/problem",
        text=f"show P-{number}",
    )
    click = slack.click(
        team_id=OTHER_TEAM,
        user_id=MALLORY,
        action_id=ActionId.PROBLEM_ADD_DETAILS,
        value=str(number),
        channel_id=OTHER_CHANNEL,
    )
    bot.settle()
    submit = post_payload(
        f"{bot.url}/slack/events",
        submission_payload(
            slack,
            team=OTHER_TEAM,
            user=MALLORY,
            values=form(title=text("Overwrite")),
            metadata={"channel": OTHER_CHANNEL, "problem": number},
        ),
    )
    bot.settle()
    said = [r.body for r in slack.responses[before[0] :]]
    called = [(c.method, c.args) for c in slack.calls()[before[1] :] if c.method != "views.open"]
    return [normalised(x, number) for x in (show.body, click.body, submit.json(), said, called)]


def test_ids_of_another_workspace_behave_exactly_like_missing_ids(bot):
    seed_problem(bot)
    theirs = from_other_team(bot, 1)
    missing = from_other_team(bot, 2)

    assert theirs == missing
    assert "There is no problem P-#" in theirs[0]
    [ours] = stored(bot.runtime.db)
    assert ours.title == "Ours alone"
    assert stored(bot.runtime.db, OTHER_TEAM) == []
    home = bot.slack.open_home(team_id=OTHER_TEAM, user_id=MALLORY)
    listing = bot.slack.slash_command(
        team_id=OTHER_TEAM,
        user_id=MALLORY,
        channel_id=OTHER_CHANNEL,
        command="/problem",
        text="list all",
    )
    bot.settle()
    assert home.status == 200
    assert "Ours alone" not in rendered(bot.slack.home(team_id=OTHER_TEAM, user_id=MALLORY))
    assert "Ours alone" not in rendered(listing.body)
    ledger.record(
        area="attack",
        fault="another workspace's P-1 via show, 'Add details', modal save, list, App Home",
        tries=5,
        outcome="answers identical to a missing id's; nothing read or changed",
    )


def test_mrkdwn_and_sql_in_every_field_are_stored_intact_and_shown_inert(bot):
    title = f"{HOSTILE[:100]} {SQL}"[:150]
    values = {name: text(f"{name}: {HOSTILE} {SQL}") for name in TEXT_FIELDS}
    values["metric_name"] = text(f"{HOSTILE} {SQL}"[:200])
    bot.slack.slash_command(team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem")
    bot.settle()
    saved = bot.slack.submit_view(user_id=ALICE, values=form(title=text(title), **values))
    bot.settle()
    assert saved.status == 200 and saved.body is None

    [problem] = stored(bot.runtime.db)
    assert problem.title == " ".join(title.split())
    assert problem.statement == f"statement: {HOSTILE} {SQL}"
    quick = bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text=title + " 2"
    )
    show = bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text="show P-1"
    )
    refused = bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text=f"show {HOSTILE}"
    )
    listing = bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text="list all"
    )
    bot.slack.open_home(team_id=TEAM, user_id=ALICE)
    bot.settle()

    shown = {
        "channel cards": [c.args for c in posted(bot.slack, CHANNEL)],
        "capture answer": quick.body,
        "show answer": show.body,
        "usage answer": refused.body,
        "list answer": listing.body,
        "App Home": bot.slack.home(team_id=TEAM, user_id=ALICE),
        "answers by response_url": [r.body for r in bot.slack.responses],
    }
    for place, payload in shown.items():
        for ping in PINGS:
            assert not [t for t in mrkdwn(payload) if ping in t], (place, ping)
    assert "&lt;!channel&gt;" in rendered(shown["channel cards"])
    assert "<@U0BOB>" in rendered(shown["channel cards"])  # the owner, mentioned by the bot

    bot.slack.click(
        team_id=TEAM,
        user_id=ALICE,
        action_id=ActionId.PROBLEM_ADD_DETAILS,
        value="1",
        channel_id=CHANNEL,
    )
    bot.settle()
    prefilled = bot.slack.open_view(ALICE).view["blocks"]
    initial = {b["block_id"]: b["element"].get("initial_value") for b in prefilled}
    assert initial["statement"] == problem.statement  # plain_text: shown as typed, inert
    assert len(stored(bot.runtime.db)) == 2  # the tables are all still there
    assert BOB in rendered(prefilled)
    ledger.record(
        area="attack",
        fault="<!channel> <!here> <!everyone> <@U…> <#C…> <http://evil|…> and SQL "
        "metacharacters in every field",
        tries=len(TEXT_FIELDS) + 2,
        outcome="stored byte for byte; escaped in card, answers, list, show, App Home; "
        "prefilled as plain text",
    )


def test_a_button_that_fails_right_after_its_ack_still_answers_200(bot):
    """Bolt resets an ack when the listener raises after it; the app must not let it."""
    answers = [
        bot.slack.click(
            team_id=OTHER_TEAM,
            user_id=MALLORY,
            action_id=ActionId.PROBLEM_ADD_DETAILS,
            value=str(n),
            channel_id=OTHER_CHANNEL,
        ).status
        for n in (1, 1, 2, 2, 3, 3)
    ]
    bot.settle()

    assert answers == [200] * 6
    ledger.record(
        area="attack",
        fault="'Add details' for ids that are not there, 6 clicks in a row",
        tries=6,
        outcome="200 each (Bolt's reset-ack race is kept away); the person is told",
    )


def test_standup_and_digest_commands_from_another_workspace_leave_ours_alone(bot):
    """`/standup` and `/digest` take no record ids, only the channel the request names: one
    forged to name our channel, from another workspace, reaches that workspace's rituals
    (there are none), never ours."""
    db = bot.runtime.db
    make_standup(db, bot.slack, team_id=TEAM, channel_id=CHANNEL, owner=ALICE)
    with db.transaction() as session:
        digest_schedule.schedule(
            session,
            team_id=TEAM,
            channel_id=CHANNEL,
            user_id=ALICE,
            weekday=1,
            local_time=time(9),
            timezone="UTC",
        )
    seed_problem(bot)
    before = len(bot.slack.responses), len(bot.slack.calls())

    forged = {
        (command, text_): command_body(
            bot.slack, text=text_, team=OTHER_TEAM, user=MALLORY, channel=CHANNEL, command=command
        )
        for command, text_ in [
            ("/standup", "pause"),
            ("/standup", "now"),
            ("/standup", "skip"),
            ("/digest", "off"),
            ("/digest", ""),
            ("/digest", "now"),
        ]
    }
    answers = {}
    for asked, body in forged.items():
        answer = post(f"{bot.url}/slack/events", body)
        assert answer.status_code == 200
        answers[asked] = answer.json() if answer.content else {}
    bot.settle()

    with db.transaction() as session:
        standup = standups.for_channel(session, team_id=TEAM, channel_id=CHANNEL)
        rituals = session.scalars(select(Ritual).where(Ritual.team_id == TEAM)).all()
    assert standup is not None and standup.enabled
    assert all(r.enabled for r in rituals) and len(rituals) == 2
    for said in ("pause", "now", "skip"):
        assert "This channel has no standup yet" in rendered(answers["/standup", said])
    seen = rendered([list(answers.values()), [r.body for r in bot.slack.responses[before[0] :]]])
    calls = bot.slack.calls()[before[1] :]
    assert "Ours alone" not in seen + rendered([c.args for c in calls])
    assert not [c for c in calls if c.args.get("channel") in (ALICE, BOB)]  # nobody prompted
    ledger.record(
        area="attack",
        fault="`/standup pause|now|skip` and `/digest off|preview|now` from another workspace, "
        "forged to name our channel",
        tries=len(forged),
        outcome="that workspace's (missing) rituals answered; our standup and digest stay on, "
        "nobody prompted, none of our records shown",
    )
