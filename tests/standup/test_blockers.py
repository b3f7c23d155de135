"""Blockers followed up: a blocker raised is asked about in its person's next prompt and
form; one still open at their next standup goes to the standup's owner once, and shows
with its age in the cut-off summary and in the weekly digest. A resolved one is dropped."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import select

from runtime.clock import RitualScheduler
from storage.rituals import Ritual, StandupBlocker
from tests.conftest import ALICE, BOB, CAROL, CHANNEL, OTHER_TEAM, TEAM
from tests.support.slack import rendered
from tests.support.standup import (
    answers_form,
    at,
    click_answer,
    element,
    fire,
    prompts,
    team_clock,
)

TUESDAY = date(2026, 11, 24)
FRIDAY = date(2026, 11, 27)
MONDAY = date(2026, 11, 30)
STILL = "Still blocked on"


@pytest.fixture
def clock(bot) -> RitualScheduler:
    return team_clock(bot, made_on=TUESDAY)


def answer(bot, day: date, user: str, *texts: str, still: str | None = None):
    """`user` answers the day's standup at 10:00; `still` answers the blocker question."""
    with time_machine.travel(at(day, 10), tick=True):
        click_answer(bot, user)
        view = bot.slack.open_view(user)
        values = answers_form(*texts)
        if still is not None:
            values["still_blocked"] = element("radio_buttons", selected_option={"value": still})
        bot.slack.submit_view(user_id=user, values=values)
        bot.settle()
    return view.view


def day_of_standup(bot, clock, day: date, *answers: tuple[str, tuple[str, ...], str | None]):
    """The day's prompts, the answers given, and its cut-off summary; the summary."""
    fire(clock, at(day, 9, 30))
    for user, texts, still in answers:
        answer(bot, day, user, *texts, still=still)
    fire(clock, at(day, 17))
    [parent] = [m for m in bot.slack.messages(CHANNEL) if m.text == f"Standup · {day:%a %d %b}"]
    return bot.slack.thread(CHANNEL, parent.ts)[-1]


def notices(bot) -> list:
    return [m for m in bot.slack.messages(ALICE) if "is still blocked" in m.text]


def raised_on_tuesday(bot, clock, text: str = "GPU quota") -> None:
    day_of_standup(bot, clock, TUESDAY, (BOB, ("eval harness", "sweep", text, ""), None))


def test_a_blocker_is_asked_about_in_the_next_prompt_and_form(bot, clock):
    raised_on_tuesday(bot, clock)
    fire(clock, at(FRIDAY, 9, 30))
    [bobs] = prompts(bot.slack, BOB)[-1:]
    assert f"*{STILL} GPU quota?* You raised it on Tue 24 Nov" in rendered(bobs.blocks)
    assert all(STILL not in rendered(p.blocks) for p in prompts(bot.slack, CAROL))
    form = answer(bot, FRIDAY, BOB, "more", "", "", "", still="still")
    [asked] = [b for b in form["blocks"] if b.get("block_id") == "still_blocked"]
    assert asked["label"]["text"] == "Still blocked on “GPU quota”?"
    assert asked["element"]["initial_option"]["value"] == "still"  # prefilled: still open


def test_a_blocker_open_at_the_next_standup_goes_to_the_owner_once_with_its_age(bot, clock):
    raised_on_tuesday(bot, clock)
    summary = day_of_standup(
        bot,
        clock,
        FRIDAY,
        (BOB, ("more of it", "", "", ""), "still"),
        (BOB, ("more of it, edited", "", "", ""), "still"),  # an edit tells nobody again
        (CAROL, ("fine", "", "none", ""), None),
    )
    [notice] = notices(bot)
    assert notice.text == (
        f"<@{BOB}> is still blocked at <#{CHANNEL}>'s standup (3 days since Tue 24 Nov): "
        "GPU quota. A word from you may unblock them."
    )
    assert f"blocked 3 days: GPU quota — <@{BOB}>" in rendered(summary.blocks)
    # Still open on Monday: the summary says how long; the owner was told already.
    monday = day_of_standup(bot, clock, MONDAY, (BOB, ("still waiting", "", "", ""), "still"))
    assert f"blocked 6 days: GPU quota — <@{BOB}>" in rendered(monday.blocks)
    assert len(notices(bot)) == 1


