"""`/digest` and the scheduled digest, through signed requests into the real app."""

from __future__ import annotations

import io
import re
from datetime import time, timedelta

import pytest
import time_machine
from PIL import Image
from sqlalchemy import select

from jobs import digest as job
from storage.outbox import OutboxMessage
from storage.problems import DecisionKind, Problem
from storage.rituals import Ritual, RitualKind, RitualRun
from storage.types import utcnow
from tests.conftest import ALICE, BOB, CHANNEL, QUIET_CHANNEL, TEAM
from tests.support.digest_week import ago, decision, oversized_week, seed_week
from tests.support.slack import posted, rendered

PNG = b"\x89PNG\r\n\x1a\n"


def digest(bot, text: str = "", *, channel: str = CHANNEL, user: str = ALICE):
    answer = bot.slack.slash_command(
        team_id=TEAM, user_id=user, channel_id=channel, command="/digest", text=text
    )
    bot.settle()
    return answer


def seeded(bot) -> None:
    with bot.runtime.db.transaction() as session:
        seed_week(session)


def rituals(bot) -> list[Ritual]:
    with bot.runtime.db.transaction() as session:
        return list(session.scalars(select(Ritual).where(Ritual.kind == RitualKind.DIGEST)))


def runs(bot) -> list[RitualRun]:
    with bot.runtime.db.transaction() as session:
        return list(
            session.scalars(
                select(RitualRun)
                .join(Ritual, Ritual.id == RitualRun.ritual_id)
                .where(Ritual.kind == RitualKind.DIGEST)
                .order_by(RitualRun.id)
            )
        )


def sent(bot) -> list[tuple[str, str, str | None]]:
    """What became of each of the digests' messages: (what, state, error)."""
    with bot.runtime.db.reading() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(r.what, r.state, r.error) for r in rows if "digest" in r.key]


def send_queued(bot) -> None:
    """What the clock does once a scheduled run has queued its digest."""
    bot.runtime.sender.send()


def upload_calls(bot):
    return bot.slack.calls("files.getUploadURLExternal"), bot.slack.calls(
        "files.completeUploadExternal"
    )


def test_the_preview_is_shown_only_to_the_caller_and_posts_nothing(bot):
    seeded(bot)

    answer = digest(bot)

    assert answer.status == 200 and answer.body["response_type"] == "ephemeral"
    shown = rendered(answer.body["blocks"])
    for expected in (
        "Search ranking drift",  # new problem
        "*E-3* on P-1 add tenure features",  # experiment with its deltas
        "+0.1 (+16.7%) vs baseline 0.6",
        "recall ↑ 0.7 (E-3)",  # best so far
        "*E-4* on P-1 (worse",  # owed analysis, with its owner
        f"<@{BOB}>: `/analysis E-4`",
        "*cut losses* — No signal after five tries",
        "Noisy labels cluster in two vendors",
        f"<@{ALICE}> answered 3 of 3 days",
        "Waiting on GPU quota",
        "timebox ended",
        "diminishing returns, last 5 experiments: best has not moved from 0.6 "
        "(E-13, E-14, E-5, E-6, E-7)",
        "Only you can see this preview",
    ):
        assert expected in shown, expected
    assert "drop &lt;b&gt;old&lt;/b&gt; &amp; stale rows" in shown
    assert "Mallory" not in shown and "Quiet channel" not in shown
    assert bot.slack.calls("chat.postMessage") == []
    assert upload_calls(bot) == ([], [])


def test_digest_now_posts_the_digest_and_uploads_the_chart(bot):
    seeded(bot)

    answer = digest(bot, "now")

    assert answer.body["response_type"] == "ephemeral"
    [message] = posted(bot.slack, CHANNEL)
    assert "Noisy labels cluster in two vendors" in rendered(message.args["blocks"])
    [get_url], [complete] = upload_calls(bot)
    assert get_url.args["filename"].endswith(".png")
    [shared] = complete.args["files"]
    assert complete.args["channel_id"] == CHANNEL
    assert complete.args["thread_ts"] == message.response["ts"]
    assert bot.slack.file_bytes(shared["id"]).startswith(PNG)
    assert sent(bot) == [
        ("this week's digest", "sent", None),
        ("this week's metric chart", "sent", None),
    ]


