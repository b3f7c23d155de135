"""What people type, through signed requests: control characters never reach a record or a log
line, numbers are read in plain decimal notation only, and a title must show something."""

from __future__ import annotations

import io
import logging
import unicodedata
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from runtime import logs
from storage.analyses import ErrorAnalysis, ErrorCategory, FollowUp
from storage.experiments import Experiment
from storage.problems import Decision, Problem
from storage.rituals import Ritual, StandupAnswer
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.reliability.test_attacks_every_path import analysis_values, experiment_values
from tests.standup.test_standup import NOW, answers_form, click_answer, settings_form
from tests.support import ledger
from tests.support.delivery import command, experiments, form, frame, problems, text
from tests.support.slack import rendered
from tests.support.standup import make_standup

WENT_WRONG = "Something went wrong"
# What no stored text may hold: C0 controls but tab and newline, DEL and C1.
CONTROLS = {chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))} - {"\n", "\t"}
DIRTY = "a\x00b\x01c\x1b[31md\x7fe\x85f\r\ne\u0301"
CLEAN = "abc[31mdef\n\u00e9"  # NFC: e and its accent typed apart are one letter


def stored_texts(bot) -> list[tuple[str, str]]:
    """Every string in every record of the kinds people write, with where it is."""
    kinds = (Problem, Experiment, ErrorAnalysis, ErrorCategory, FollowUp, Decision, StandupAnswer)
    found = []
    with bot.runtime.db.transaction() as session:
        for kind in kinds:
            for row in session.scalars(select(kind).where(kind.team_id == TEAM)):
                for column in kind.__table__.columns:
                    value = getattr(row, column.key)
                    strings = value.values() if isinstance(value, dict) else [value]
                    found += [(f"{kind.__name__}.{column.key}", s) for s in strings]
    return [(where, s) for where, s in found if isinstance(s, str)]


def test_control_characters_typed_anywhere_are_stored_cleaned_on_every_engine(bot):
    with time_machine.travel(NOW, tick=True):
        frame(bot)
        make_standup(
            bot.runtime.db, bot.slack, team_id=TEAM, channel_id=CHANNEL, owner=ALICE, rule="team"
        )
        answers = [
            command(bot, "/problem", f"Churn {DIRTY}"),
            command(bot, "/experiment", f"P-1 0.7 {DIRTY}"),
            command(bot, "/problem", f"decide P-1 pivot {DIRTY}"),
        ]
        command(bot, "/experiment", "P-1")
        answers.append(bot.slack.submit_view(user_id=ALICE, values=experiment_values(1, DIRTY)))
        command(bot, "/analysis", "E-2")
        answers.append(bot.slack.submit_view(user_id=ALICE, values=analysis_values(DIRTY)))
        command(bot, "/standup", "now")
        click_answer(bot, ALICE)
        answers.append(
            bot.slack.submit_view(user_id=ALICE, values=answers_form(DIRTY, "x", "y", DIRTY))
        )
        bot.settle()

    assert all(a.status == 200 and WENT_WRONG not in rendered(a.body) for a in answers)
    texts = stored_texts(bot)
    assert [where for where, s in texts if CONTROLS & set(s)] == []
    with_text = {where for where, s in texts if CLEAN in s}
    assert {
        "Experiment.notes",  # the command's note and the form's
        "Experiment.approach",
        "Decision.rationale",
        "ErrorAnalysis.lessons",
        "FollowUp.text",
        "StandupAnswer.answers",
    } <= with_text
    assert problems(bot)[-1].title == " ".join(f"Churn {CLEAN}".split())
    ledger.record(
        area="attack",
        fault="NUL, ESC, DEL, C1 and CR in /problem, /experiment, /problem decide, the "
        "experiment and analysis forms and a standup answer",
        tries=len(answers),
        outcome="each saved without them, the same on SQLite and PostgreSQL",
    )


