"""Every command, button and form that names a record by id, aimed from another workspace at a
record that exists only in ours, answers exactly as it does for a record that exists nowhere;
and user text with pings, links and SQL stays inert in everything the bot sends."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.ids import ActionId, CallbackId
from storage.analyses import ErrorAnalysis
from storage.experiments import Experiment
from storage.models import RecordVersion
from storage.problems import Decision, Problem
from tests.conftest import ALICE, CHANNEL, OTHER_TEAM, TEAM
from tests.reliability.test_attacks_isolation_injection import PINGS, SQL, mrkdwn
from tests.support import ledger
from tests.support.delivery import command, form, frame, log, person, text
from tests.support.signed import interaction, post_payload
from tests.support.slack import rendered
from tests.support.standup import make_standup

MALLORY, OTHER_CHANNEL = "U0MALLORY", "C0OTHER"
MISSING = 7  # no record of any kind has this number in either workspace
HOSTILE = "<!channel> <!here> <!everyone> <@U0CAROL> <#C0EVIL> <http://evil|Looks safe>"


def analysis_values(note: str = "augmentation") -> dict[str, Any]:
    return form(
        sample_size=text("200"),
        sample_method=text(f"Random 200 false negatives {note}"),
        categories=text("blurry images: 30\nwrong label: 10"),
        slices=text(f"night-time photos {note}"),
        root_causes=text(f"Augmentation washes out small objects {note}"),
        next_steps=text(f"Try crop-aware augmentation {note}"),
        lessons=text(f"Look at the data first {note}"),
        follow_up_0=text(f"Relabel {note}"),
        owner_0=person(ALICE),
    )


def experiment_values(problem: int, note: str = "label smoothing") -> dict[str, Any]:
    return form(
        problem={"type": "static_select", "selected_option": {"value": str(problem)}},
        hypothesis=text(f"Smoothing helps rare classes {note}"),
        approach=text(f"label smoothing 0.1 {note}"),
        dataset=text(f"eval-2026-10 {note}"),
        value=text("0.62"),
        metrics=text("precision: 0.5"),
        notes=text(f"notes {note}"),
    )


@pytest.fixture(scope="module")
def seeded(module_bot):
    """P-1, E-1 (below baseline) and A-1 in our workspace, plus a standup there."""
    bot = module_bot
    frame(bot)
    log(bot, "P-1 0.62 label smoothing")
    command(bot, "/analysis", "E-1")
    bot.slack.submit_view(user_id=ALICE, values=analysis_values())
    bot.settle()
    standup = make_standup(bot.runtime.db, bot.slack, team_id=TEAM, channel_id=CHANNEL, owner=ALICE)
    assert snapshot(bot)["counts"] == {"P": 1, "E": 1, "A": 1, "decisions": 0}
    return bot, standup.id


def snapshot(bot) -> dict[str, Any]:
    """What our workspace holds: every record's visible fields and how many versions exist."""
    with bot.runtime.db.transaction() as session:
        rows = {
            kind: list(session.execute(select(model).order_by(model.id)).scalars())
            for kind, model in (("P", Problem), ("E", Experiment), ("A", ErrorAnalysis))
        }
        shown = {
            kind: [
                {
                    k: v
                    for k, v in vars(row).items()
                    if not k.startswith("_") and k not in ("updated_at", "search_vector")
                }
                for row in found
            ]
            for kind, found in rows.items()
        }
        counts = {kind: len(found) for kind, found in rows.items()}
        counts["decisions"] = session.scalar(select(func.count()).select_from(Decision)) or 0
        versions = session.scalar(select(func.count()).select_from(RecordVersion)) or 0
    return {"rows": shown, "counts": counts, "versions": versions}


def normalised(payload: Any) -> str:
    shown = rendered(payload)
    shown = re.sub(r"\b([PEA])-\d+\b", r"\1-#", shown)
    shown = re.sub(r"\b(\d+):(\d{4}-\d\d-\d\d)\b", r"#:\2", shown)
    return re.sub(
        r'"(trigger_id|response_url|ts|view_id|id|hash|external_id)": "[^"]*"', r'"\1": ""', shown
    )


def click(bot, action_id: str, value: str):
    return bot.slack.click(
        team_id=OTHER_TEAM,
        user_id=MALLORY,
        action_id=action_id,
        value=value,
        channel_id=OTHER_CHANNEL,
    )