def test_the_chart_in_the_thread_is_sized_for_slack_and_names_what_it_shows(bot):
    with bot.runtime.db.transaction() as session:
        seed_week(session)
        churn = session.scalar(select(Problem).where(Problem.team_id == TEAM, Problem.number == 1))
        decision(session, churn, DecisionKind.PIVOT, "Try session features", at=ago(3))

    digest(bot, "now")

    [message] = posted(bot.slack, CHANNEL)
    [get_url], [complete] = upload_calls(bot)
    [shared] = complete.args["files"]
    width, height = Image.open(io.BytesIO(bot.slack.file_bytes(shared["id"]))).size
    assert width >= 1200 and abs(width / height - 2) < 0.05, (width, height)
    # What a screen reader says of the image, and its title under it, name the problems.
    for named in ("P-1 Churn model misses new users", "P-2 Label noise in eval set"):
        assert named in get_url.args["alt_txt"] and named in shared["title"]
    assert shared["title"].startswith("Metrics · ")
    assert complete.args["initial_comment"].startswith("P-1, P-2: ")
    assert "not charted" not in complete.args["initial_comment"]
    assert complete.args["thread_ts"] == message.response["ts"]


def test_a_retried_or_double_clicked_digest_now_posts_once(bot):
    seeded(bot)
    first = bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/digest", text="now"
    )
    bot.slack.redeliver(first, retry_num=1)
    bot.settle()
    second_click = digest(bot, "now", user=BOB)

    assert len(posted(bot.slack, CHANNEL)) == 1
    assert len(bot.slack.calls("files.completeUploadExternal")) == 1
    assert "didn't post it again" in second_click.body["text"]


def test_digest_now_in_a_channel_without_the_bot_says_how_to_fix_it(bot):
    digest(bot, "now", channel=QUIET_CHANNEL)

    [reply] = [r for r in bot.slack.responses if "couldn't post the digest" in rendered(r.body)]
    assert reply.body["response_type"] == "ephemeral"
    assert "/invite @ritualbot" in reply.body["text"]
    assert bot.slack.messages(QUIET_CHANNEL) == []
    assert sent(bot)[0] == ("this week's digest", "failed", "not_in_channel")
    assert posted(bot.slack, ALICE) == [], "told twice: in place and by DM"


def test_digest_now_while_slack_is_down_posts_it_when_slack_is_back(bot):
    seeded(bot)
    bot.slack.inject("chat.postMessage", status=503, times=3)

    digest(bot, "now")

    [reply] = [r for r in bot.slack.responses if "I'll post it here as soon" in rendered(r.body)]
    assert reply.body["response_type"] == "ephemeral"
    assert bot.slack.messages(CHANNEL) == []
    with time_machine.travel(utcnow() + timedelta(minutes=1), tick=False):
        send_queued(bot)
    [message] = [m for m in bot.slack.messages(CHANNEL) if not m.files]
    assert "Noisy labels cluster in two vendors" in rendered(message.blocks)
    assert [m.thread_ts for m in bot.slack.messages(CHANNEL) if m.files] == [message.ts]


def test_schedule_creates_the_channels_digest_ritual_in_the_callers_timezone(bot):
    answer = digest(bot, "schedule Mon 9:05")

    [ritual] = rituals(bot)
    assert (ritual.team_id, ritual.channel_id, ritual.weekdays) == (TEAM, CHANNEL, [1])
    assert (ritual.local_time, ritual.timezone) == (time(9, 5), "America/Toronto")
    assert ritual.enabled and ritual.owner_id == ALICE
    assert "every Monday at 09:05 (America/Toronto)" in answer.body["text"]
    assert answer.body["response_type"] == "ephemeral"