def test_a_lone_surrogate_in_a_form_is_dropped_not_an_error(bot):
    """JSON can escape half a UTF-16 pair (`\\ud800`); no database driver can encode it."""
    frame(bot)
    command(bot, "/experiment", "P-1")
    answer = bot.slack.submit_view(
        user_id=ALICE, values={**experiment_values(1), **form(notes=text("half\ud800 a pair"))}
    )
    bot.settle()

    assert answer.status == 200 and WENT_WRONG not in rendered(answer.body)
    assert [e.notes for e in experiments(bot)] == ["half a pair"]


def test_a_nul_never_reaches_a_log_line_and_a_typed_newline_cannot_forge_one(bot):
    frame(bot)
    written = io.StringIO()
    handler = logs.handler(written)
    logging.getLogger().addHandler(handler)
    try:
        # In the id: after it, a newline separates words (the values from the note) like a space.
        answer = command(bot, "/experiment", "P-1\x00\nERROR\x1b[2Jforged 0.8 note")
    finally:
        logging.getLogger().removeHandler(handler)

    assert "is not an id like P-12" in rendered(answer.body)
    lines = written.getvalue().splitlines()
    assert [line for line in lines if "told the user" in line and "forged" in line]
    assert not [line for line in lines if line.startswith("ERROR")]
    assert not CONTROLS & set(written.getvalue())


LOOSE = ["1_000", "٣", "1e-400", "1e400", "-1e400", "inf", "nan", "0x10", "1,5", "²", "1.2.3"]


def not_a_number(answer: Any, value: str) -> str:
    """The answer with the refused value put back as `abc`: the message other words get."""
    return rendered(answer.body).replace(f"'{value}'", "'abc'")


@pytest.mark.parametrize("value", LOOSE)
def test_a_number_float_would_guess_at_is_refused_like_a_word(bot, value):
    frame(bot)
    word = command(bot, "/experiment", "P-1 abc note")
    loose = command(bot, "/experiment", f"P-1 {value} note")
    command(bot, "/problem")
    form_answer = bot.slack.submit_view(
        user_id=ALICE,
        values=form(title=text("Churn"), baseline=text(value), target=text("0.9")),
    )

    assert "is not a number" in rendered(word.body)
    assert not_a_number(loose, value) == rendered(word.body)
    assert form_answer.body["response_action"] == "errors"
    assert form_answer.body["errors"]["baseline"] == (
        f"'{value}' is not a number. Type a plain number such as 0.83 or 12.5."
    )
    assert experiments(bot) == [] and len(problems(bot)) == 1


@pytest.mark.parametrize(
    ("field", "value"), [("sample_size", "²"), ("sample_size", "٣"), ("categories", "blurry: ٣")]
)
def test_counts_in_an_analysis_are_ascii_whole_numbers(bot, field, value):
    frame(bot)
    command(bot, "/experiment", "P-1 0.5 smoothing")
    command(bot, "/analysis", "E-1")
    answer = bot.slack.submit_view(
        user_id=ALICE, values={**analysis_values(), **form(**{field: text(value)})}
    )

    assert answer.status == 200
    assert "is not a " in answer.body["errors"][field], answer.body
    with bot.runtime.db.transaction() as session:
        assert session.scalars(select(ErrorAnalysis)).all() == []


def test_an_id_or_a_time_in_other_digits_is_not_read_as_one(bot):
    frame(bot)
    show = command(bot, "/problem", "show P-١")
    schedule = command(bot, "/digest", "schedule fri ٩:0٥")

    assert "'P-١' is not an id like P-12." in rendered(show.body)
    assert "'٩:0٥' is not a time of day. Use 24-hour HH:MM" in rendered(schedule.body)
    with bot.runtime.db.transaction() as session:
        assert session.scalars(select(Ritual)).all() == []


def test_a_forged_reminder_is_no_reminder_not_an_error(bot):
    command(bot, "/standup")
    reminder = {"value": {"type": "static_select", "selected_option": {"value": "²"}}}
    answer = bot.slack.submit_view(user_id=ALICE, values=settings_form(reminder_minutes=reminder))
    bot.settle()

    assert answer.status == 200 and answer.body is None
    with bot.runtime.db.transaction() as session:
        assert session.scalars(select(Ritual.reminder_minutes)).all() == [None]


