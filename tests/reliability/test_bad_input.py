"""Property-based: any text after /problem and any values in its form get a 200 and an
answer; what is refused is explained and writes nothing; what is stored is what was typed."""

from __future__ import annotations

import json
import unicodedata
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.ids import ProblemField
from bot.text import clean
from storage.problems import Problem
from tests.conftest import ALICE, BOB, CHANNEL, TEAM
from tests.support import ledger
from tests.support.signed import post_payload, submission_payload
from tests.support.slack import rendered

EXAMPLES = 40
TRIES: dict[str, int] = {}

# Text as people (and broken clients) type it: any unicode but lone surrogates, plus the
# awkward kinds named on purpose.
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
AWKWARD = st.sampled_from(
    [
        "",
        "   ",
        "\t\n \u00a0\u2003",
        "\x00",
        "Churn\x00model",
        "🔥" * 40,
        "مرحبا بالعالم نموذج",  # right-to-left
        "\u202eevil\u202c",
        "e\u0301\u0301\u0301\u0301 combining",
        "x" * 10_000,
        " ".join(["word"] * 2_000),
        '"',
        '""',
        "“”",
        "'quoted title'",
        "show",
        "show P-",
        "show P-0",
        "show P-999999999",
        "show P-1 P-2",
        "show E-12",
        "show P-١٢",  # Arabic-Indic digits
        "list everything",
        "list open please",
        "LIST MINE",
        "help me",
        "help",
        "<!channel>",
        "'; DROP TABLE problems; --",
        "%00%27",
    ]
)
COMMAND_TEXT = st.one_of(AWKWARD, ANY_TEXT, st.builds(lambda a, b: a + b, AWKWARD, ANY_TEXT))


def in_order(needle: str, haystack: str) -> bool:
    """Whether needle's characters appear in haystack in the same order."""
    rest = iter(haystack)
    return all(c in rest for c in needle)


def snapshot(db) -> list[tuple]:
    with db.transaction() as session:
        rows = session.scalars(select(Problem).order_by(Problem.team_id, Problem.number))
        return [(p.team_id, p.number, p.title, p.statement, p.baseline, p.target) for p in rows]


def count_try(kind: str) -> None:
    TRIES[kind] = TRIES.get(kind, 0) + 1


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(typed=COMMAND_TEXT)
def test_any_command_text_is_answered_and_never_half_written(module_bot, typed):
    made = module_bot
    before = snapshot(made.runtime.db)
    opened = len(made.slack.calls("views.open"))
    answer = made.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text=typed
    )
    made.settle()
    after = snapshot(made.runtime.db)
    count_try("command")

    assert answer.status == 200
    if answer.body is None:  # nothing but blanks and control characters: the form opens
        assert not clean(typed).strip() and len(made.slack.calls("views.open")) == opened + 1
        assert after == before
        return
    assert answer.body["response_type"] == "ephemeral"
    assert rendered(answer.body).strip()
    new = [row for row in after if row not in before]
    if "Captured *P-" in rendered(answer.body):
        [row] = new
        title = row[2]
        assert title and title == " ".join(title.split())
        assert not any(unicodedata.category(c) == "Cc" for c in title)
        assert in_order(title.replace(" ", ""), clean(typed)), (
            "the stored title is not what was typed"
        )
    else:
        assert new == []


def text_input(value):
    return {"type": "plain_text_input", "value": value}


def option(value):
    return {"type": "static_select", "selected_option": None if value is None else {"value": value}}


FIELD_TEXT = st.one_of(st.none(), AWKWARD, ANY_TEXT)
NUMBERS = st.one_of(
    FIELD_TEXT,
    st.sampled_from(["0.5", "1e309", "-inf", "nan", "1,5", "0x10", "1_000", " 7 ", "١٢"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
DATES = st.one_of(
    st.none(),
    st.sampled_from(["2026-02-30", "31/12/2026", "yesterday", "0000-00-00", "2020-01-01"]),
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
    st.just((date.today() + timedelta(days=30)).isoformat()),
)
FORM = st.fixed_dictionaries(
    {
        **{
            f.value: FIELD_TEXT.map(text_input)
            for f in ProblemField
            if f.value not in ("direction", "track", "owner_id", "review_on", "baseline", "target")
        },
        "baseline": NUMBERS.map(text_input),
        "target": NUMBERS.map(text_input),
        "direction": st.one_of(st.sampled_from(["higher", "lower"]), FIELD_TEXT).map(option),
        "track": st.one_of(st.sampled_from(["discovery", "delivery"]), FIELD_TEXT).map(option),
        "owner_id": st.one_of(st.just(BOB), FIELD_TEXT).map(
            lambda u: {"type": "users_select", "selected_user": u}
        ),
        "review_on": DATES.map(lambda d: {"type": "datepicker", "selected_date": d}),
    }
)
METADATA = st.one_of(
    st.just({"channel": CHANNEL, "problem": None}),
    st.fixed_dictionaries(
        {
            "channel": st.one_of(st.none(), st.just(CHANNEL), FIELD_TEXT),
            "problem": st.one_of(
                st.none(),
                st.sampled_from([0, -1, 10**12, 2**63, "1", "P-1", 1.5, [], {}]),
            ),
        }
    ),
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(values=FORM, metadata=METADATA)
def test_any_form_values_are_answered_and_never_half_written(module_bot, values, metadata):
    made = module_bot
    before = snapshot(made.runtime.db)
    answer = post_payload(
        f"{made.url}/slack/events",
        submission_payload(
            made.slack,
            values={block: {"value": element} for block, element in values.items()},
            metadata=metadata,
        ),
    )
    made.settle()
    after = snapshot(made.runtime.db)
    count_try("form")

    assert answer.status_code == 200
    body = answer.json() if answer.content else None
    # Saved: the form closes, or is replaced by "saved, and here is what was tried before".
    if body is None or body.get("response_action") == "update":
        assert metadata.get("problem") is None
        assert len(after) == len(before) + 1
        return
    assert after == before, "a refused form wrote something"
    if body["response_action"] == "errors":
        assert body["errors"] and set(body["errors"]) <= {f.value for f in ProblemField}
    else:  # an id that is not a problem here: the same notice as for a missing one
        assert body["response_action"] == "push"
        assert metadata.get("problem") is not None
        assert "There is no problem" in json.dumps(body)


def test_tampered_form_metadata_reads_as_a_missing_problem(module_bot):
    """private_metadata comes back from Slack as the app wrote it; if it does not, no 500."""
    for problem in (0, -1, 10**12, 2**63, "1", "P-1", 1.5, [], {}):
        answer = post_payload(
            f"{module_bot.url}/slack/events",
            submission_payload(
                module_bot.slack,
                values={"title": {"value": text_input("Tampered")}},
                metadata={"channel": CHANNEL, "problem": problem},
            ),
        )
        module_bot.settle()
        count_try("form")
        assert answer.status_code == 200
        assert "There is no problem" in answer.text, problem


def test_zz_record_bad_input_tries():
    ledger.record(
        area="bad input",
        fault="/problem text: random unicode, emoji, RTL, combining marks, NUL, blank, "
        "10,000 characters, almost-valid subcommands",
        tries=TRIES.get("command", 0),
        outcome="200 and an ephemeral answer (or the form) every time; refused ones wrote nothing",
    )
    ledger.record(
        area="bad input",
        fault="problem form: the same texts in every field, bad numbers and dates, unknown "
        "options and owners, tampered private_metadata",
        tries=TRIES.get("form", 0),
        outcome="200 every time; inline field errors or a notice; refused ones wrote nothing",
    )