def test_rescheduling_updates_the_one_ritual_and_off_disables_it(bot):
    digest(bot, "schedule monday 09:00")
    digest(bot, "schedule friday 16:30 europe/london", user=BOB)
    off = digest(bot, "off")

    [ritual] = rituals(bot)
    assert (ritual.weekdays, ritual.local_time) == ([5], time(16, 30))
    assert (ritual.timezone, ritual.owner_id) == ("Europe/London", BOB)
    assert not ritual.enabled
    assert "off for this channel" in off.body["text"]
    assert "nothing changed" in digest(bot, "off").body["text"]


def test_the_timezone_falls_back_to_utc_when_slack_cannot_say(bot):
    bot.slack.inject("users.info", error="user_not_found")

    digest(bot, "schedule tue 08:00")

    [ritual] = rituals(bot)
    assert ritual.timezone == "UTC"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("schedule funday 09:00", "'funday' is not a day of the week"),
        ("schedule t 09:00", "'t' is not a day of the week"),
        ("schedule monday 25:00", "'25:00' is not a time of day"),
        ("schedule monday 9am", "'9am' is not a time of day"),
        ("schedule monday 09:00 Mars/Olympus", "'Mars/Olympus' is not an IANA timezone"),
        ("schedule monday", "Say the day and the time"),
        ("schedule", "Say the day and the time"),
        ("now please", "`/digest now` takes only `full` after it"),
        ("off today", "`/digest off` takes nothing after it"),
        ("weekly", "doesn't know 'weekly'"),
    ],
)
def test_bad_input_gets_a_usage_message_and_changes_nothing(bot, text, says):
    answer = digest(bot, text)

    assert answer.status == 200 and answer.body["response_type"] == "ephemeral"
    assert says in rendered(answer.body)
    assert "/digest" in rendered(answer.body)
    assert rituals(bot) == [] and runs(bot) == []
    assert bot.slack.calls("chat.postMessage") == []


def test_help_lists_every_form(bot):
    shown = digest(bot, "help").body["text"]
    for form in (
        "`/digest now`",
        "`/digest now full`: post the whole week again",
        "`/digest schedule &lt;day&gt; &lt;HH:MM&gt; [timezone]`",
        "`/digest off`",
    ):
        assert form in shown


def scheduled_ritual(bot, channel: str = CHANNEL) -> int:
    digest(bot, "schedule monday 09:00", channel=channel)
    [ritual] = rituals(bot)
    return ritual.id


def test_a_scheduled_occurrence_is_posted_once(bot):
    seeded(bot)
    ritual_id = scheduled_ritual(bot)

    for _ in range(2):
        job.run(
            db=bot.runtime.db,
            client=bot.runtime.app.client,
            ritual_id=ritual_id,
            occurrence="2026-W48",
            scheduled_for=utcnow(),
        )
        send_queued(bot)

    [message] = posted(bot.slack, CHANNEL)
    assert "Waiting on GPU quota" in rendered(message.args["blocks"])
    assert len(bot.slack.calls("files.completeUploadExternal")) == 1
    [run] = runs(bot)
    assert (run.occurrence, run.state) == ("2026-W48/digest", "queued")


def test_a_turned_off_digest_is_not_posted(bot):
    ritual_id = scheduled_ritual(bot)
    digest(bot, "off")

    job.run(
        db=bot.runtime.db,
        client=bot.runtime.app.client,
        ritual_id=ritual_id,
        occurrence="2026-W48",
        scheduled_for=utcnow(),
    )

    assert posted(bot.slack, CHANNEL) == [] and runs(bot) == []


def test_a_rate_limited_post_waits_and_is_posted_once(bot):
    seeded(bot)
    ritual_id = scheduled_ritual(bot)
    bot.slack.inject("chat.postMessage", status=429, retry_after=1)

    job.run(
        db=bot.runtime.db,
        client=bot.runtime.app.client,
        ritual_id=ritual_id,
        occurrence="2026-W48",
        scheduled_for=utcnow(),
    )
    send_queued(bot)

    assert [c.status for c in posted(bot.slack, CHANNEL)] == [429, 200]
    assert len([m for m in bot.slack.messages(CHANNEL) if not m.files]) == 1
    assert sent(bot)[0] == ("this week's digest", "sent", None)


