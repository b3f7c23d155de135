"""One digest a week per channel: after `/digest now`, the scheduled digest and a second
`/digest now` of the same week post only what changed since, or one line saying nothing did.
Signed requests into the real app and the clock's scheduled run, on a fixed Friday."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from runtime.clock import RitualScheduler
from storage.models import Counter
from tests.conftest import ALICE, BOB, CHANNEL, TEAM
from tests.support.delivery import command, log
from tests.support.digest_week import seed_week
from tests.support.slack import rendered

FRIDAY = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
AT_1402 = FRIDAY + timedelta(minutes=2)
FOUR_PM = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
# What the seeded week's whole digest shows, and no digest of what changed since it does.
FROM_THE_WEEK = (
    "add tenure features",
    "Noisy labels cluster in two vendors",
    "Waiting on GPU quota",
)


@pytest.fixture
def clock(bot) -> Iterator[time_machine.Traveller]:
    """Friday 14:00 UTC, the seeded week up to it, and the channel's digest due at 16:00."""
    with time_machine.travel(FRIDAY, tick=True) as traveller:
        with bot.runtime.db.transaction() as session:
            seed_week(session, now=FRIDAY)
            # The seeded rows took their numbers by hand: what is logged next follows them.
            session.add_all(Counter(team_id=TEAM, kind=kind, value=20) for kind in "PEA")
        command(bot, "/digest", "schedule friday 16:00 UTC")
        yield traveller


def digest_now(bot, clock, at: datetime, text: str = "now", *, user: str = ALICE):
    clock.move_to(at)
    return command(bot, "/digest", text, user=user)


def scheduled_run(bot, clock) -> None:
    """The clock process at 16:00: claims the occurrence, queues the digest, sends it."""
    clock.move_to(FOUR_PM)
    scheduler = RitualScheduler(
        db=bot.runtime.db, client_factory=lambda _team: bot.runtime.app.client, now=lambda: FOUR_PM
    )
    assert scheduler.fire_due(FOUR_PM) == 1


def channel_posts(bot) -> list:
    """The messages the channel shows (charts aside), oldest first."""
    return [m for m in bot.slack.messages(CHANNEL) if not m.files]


def charts(bot) -> list:
    return [m for m in bot.slack.messages(CHANNEL) if m.files]


def link_to(message) -> str:
    return f"/archives/{CHANNEL}/p{message.ts.replace('.', '')}>"


def test_the_scheduled_digest_after_digest_now_says_in_one_line_that_nothing_is_new(bot, clock):
    digest_now(bot, clock, AT_1402)
    scheduled_run(bot, clock)

    whole_week, line = channel_posts(bot)
    assert "Weekly digest" in rendered(whole_week.blocks)
    assert all(seen in rendered(whole_week.blocks) for seen in FROM_THE_WEEK)
    assert line.text.startswith(
        f"Nothing new since the digest <@{ALICE}> asked for "
        f"<!date^{int(AT_1402.timestamp())}^{{date_short_pretty}} at {{time}}"
        "|Fri 27 Nov at 14:02 UTC>; see it here: <"
    )
    assert line.text.endswith(link_to(whole_week))
    assert [b["type"] for b in line.blocks] == ["section"]
    assert [c.thread_ts for c in charts(bot)] == [whole_week.ts], "one chart, the week's"


def test_the_scheduled_digest_after_digest_now_shows_only_what_changed_since(bot, clock):
    digest_now(bot, clock, AT_1402)
    clock.move_to(FRIDAY + timedelta(hours=1))
    log(bot, "P-1 0.72 focal loss on rare churners", user=BOB)
    command(bot, "/problem", "decide P-2 pivot relabel with a second vendor")
    before = len(bot.slack.messages(CHANNEL))

    scheduled_run(bot, clock)

    [changes] = [m for m in bot.slack.messages(CHANNEL)[before:] if not m.files]
    shown = rendered(changes.blocks)
    assert "What changed since this week's last digest" in shown
    assert f"since the digest <@{ALICE}> asked for <!date^{int(AT_1402.timestamp())}" in shown
    assert "*E-21* on P-1 — recall ↑ 0.72 · *improved*" in shown
    assert "*pivot* — relabel with a second vendor" in shown
    assert "1 experiment · 1 decision" in shown
    assert not any(seen in shown for seen in FROM_THE_WEEK), "the week it already showed"
    assert "owing an error analysis" not in shown, "E-4's debt was in the 14:02 digest"
    whole_week = channel_posts(bot)[0]
    assert link_to(whole_week).rstrip(">") in shown
    assert [c.thread_ts for c in charts(bot)][-1] == changes.ts, "P-1 moved: its chart again"


