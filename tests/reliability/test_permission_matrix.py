"""Who may edit, delete and restore problems, experiments and analyses, and who may decide on a
problem (their author, the owner of their problem, a workspace admin; nobody else), through
commands and through buttons and forms whose payloads anyone could forge."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.ids import ActionId, CallbackId
from bot.problems.render import DECIDE_BUTTONS
from storage.analyses import ErrorAnalysis
from storage.experiments import Experiment, Outcome
from storage.problems import Decision, DecisionKind, Problem, ProblemStatus
from storage.queries import next_number
from tests.conftest import ALICE, BOB, CAROL, CHANNEL, TEAM
from tests.reliability.test_attacks_every_path import analysis_values, experiment_values
from tests.reliability.test_attacks_isolation_injection import submission_payload
from tests.support import ledger
from tests.support.delivery import form, person, text
from tests.support.signed import click_payload, post_payload

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


DECIDE_HOWS = ("decide command", "decide button", "decide form")
# What can be decided on an open problem; reopening a closed one has its own matrix below.
DECIDE_CASES = [
    (how, kind, role) for how in DECIDE_HOWS for kind in DECIDE_BUTTONS for role in ROLES
]
CLOSED_BY = {
    DecisionKind.CUT: ProblemStatus.DROPPED,
    DecisionKind.SHIP: ProblemStatus.IN_PRODUCTION,
}


def decisions_on(bot, number: int) -> list[tuple[DecisionKind, str, str]]:
    with bot.runtime.db.transaction() as session:
        rows = session.execute(
            select(Decision.kind, Decision.decided_by, Decision.rationale)
            .join(Problem, Decision.problem_id == Problem.id)
            .where(Decision.team_id == TEAM, Problem.number == number)
        )
        return [tuple(r) for r in rows]


def decide_as(bot, how: str, kind: DecisionKind, user: str, number: int) -> tuple[bool, str]:
    """Decide `kind` on P-`number` as `user` through `how`: whether a decision form was opened
    (buttons only), and everything the user was told."""
    slack, url = bot.slack, f"{bot.url}/slack/events"
    start = len(slack.calls()), len(slack.responses)
    why = f"{kind.value}, decided by {user}"
    opened = False
    if how == "decide command":
        said = str(
            slack.slash_command(
                team_id=TEAM,
                user_id=user,
                channel_id=CHANNEL,
                command="/problem",
                text=f"reopen P-{number} {why}"
                if kind is DecisionKind.REOPEN
                else f"decide P-{number} {kind.value} {why}",
            ).body
        )
    elif how == "decide button":
        before = {v.id for v in slack.views(user_id=user)}
        slack.click(
            team_id=TEAM,
            user_id=user,
            action_id=DECIDE_BUTTONS[kind][0],
            value=str(number),
            channel_id=CHANNEL,
        )
        bot.settle()
        forms = [v for v in slack.views(user_id=user) if v.id not in before]
        opened = bool(forms)
        said = " ".join(
            str(
                slack.submit_view(user_id=user, view_id=v.id, values=form(rationale=text(why))).body
            )
            for v in forms
        )
    else:  # a forged decision form, sent twice: a retry must not decide twice
        payload = submission_payload(
            slack,
            user=user,
            values=form(rationale=text(why)),
            metadata={"channel": CHANNEL, "problem": number, "kind": kind.value},
        )
        payload["view"]["callback_id"] = CallbackId.DECISION_MODAL
        said = " ".join(post_payload(url, payload).text for _ in range(2))
    bot.settle()
    told = [c.args for c in slack.calls()[start[0] :] if c.method == "chat.postMessage"]
    said += " ".join(str(t.get("text", "")) for t in told if t.get("channel") == user)
    said += " ".join(str(r.body) for r in slack.responses[start[1] :])
    return opened, said


@pytest.mark.parametrize(("how", "kind", "role"), DECIDE_CASES)
def test_only_author_owner_or_admin_may_decide_on_a_problem(mbot, how, kind, role):
    number = seed(mbot, deleted=None)["P"]
    user = ROLES[role]

    opened, said = decide_as(mbot, how, kind, user, number)

    status = row(mbot, "P", number).status
    if role in ALLOWED:
        assert decisions_on(mbot, number) == [(kind, user, f"{kind.value}, decided by {user}")]
        assert status == CLOSED_BY.get(kind, ProblemStatus.OPEN)
    else:
        assert decisions_on(mbot, number) == [] and status == ProblemStatus.OPEN
        assert (
            f"You can't decide on P-{number}: only its author, its owner or a workspace admin"
            in said
        )
        assert f"Add your evidence in the thread under P-{number}'s card" in said
    if how == "decide button":
        assert opened == (role in ALLOWED), said


def test_the_decide_matrix_is_in_the_ledger(mbot):
    ledger.record(
        area="attack",
        fault="continue/pivot/cut/ship on P by author, owner, admin, other member via "
        "/problem decide, the card's decision buttons (then their form) and forged decision "
        "forms sent twice",
        tries=len(DECIDE_CASES),
        outcome="author, owner and admin decide once (cut and ship close the problem); any "
        "other member gets no form, is told who may decide and to add evidence in the card's "
        "thread; nothing stored, status unchanged",
    )
    assert len(DECIDE_CASES) == 3 * 4 * 4


# Closed problems have no decision buttons: reopening is typed, or a forged decision form.
REOPEN_CASES = [(how, role) for how in ("decide command", "decide form") for role in ROLES]


@pytest.mark.parametrize(("how", "role"), REOPEN_CASES)
def test_only_author_owner_or_admin_may_reopen_a_problem(mbot, how, role):
    number = seed(mbot, deleted=None)["P"]
    decide_as(mbot, "decide command", DecisionKind.CUT, CAROL, number)
    user = ROLES[role]

    _, said = decide_as(mbot, how, DecisionKind.REOPEN, user, number)

    reopened = [d for d in decisions_on(mbot, number) if d[0] is DecisionKind.REOPEN]
    status = row(mbot, "P", number).status
    if role in ALLOWED:
        assert reopened == [(DecisionKind.REOPEN, user, f"reopen, decided by {user}")]
        assert status == ProblemStatus.OPEN
    else:
        assert reopened == [] and status == ProblemStatus.DROPPED
        assert f"You can't decide on P-{number}: only its author, its owner" in said


def test_the_reopen_matrix_is_in_the_ledger(mbot):
    ledger.record(
        area="attack",
        fault="reopen of a dropped P by author, owner, admin, other member via /problem reopen "
        "and forged decision forms sent twice",
        tries=len(REOPEN_CASES),
        outcome="author, owner and admin reopen it once (open again); any other member is told "
        "who may decide; nothing stored, still dropped",
    )
    assert len(REOPEN_CASES) == 2 * 4
