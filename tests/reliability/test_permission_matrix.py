"""Who may edit, delete and restore problems, experiments and analyses (their author, the owner
of their problem, a workspace admin; nobody else), through commands and through buttons and
forms whose payloads anyone could forge."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.ids import ActionId, CallbackId
from storage.models import ErrorAnalysis, Experiment, Outcome, Problem
from storage.queries import next_number
from tests.conftest import ALICE, BOB, CAROL, CHANNEL, TEAM
from tests.reliability import ledger
from tests.reliability.support import click_payload, post_payload
from tests.reliability.test_attacks_every_path import analysis_values, experiment_values
from tests.reliability.test_attacks_isolation_injection import submission_payload
from tests.support.delivery import form, person, text

DAVE = "U0DAVE"  # a member of the workspace with no tie to the records
# The problem is created by ALICE and owned by BOB; the experiment and analysis are ALICE's.
# So for problems the author is ALICE and the owner BOB; for E and A the author is ALICE and
# the owner (of their problem) BOB. CAROL is a workspace admin.
ROLES = {"author": ALICE, "owner": BOB, "admin": CAROL, "other member": DAVE}
ALLOWED = {"author", "owner", "admin"}
MODEL = {"P": Problem, "E": Experiment, "A": ErrorAnalysis}
COMMAND = {"P": "/problem", "E": "/experiment", "A": "/analysis"}
RESTORE_BUTTON = {
    "P": ActionId.PROBLEM_RESTORE,
    "E": ActionId.EXPERIMENT_RESTORE,
    "A": ActionId.ANALYSIS_RESTORE,
}
EDIT_BUTTON = {"E": ActionId.EXPERIMENT_EDIT, "A": ActionId.ANALYSIS_EDIT}


@pytest.fixture(scope="module")
def mbot(module_bot):
    if DAVE not in module_bot.slack.world.users:
        module_bot.slack.add_user(team_id=TEAM, user_id=DAVE, name="dave")
    return module_bot


def seed(bot, *, deleted: str | None) -> dict[str, int]:
    """A fresh P, E and A (numbers by kind); the one of kind `deleted` soft-deleted."""
    with bot.runtime.db.transaction() as session:
        problem = Problem(
            team_id=TEAM,
            number=next_number(session, team_id=TEAM, kind="P"),
            title="Recall on rare classes",
            metric_name="recall",
            baseline=0.7,
            target=0.8,
            owner_id=BOB,
            created_by=ALICE,
            channel_id=CHANNEL,
        )
        session.add(problem)
        session.flush()
        experiment = Experiment(
            team_id=TEAM,
            number=next_number(session, team_id=TEAM, kind="E"),
            problem_id=problem.id,
            outcome=Outcome.NO_GAIN,
            value=0.6,
            author_id=ALICE,
        )
        session.add(experiment)
        session.flush()
        analysis = ErrorAnalysis(
            team_id=TEAM,
            number=next_number(session, team_id=TEAM, kind="A"),
            experiment_id=experiment.id,
            author_id=ALICE,
            lessons="original",
        )
        session.add(analysis)
        session.flush()
        if deleted:
            {"P": problem, "E": experiment, "A": analysis}[deleted].deleted_at = datetime.now(UTC)
        return {"P": problem.number, "E": experiment.number, "A": analysis.number}


def row(bot, kind: str, number: int) -> Any:
    model = MODEL[kind]
    with bot.runtime.db.transaction() as session:
        found = session.scalar(select(model).where(model.team_id == TEAM, model.number == number))
        session.expunge(found)
        return found


def edited_values(kind: str, problem: int) -> dict[str, Any]:
    if kind == "P":
        return form(
            title=text("Edited title"),
            metric_name=text("recall"),
            direction={"type": "static_select", "selected_option": {"value": "higher"}},
            baseline=text("0.7"),
            target=text("0.8"),
            owner_id=person(BOB),
            track={"type": "static_select", "selected_option": {"value": "delivery"}},
        )
    if kind == "E":
        return experiment_values(problem, "edited")
    return analysis_values("edited")


def changed(bot, kind: str, number: int) -> bool:
    found = row(bot, kind, number)
    return {
        "P": lambda r: r.title == "Edited title",
        "E": lambda r: (r.notes or "").endswith("edited"),
        "A": lambda r: (r.lessons or "").endswith("edited"),
    }[kind](found)


def act(bot, how: str, kind: str, user: str, numbers: dict[str, int]) -> tuple[bool, str]:
    """Do `how` to the record of `kind` as `user`; whether it took effect, and what was said."""
    n, slack, url = numbers[kind], bot.slack, f"{bot.url}/slack/events"
    start = len(slack.calls())
    if how in ("edit command", "delete command", "restore command"):
        verb = how.split()[0]
        answer = slack.slash_command(
            team_id=TEAM,
            user_id=user,
            channel_id=CHANNEL,
            command=COMMAND[kind],
            text=f"{verb} {kind}-{n}",
        )
        said = str(answer.body)
    elif how == "restore button":
        said = str(
            post_payload(
                url, click_payload(slack, action_id=RESTORE_BUTTON[kind], value=str(n), user=user)
            ).text
        )
    elif how == "edit button":
        said = str(
            post_payload(
                url, click_payload(slack, action_id=EDIT_BUTTON[kind], value=str(n), user=user)
            ).text
        )
    else:  # forged edit form
        payload = submission_payload(
            slack,
            user=user,
            values=edited_values(kind, numbers["P"]),
            metadata={"P": {"channel": CHANNEL, "problem": n}, "E": {"experiment": n}}.get(
                kind, {"analysis": n}
            ),
        )
        payload["view"]["callback_id"] = {
            "P": CallbackId.PROBLEM_MODAL,
            "E": CallbackId.EXPERIMENT_MODAL,
            "A": CallbackId.ANALYSIS_MODAL,
        }[kind]
        said = post_payload(url, payload).text
    bot.settle()
    calls = slack.calls()[start:]
    said += " ".join(str(c.args.get("text", "")) for c in calls if c.method == "chat.postMessage")
    found = row(bot, kind, n)
    took = {
        "edit command": any(c.method == "views.open" for c in calls),
        "edit button": any(c.method == "views.open" for c in calls),
        "edit form": changed(bot, kind, n),
        "delete command": found.deleted_at is not None,
        "restore command": found.deleted_at is None,
        "restore button": found.deleted_at is None,
    }[how]
    return took, said


HOWS = {
    "edit command": "PEA",
    "edit button": "EA",
    "edit form": "PEA",
    "delete command": "PEA",
    "restore command": "PEA",
    "restore button": "PEA",
}
CASES = [
    (how, kind, role)
    for how, kinds in HOWS.items()
    for kind, role in itertools.product(kinds, ROLES)
]


@pytest.mark.parametrize(("how", "kind", "role"), CASES)
def test_only_author_owner_or_admin_may_change_a_record(mbot, how, kind, role):
    numbers = seed(mbot, deleted=kind if how.startswith("restore") else None)
    before = row(mbot, kind, numbers[kind])

    took, said = act(mbot, how, kind, ROLES[role], numbers)

    assert took == (role in ALLOWED), said
    if role not in ALLOWED:
        assert "only its author, the owner of its problem or a workspace admin" in said
        after = row(mbot, kind, numbers[kind])
        assert (after.deleted_at is None) == (before.deleted_at is None)


def test_the_matrix_is_in_the_ledger(mbot):
    ledger.record(
        area="attack",
        fault="edit/delete/restore of P, E, A by author, owner, admin, other member via "
        "commands, Edit/Undo buttons and forged edit forms",
        tries=len(CASES),
        outcome="author, problem owner and admin may; any other member is refused and "
        "nothing changes",
    )
    assert len(CASES) == 4 * (3 * 5 + 2)
