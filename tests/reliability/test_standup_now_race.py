"""Ten people type `/standup now` in the same channel at the same moment: one round of
prompts goes out, and each of them is told the truth about it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import time_machine

from tests.conftest import ALICE, BOB, CAROL, CHANNEL, TEAM
from tests.support import ledger
from tests.support.slack import rendered
from tests.support.standup import make_standup, prompts

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # a Friday, after 09:30 in London
PEOPLE = (ALICE, BOB, CAROL)


def test_ten_concurrent_standup_nows_prompt_once_and_answer_truly(bot):
    with time_machine.travel(NOW, tick=True):
        # Each in their own timezone (Toronto, London, Kolkata): three rounds of DMs, the
        # widest window for one caller to see another's DMs claimed but not yet sent.
        make_standup(bot.runtime.db, bot.slack, team_id=TEAM, channel_id=CHANNEL, owner=ALICE)
        askers = [PEOPLE[n % 3] for n in range(10)]
        with ThreadPoolExecutor(max_workers=10) as pool:
            answers = list(
                pool.map(
                    lambda user: bot.slack.slash_command(
                        team_id=TEAM,
                        user_id=user,
                        channel_id=CHANNEL,
                        command="/standup",
                        text="now",
                    ),
                    askers,
                )
            )
        bot.settle()

    assert {a.status for a in answers} == {200}
    assert {p: len(prompts(bot.slack, p)) for p in PEOPLE} == {p: 1 for p in PEOPLE}
    told = [rendered(r.body) for r in bot.slack.responses] + [rendered(a.body) for a in answers]
    assert not any("went wrong" in t for t in told)
    prompted = [t for t in told if "Prompted" in t]
    assert len(prompted) == 1 and "Prompted 3 people" in prompted[0]
    started = [t for t in told if "already started" in t]
    assert len(started) == 9
    ledger.record(
        area="concurrency",
        fault="`/standup now` ×10 at once in one channel (distinct triggers)",
        tries=10,
        outcome="one round of prompts; one caller told who was prompted, nine told who "
        "started today's standup and when",
    )