def submit(bot, callback_id: str, metadata: dict[str, Any], values: dict[str, Any]):
    payload = interaction(bot.slack, "view_submission", team=OTHER_TEAM, user=MALLORY)
    payload["view"] = {
        "id": f"V{uuid.uuid4().hex[:10].upper()}",
        "type": "modal",
        "callback_id": callback_id,
        "team_id": OTHER_TEAM,
        "private_metadata": json.dumps(metadata),
        "state": {"values": values},
        "hash": "1.abc",
    }
    payload["response_urls"] = []
    answer = post_payload(f"{bot.url}/slack/events", payload)
    return answer.status_code, answer.text and answer.json()


def slash(bot, name: str, words: str):
    answer = bot.slack.slash_command(
        team_id=OTHER_TEAM, user_id=MALLORY, channel_id=OTHER_CHANNEL, command=name, text=words
    )
    return answer.status, answer.body


# Each path takes (bot, number, ritual id) and sends one request naming that number.
Path = Callable[[Any, int, int], Any]
TODAY = date.today().isoformat()


def verb_path(command_: str, verb: str, kind: str) -> Path:
    return lambda b, n, r: slash(b, command_, f"{verb} {kind}-{n}")


def button_path(action: str) -> Path:
    return lambda b, n, r: click(b, action, str(n)).body


VERBS = ("show", "edit", "delete", "restore", "history")
BUTTONS = (
    ActionId.PROBLEM_ADD_DETAILS,
    ActionId.DECIDE_CONTINUE,
    ActionId.DECIDE_PIVOT,
    ActionId.DECIDE_CUT,
    ActionId.DECIDE_SHIP,
    ActionId.PROBLEM_RESTORE,
    ActionId.EXPERIMENT_EDIT,
    ActionId.EXPERIMENT_RESTORE,
    ActionId.ANALYSIS_START,
    ActionId.ANALYSIS_EDIT,
    ActionId.ANALYSIS_RESTORE,
)
PATHS: dict[str, Path] = {
    **{f"/problem {verb}": verb_path("/problem", verb, "P") for verb in VERBS},
    "/problem decide": lambda b, n, r: slash(b, "/problem", f"decide P-{n} cut no signal"),
    "/problem reopen": lambda b, n, r: slash(b, "/problem", f"reopen P-{n} worth another go"),
    "/experiment P-n (form)": lambda b, n, r: slash(b, "/experiment", f"P-{n}"),
    "/experiment P-n value (quick log)": lambda b, n, r: slash(b, "/experiment", f"P-{n} 0.9 x"),
    **{f"/experiment {verb}": verb_path("/experiment", verb, "E") for verb in VERBS},
    "/analysis E-n": lambda b, n, r: slash(b, "/analysis", f"E-{n}"),
    **{f"/analysis {verb}": verb_path("/analysis", verb, "A") for verb in VERBS},
    **{f"button {action}": button_path(action) for action in BUTTONS},
    "button standup_open": lambda b, n, r: click(b, ActionId.STANDUP_OPEN, f"{r}:{TODAY}").body,
    "button log_experiment_from_standup": lambda b, n, r: (
        click(b, ActionId.LOG_EXPERIMENT_FROM_STANDUP, f"standup-answer:{n}").body
    ),
    **{
        f"button {action} (their problem)": lambda b, n, r, action=action: (
            click(
                b,
                action,
                json.dumps({"text": f"P-{n} 1e9 forged", "channel": CHANNEL, "trigger": "t"}),
            ).body
        )
        for action in (ActionId.EXPERIMENT_AS_TYPED, ActionId.EXPERIMENT_RETYPE)
    },
    "view problem_modal (edit)": lambda b, n, r: submit(
        b,
        CallbackId.PROBLEM_MODAL,
        {"channel": OTHER_CHANNEL, "problem": n},
        form(
            title=text("Overwritten"),
            metric_name=text("m"),
            direction={"type": "static_select", "selected_option": {"value": "higher"}},
            baseline=text("0.1"),
            target=text("0.2"),
            owner_id=person(MALLORY),
            track={"type": "static_select", "selected_option": {"value": "delivery"}},
        ),
    ),
    "view decision_modal": lambda b, n, r: submit(
        b,
        CallbackId.DECISION_MODAL,
        {"channel": OTHER_CHANNEL, "problem": n, "kind": "cut"},
        form(rationale=text("forged decision")),
    ),
    "view experiment_modal (edit)": lambda b, n, r: submit(
        b, CallbackId.EXPERIMENT_MODAL, {"experiment": n}, experiment_values(n, "forged")
    ),
    "view experiment_modal (new, their problem)": lambda b, n, r: submit(
        b, CallbackId.EXPERIMENT_MODAL, {"channel": OTHER_CHANNEL}, experiment_values(n, "forged")
    ),
    "view analysis_modal (edit)": lambda b, n, r: submit(
        b, CallbackId.ANALYSIS_MODAL, {"analysis": n}, analysis_values("forged")
    ),
    "view analysis_modal (new, their experiment)": lambda b, n, r: submit(
        b, CallbackId.ANALYSIS_MODAL, {"experiment": n}, analysis_values("forged")
    ),
    "view standup_answer": lambda b, n, r: submit(
        b,
        CallbackId.STANDUP_ANSWER,
        {"ritual": r, "day": TODAY},
        form(q0=text("forged answer"), q1=text("forged"), q2=text("forged")),
    ),
}


