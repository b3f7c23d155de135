"""A team's standup driven by clock processes: one minute of a clock, and what reached whom."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from bot.standup.service import StandupRecord
from runtime.clock import RitualScheduler
from sandbox.emulator import SlackEmulator
from storage.db import Database
from tests.conftest import ALICE, BOB, CAROL, CHANNEL, TEAM
from tests.support.standup import make_standup, prompts

PEOPLE = (ALICE, BOB, CAROL)  # Toronto, London, Kolkata
AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)  # Friday, 09:30 in London (GMT)


def team_standup(db: Database, emulator: SlackEmulator) -> StandupRecord:
    """The team's standup in #ml-team at 09:30 London time, for everyone in the channel."""
    return make_standup(
        db,
        emulator,
        team_id=TEAM,
        channel_id=CHANNEL,
        owner=ALICE,
        rule="team",
        zone="Europe/London",
    )


def fire(clock: RitualScheduler, at: datetime) -> int:
    """One minute of a clock process: its ritual triggers, then its outbox sweep."""
    with time_machine.travel(at, tick=False):
        ran = clock.fire_due(at)
        clock.sender.sweep()
        return ran


def counts(slack: SlackEmulator) -> dict[str, int]:
    """How many standup prompts each person got."""
    return {person: len(prompts(slack, person)) for person in PEOPLE}


def thread_parents(slack: SlackEmulator) -> list:
    return [m for m in slack.messages(CHANNEL) if m.text.startswith("Standup ·")]