INVISIBLE = ["\u200b", "\u200d\u200c", "\ufeff \u2060", "\u00a0\u3000\u2003", "\u3164", "\u0301"]


@pytest.mark.parametrize("title", INVISIBLE)
def test_a_title_that_shows_nothing_is_refused(bot, title):
    quick = command(bot, "/problem", f'"{title}"')
    command(bot, "/problem")
    modal = bot.slack.submit_view(user_id=ALICE, values=form(title=text(title)))
    bot.settle()

    assert "Give the problem a title, e.g. 'Churn model misses new users'." in rendered(quick.body)
    assert modal.body == {
        "response_action": "errors",
        "errors": {"title": "Give the problem a title, e.g. 'Churn model misses new users'."},
    }
    assert problems(bot) == []


def test_standup_questions_that_show_nothing_are_not_questions(bot):
    command(bot, "/standup")
    questions = {"value": {"type": "plain_text_input", "value": "\u200b\n\ufeff\u2060"}}
    answer = bot.slack.submit_view(user_id=ALICE, values=settings_form(questions=questions))

    assert answer.body == {
        "response_action": "errors",
        "errors": {"questions": "Ask at least one question, one per line."},
    }


# Property: any text in a free-text field --------------------------------------------------

TRIES: dict[str, int] = {}
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
CONTROL_TEXT = st.text(st.sampled_from([*sorted(CONTROLS), "e", " ", "\n", "\u0301", "\u00e9"]))
TYPED = st.one_of(ANY_TEXT, CONTROL_TEXT, st.builds(lambda a, b: a + b, CONTROL_TEXT, ANY_TEXT))


def expected(typed: str) -> str | None:
    """What a field holding `typed` is stored as: no controls, NFC, trimmed, None if empty."""
    kept = "".join(c for c in typed if c not in CONTROLS)
    return unicodedata.normalize("NFC", kept).strip() or None


@pytest.fixture(scope="module")
def framed(module_bot):
    frame(module_bot)
    return module_bot


def newest_experiment(bot) -> tuple[int, str | None] | None:
    found = experiments(bot)
    return (found[-1].number, found[-1].notes) if found else None


PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(typed=TYPED)
def test_any_note_is_stored_cleaned_or_refused_with_a_reason(framed, typed):
    before = newest_experiment(framed)
    # After a word: every number after the id is a seed's value, up to the first word.
    note = f"tried {typed}"
    answer = command(framed, "/experiment", f"P-1 0.7 {note}")
    after = newest_experiment(framed)
    TRIES["command"] = TRIES.get("command", 0) + 1

    assert answer.status == 200
    assert WENT_WRONG not in rendered(answer.body)
    if after != before:
        assert after[1] == expected(note)
    else:
        assert rendered(answer.body).strip()


@PROPERTY
@given(typed=TYPED)
def test_any_form_text_is_stored_cleaned_or_refused_with_a_reason(framed, typed):
    before = newest_experiment(framed)
    command(framed, "/experiment", "P-1")
    values = {**experiment_values(1), **form(notes=text(typed))}
    answer = framed.slack.submit_view(user_id=ALICE, values=values)
    framed.settle()
    after = newest_experiment(framed)
    TRIES["form"] = TRIES.get("form", 0) + 1

    assert answer.status == 200
    if after != before:
        assert after[1] == expected(typed)
    else:
        assert answer.body["response_action"] == "errors", answer.body
        assert answer.body["errors"]
    framed.slack.close_view(user_id=ALICE)


def test_zz_record_text_tries():
    ledger.record(
        area="bad input",
        fault="any unicode, C0/C1 controls and NUL as an /experiment note and in the "
        "experiment form's notes",
        tries=TRIES.get("command", 0) + TRIES.get("form", 0),
        outcome="200 every time; stored without controls, in NFC, or refused with a reason",
    )