def test_the_weekly_digest_lists_a_blocker_open_two_standups_with_its_age(bot, clock):
    raised_on_tuesday(bot, clock)
    day_of_standup(bot, clock, FRIDAY, (BOB, ("more", "", "", ""), "still"))
    with time_machine.travel(at(FRIDAY, 17, 30), tick=True):
        bot.slack.slash_command(
            team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/digest", text="now"
        )
        bot.settle()
    digest = rendered([m.blocks for m in bot.slack.messages(CHANNEL) if "digest" in m.text.lower()])
    assert "Still blocked" in digest and f"blocked 3 days: GPU quota — <@{BOB}>" in digest


def test_a_resolved_blocker_is_not_carried_or_told(bot, clock):
    raised_on_tuesday(bot, clock)
    summary = day_of_standup(bot, clock, FRIDAY, (BOB, ("unblocked", "", "", ""), "resolved"))
    assert notices(bot) == []
    assert "blocked 3 days" not in rendered(summary.blocks)
    fire(clock, at(MONDAY, 9, 30))
    [bobs] = prompts(bot.slack, BOB)[-1:]
    assert STILL not in rendered(bobs.blocks)


def test_a_new_blocker_after_a_resolved_one_is_followed_up_on_its_own(bot, clock):
    raised_on_tuesday(bot, clock)
    day_of_standup(bot, clock, FRIDAY, (BOB, ("x", "", "labels late", ""), "resolved"))
    fire(clock, at(MONDAY, 9, 30))
    [bobs] = prompts(bot.slack, BOB)[-1:]
    assert f"*{STILL} labels late?* You raised it on Fri 27 Nov" in rendered(bobs.blocks)


@pytest.mark.parametrize("none", ["none", "No.", "-", "nothing", "N/A", "no blockers"])
def test_an_answer_saying_no_blocker_raises_none(bot, clock, none):
    raised_on_tuesday(bot, clock, text=none)
    fire(clock, at(FRIDAY, 9, 30))
    [bobs] = prompts(bot.slack, BOB)[-1:]
    assert STILL not in rendered(bobs.blocks)


def test_blocker_text_is_escaped_everywhere_it_is_shown(bot, clock):
    raised_on_tuesday(bot, clock, text="<!channel> quota & <@U0ALICE>")
    summary = day_of_standup(bot, clock, FRIDAY, (BOB, ("x", "", "", ""), "still"))
    [bobs] = prompts(bot.slack, BOB)[-1:]
    escaped = "&lt;!channel&gt; quota &amp; &lt;@U0ALICE&gt;"
    for shown in (rendered(bobs.blocks), rendered(summary.blocks), notices(bot)[0].text):
        assert escaped in shown and "<!channel>" not in shown


def test_another_workspaces_blockers_never_reach_ours(bot, clock):
    raised_on_tuesday(bot, clock, text="none")
    with bot.runtime.db.transaction() as session:
        # Another workspace's row under our standup's id: only a query by team tells it apart.
        ritual_id = session.scalar(select(Ritual.id).where(Ritual.team_id == TEAM))
        session.add(
            StandupBlocker(
                team_id=OTHER_TEAM,
                ritual_id=ritual_id,
                user_id=BOB,
                text="secret merger",
                raised_on=TUESDAY - timedelta(days=7),
                seen_on=TUESDAY,
            )
        )
    summary = day_of_standup(bot, clock, FRIDAY, (BOB, ("x", "", "", ""), None))
    [bobs] = prompts(bot.slack, BOB)[-1:]
    assert "secret merger" not in rendered([bobs.blocks, summary.blocks])
    assert notices(bot) == []