def test_a_scheduled_digest_the_channel_refuses_goes_to_its_owner_by_dm(bot):
    ritual_id = scheduled_ritual(bot, channel=QUIET_CHANNEL)

    job.run(
        db=bot.runtime.db,
        client=bot.runtime.app.client,
        ritual_id=ritual_id,
        occurrence="2026-W48",
        scheduled_for=utcnow(),
    )
    send_queued(bot)

    assert bot.slack.messages(QUIET_CHANNEL) == []
    [dm] = posted(bot.slack, ALICE)
    assert f"<#{QUIET_CHANNEL}>" in dm.args["text"] and "/invite @ritualbot" in dm.args["text"]
    assert sent(bot)[0] == ("this week's digest", "failed", "not_in_channel")


def test_a_chart_slack_fails_to_take_leaves_the_digest_posted_and_is_tried_again(bot):
    seeded(bot)
    ritual_id = scheduled_ritual(bot)
    bot.slack.inject("files.getUploadURLExternal", error="fatal_error")

    job.run(
        db=bot.runtime.db,
        client=bot.runtime.app.client,
        ritual_id=ritual_id,
        occurrence="2026-W48",
        scheduled_for=utcnow(),
    )
    send_queued(bot)

    assert len(bot.slack.messages(CHANNEL)) == 1
    assert bot.slack.messages(ALICE) == []
    assert sent(bot) == [
        ("this week's digest", "sent", None),
        ("this week's metric chart", "pending", "fatal_error"),
    ]
    with time_machine.travel(utcnow() + timedelta(minutes=1), tick=False):
        send_queued(bot)
    assert sent(bot)[1] == ("this week's metric chart", "sent", None)


def seed_oversized_week(bot, experiments: int = 600) -> None:
    with bot.runtime.db.transaction() as session:
        oversized_week(session, experiments=experiments)


def each_listed_once(shown: str, experiments: int = 600) -> None:
    for n in range(1, experiments + 1):
        assert len(re.findall(rf"• \*E-{n}\* on P-1", shown)) == 1, n


def test_an_oversized_week_is_split_across_messages_without_losing_an_experiment(bot):
    seed_oversized_week(bot)

    digest(bot, "now")

    messages = posted(bot.slack, CHANNEL)
    assert len(messages) > 1
    assert all(len(m.args["blocks"]) <= 50 for m in messages)
    each_listed_once("\n".join(rendered(m.args["blocks"]) for m in messages))


def test_an_oversized_preview_continues_in_ephemeral_follow_ups(bot):
    seed_oversized_week(bot)

    answer = digest(bot)

    follow_ups = [r.body for r in bot.slack.responses]
    assert answer.body["response_type"] == "ephemeral" and follow_ups
    parts = [answer.body, *follow_ups]
    assert all(p["response_type"] == "ephemeral" and len(p["blocks"]) <= 50 for p in parts)
    each_listed_once("\n".join(rendered(p["blocks"]) for p in parts))
    assert bot.slack.calls("chat.postMessage") == []


def test_the_ritual_scheduler_posts_a_scheduled_digest_once_at_its_local_time(bot):
    from datetime import UTC, datetime

    from runtime.clock import RitualScheduler

    monday_nine_toronto = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    with bot.runtime.db.transaction() as session:  # the week before that Monday, whenever this runs
        seed_week(session, now=monday_nine_toronto)
    scheduled_ritual(bot)  # Monday 09:00 in the caller's Slack timezone (America/Toronto)
    scheduler = RitualScheduler(
        db=bot.runtime.db,
        client_factory=lambda _team: bot.runtime.app.client,
        now=lambda: monday_nine_toronto,
    )

    scheduler.fire_due(monday_nine_toronto)
    scheduler.fire_due(monday_nine_toronto)  # a second pass, or a second clock process

    [message] = posted(bot.slack, CHANNEL)
    assert "Waiting on GPU quota" in rendered(message.args["blocks"])