def aim(bot, path: Path, number: int, ritual: int) -> list[str]:
    """What one path answered and sent when aimed at `number` from the other workspace."""
    slack = bot.slack
    before = len(slack.responses), len(slack.calls())
    answer = path(bot, number, ritual)
    bot.settle()
    said = [r.body for r in slack.responses[before[0] :]]
    called = [(c.method, c.args) for c in slack.calls()[before[1] :]]
    return [normalised(x) for x in (answer, said, called)]


@pytest.mark.parametrize("name", list(PATHS))
def test_another_workspaces_id_answers_exactly_like_a_missing_one(seeded, name):
    bot, ritual = seeded
    before = snapshot(bot)

    theirs = aim(bot, PATHS[name], 1, ritual)
    missing = aim(bot, PATHS[name], MISSING, ritual + 1000)

    assert theirs == missing
    told = ("There is no", "is not an open", "no longer exists", "is gone", "Not saved")
    assert any(words in "".join(theirs) for words in told), theirs  # refused, not ignored
    assert snapshot(bot) == before
    for ping in PINGS:
        assert ping not in theirs[0]


def test_every_path_was_tried_and_recorded(seeded):
    """One ledger line for the whole matrix (the parametrized cases above are the tries)."""
    bot, _ = seeded
    ledger.record(
        area="attack",
        fault="another workspace's P-1/E-1/A-1/standup via every command verb, button and "
        f"forged form ({len(PATHS)} paths)",
        tries=len(PATHS) * 2,
        outcome="answer, messages and views identical to a missing id's; nothing changed",
    )
    assert snapshot(bot)["counts"]["P"] == 1


def test_mrkdwn_and_sql_in_experiments_and_analyses_are_shown_inert(seeded):
    bot, _ = seeded
    start = len(bot.slack.calls()), len(bot.slack.responses)
    hostile = f"{HOSTILE} {SQL}"
    no_link = f"{HOSTILE.split(' <http')[0]} {SQL}"  # a URL in a quick log is its run link
    quick = command(bot, "/experiment", f"P-1 0.61 {no_link}")
    command(bot, "/experiment", "P-1")
    saved = bot.slack.submit_view(user_id=ALICE, values=experiment_values(1, hostile))
    bot.settle()
    assert saved.body is None, saved.body
    number = max(e["number"] for e in snapshot(bot)["rows"]["E"])
    command(bot, "/analysis", f"E-{number}")
    bot.slack.submit_view(user_id=ALICE, values=analysis_values(hostile))
    bot.settle()
    answers = [
        command(bot, "/experiment", f"show E-{number}").body,
        command(bot, "/analysis", "show A-2").body,
        command(bot, "/ritual", f"search {hostile}").body,
        command(bot, "/ritual", "search smoothing").body,
        command(bot, "/analysis").body,
        quick.body,
    ]
    bot.slack.open_home(team_id=TEAM, user_id=ALICE)
    bot.settle()

    rows = snapshot(bot)["rows"]
    assert any(hostile in (e["notes"] or "") for e in rows["E"])
    assert any(hostile in (a["lessons"] or "") for a in rows["A"])
    sent = [
        *(c.args for c in bot.slack.calls()[start[0] :]),
        *(r.body for r in bot.slack.responses[start[1] :]),
        *answers,
        bot.slack.home(team_id=TEAM, user_id=ALICE),
    ]
    for ping in PINGS:
        assert not [t for t in mrkdwn(sent) if ping in t], ping
    assert "&lt;!channel&gt;" in rendered(sent)
    ledger.record(
        area="attack",
        fault="pings, links and SQL in experiment (quick log and form) and analysis fields, "
        "and in /ritual search",
        tries=len(answers) + 3,
        outcome="stored intact; escaped in channel posts, threads, answers, search, App Home",
    )


def test_a_command_whose_text_says_payload_is_still_a_command(seeded):
    """Bolt took any form containing the word "payload" for an interaction (404)."""
    bot, _ = seeded
    answer = command(bot, "/problem", "payload size regressed after the v2 encoder")
    titles = [p["title"] for p in snapshot(bot)["rows"]["P"]]
    assert answer.status == 200
    assert "payload size regressed after the v2 encoder" in titles
