"""The demo workspace: four people in four timezones, #ml-team and #general."""

from __future__ import annotations

from sandbox.emulator import SlackEmulator

TEAM = "T0DEMO"
ML_TEAM, GENERAL = "C0MLTEAM", "C0GENERAL"
ADA, BILAL, CHEN, PRIYA = "U0ADA", "U0BILAL", "U0CHEN", "U0PRIYA"
PEOPLE = (
    (ADA, "ada", "Ada Lovelace", "America/Toronto"),
    (BILAL, "bilal", "Bilal Rahman", "Europe/London"),
    (CHEN, "chen", "Chen Wei", "Asia/Shanghai"),
    (PRIYA, "priya", "Priya Nair", "Asia/Kolkata"),
)


def add_people(emulator: SlackEmulator) -> None:
    """The demo workspace, its people and channels (no database involved)."""
    emulator.add_workspace(team_id=TEAM, name="Ritual Lab (demo)", domain="ritual-lab")
    for user_id, name, real_name, tz in PEOPLE:
        emulator.add_user(team_id=TEAM, user_id=user_id, name=name, real_name=real_name, tz=tz)
    everyone = [user_id for user_id, *_ in PEOPLE]
    emulator.add_channel(team_id=TEAM, channel_id=ML_TEAM, name="ml-team", members=everyone)
    emulator.add_channel(team_id=TEAM, channel_id=GENERAL, name="general", members=everyone)