def test_a_second_digest_now_says_nothing_new_unless_asked_for_the_full_week(bot, clock):
    digest_now(bot, clock, AT_1402)

    again = digest_now(bot, clock, FRIDAY + timedelta(minutes=10), user=BOB)
    full = digest_now(bot, clock, FRIDAY + timedelta(minutes=20), "now full", user=BOB)
    third = digest_now(bot, clock, FRIDAY + timedelta(minutes=30))

    first, nothing, whole_again, nothing_again = channel_posts(bot)
    assert "Nothing changed since this week's last digest" in again.body["text"]
    assert "`/digest now full` posts the whole week again" in again.body["text"]
    assert nothing.text.startswith(f"Nothing new since the digest <@{ALICE}> asked for")
    assert nothing.text.endswith(link_to(first))
    assert full.body["text"] == "Posting this week's digest here…"
    assert all(seen in rendered(whole_again.blocks) for seen in FROM_THE_WEEK)
    assert "Nothing changed" in third.body["text"]
    assert nothing_again.text.startswith(f"Nothing new since the digest <@{BOB}> asked for")
    assert nothing_again.text.endswith(link_to(whole_again)), "the last one that said something"
    assert len(charts(bot)) == 2


def test_digest_now_after_the_scheduled_digest_points_back_at_it(bot, clock):
    scheduled_run(bot, clock)

    answer = digest_now(bot, clock, FOUR_PM + timedelta(minutes=5))

    scheduled, line = channel_posts(bot)
    assert "Nothing changed since" in answer.body["text"]
    assert line.text.startswith(
        f"Nothing new since the scheduled digest of <!date^{int(FOUR_PM.timestamp())}"
    )
    assert line.text.endswith(link_to(scheduled))


def test_last_weeks_digest_leaves_this_weeks_whole(bot, clock):
    digest_now(bot, clock, FOUR_PM - timedelta(days=7, minutes=-30))

    scheduled_run(bot, clock)

    last_week, this_week = channel_posts(bot)
    assert "Weekly digest · 13 Nov – 20 Nov 2026" in rendered(last_week.blocks)
    assert "Weekly digest · 20 Nov – 27 Nov 2026" in rendered(this_week.blocks)
    assert all(seen in rendered(this_week.blocks) for seen in FROM_THE_WEEK)


def test_the_preview_after_digest_now_shows_what_digest_now_would_post_next(bot, clock):
    digest_now(bot, clock, AT_1402)
    clock.move_to(FRIDAY + timedelta(hours=1))
    log(bot, "P-1 0.72 focal loss on rare churners", user=BOB)
    before = len(bot.slack.messages(CHANNEL))

    preview = digest_now(bot, clock, FRIDAY + timedelta(hours=1, minutes=5), "")

    shown = rendered(preview.body["blocks"])
    assert "What changed since this week's last digest" in shown
    assert "*E-21* on P-1" in shown
    assert not any(seen in shown for seen in FROM_THE_WEEK), "the week already posted"
    assert "`/digest now` posts only this; `/digest now full` posts the whole week" in shown
    assert preview.body["response_type"] == "ephemeral"
    assert len(bot.slack.messages(CHANNEL)) == before, "a preview posts nothing"


def test_the_preview_with_nothing_new_says_so_in_one_line(bot, clock):
    digest_now(bot, clock, AT_1402)

    preview = digest_now(bot, clock, FRIDAY + timedelta(minutes=10), "", user=BOB)

    assert preview.body["text"].startswith(f"Nothing new since the digest <@{ALICE}> asked for")
