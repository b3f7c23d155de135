"""`/ritual search`: ranking, links, workspace isolation, soft deletes and hostile input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.analyses import ErrorCategory
from storage.experiments import Experiment
from storage.problems import DecisionKind, Problem
from tests.conftest import ALICE, CHANNEL, OTHER_TEAM, TEAM
from tests.support.records import Seed
from tests.support.slack import rendered


def ritual(bot, text: str, *, team: str = TEAM, user: str = ALICE, channel: str = CHANNEL):
    answer = bot.slack.slash_command(
        team_id=team, user_id=user, channel_id=channel, command="/ritual", text=text
    )
    bot.settle()
    assert answer.status == 200
    assert answer.body["response_type"] == "ephemeral"
    return answer.body


def refs(body) -> list[str]:
    """The record ids in the order they are listed."""
    lines = [b["text"]["text"] for b in body["blocks"][1:] if b["type"] == "section"]
    return [line.split("*")[1].split("|")[-1].rstrip(">") for line in lines]


def test_a_title_match_outranks_a_mention_in_the_body(bot):
    seed = Seed(bot)
    seed.problem("Churn dashboard is slow", statement="Probability calibration is off too.")
    seed.problem("Calibration of fraud scores drifts")

    assert refs(ritual(bot, "search calibration")) == ["P-2", "P-1"]


def test_records_with_more_of_the_words_come_first(bot):
    seed = Seed(bot)
    problem = seed.problem("Intent classifier for support tickets")
    seed.experiment(problem, approach="Drop tokens with high noise scores")
    seed.experiment(problem, approach="Relabel with label noise filtering from crowd votes")
    seed.experiment(problem, approach="Smoothing the label distribution")

    first, *others = refs(ritual(bot, "search label noise"))
    assert first == "E-2" and set(others) == {"E-1", "E-3"}


def test_every_kind_of_record_is_found_with_its_lessons_causes_and_categories(bot):
    seed = Seed(bot, team=TEAM)
    problem = seed.problem(
        "Search ranking ignores recency", card_channel=CHANNEL, card_ts="1.000100"
    )
    experiment = seed.experiment(
        problem,
        approach="Add a freshness feature",
        message_channel=CHANNEL,
        message_ts="1700000000.000200",
    )
    seed.analysis(
        experiment,
        categories={"stale judgements": 14, "duplicate documents": 3},
        root_causes="Judged set predates the index rebuild",
        lessons="Refresh the judgements before every ranking experiment",
        message_ts="1700000001.000300",
    )
    seed.decision(problem, DecisionKind.PIVOT, "Freshness needs new judgements first")

    by_category = rendered(ritual(bot, "search duplicate documents"))
    by_lesson = rendered(ritual(bot, "search refresh judgements"))
    by_rationale = rendered(ritual(bot, "search pivot freshness"))

    assert "A-1" in by_category and "of E-1, stale judgements, duplicate documents" in by_category
    assert "A-1" in by_lesson
    assert "decision on P-1" in by_rationale and "E-1" in by_rationale
    # Ids link to the card or message they came from, in the caller's workspace.
    domain = bot.slack.workspace(TEAM).domain
    assert (
        f"<https://{domain}.slack.com/archives/{CHANNEL}/p1000100|decision on P-1>" in by_rationale
    )
    assert (
        f"<https://{domain}.slack.com/archives/{CHANNEL}/p1700000001000300"
        f"?thread_ts=1700000000.000200&cid={CHANNEL}|A-1>"
    ) in by_lesson


def test_a_category_added_later_makes_its_analysis_findable(bot):
    seed = Seed(bot)
    experiment = seed.experiment(seed.problem("OCR on receipts"), approach="Bigger backbone")
    analysis = seed.analysis(experiment, lessons="Look at the crops first")
    assert "Nothing in this workspace matches" in rendered(ritual(bot, "search glare"))

    with bot.runtime.db.transaction() as session:
        session.add(ErrorCategory(team_id=TEAM, analysis_id=analysis, name="glare", count=9))

    assert refs(ritual(bot, "search glare")) == ["A-1"]


def test_another_workspace_never_sees_these_records(bot):
    seed = Seed(bot)
    seed.experiment(seed.problem("Secret roadmap: voice cloning"), approach="Voice cloning v2")

    body = ritual(bot, "search voice cloning", team=OTHER_TEAM, user="U0MALLORY", channel="C0OTHER")

    assert "Nothing in this workspace matches" in rendered(body)
    assert "Secret" not in rendered(body)


def test_soft_deleted_records_and_the_records_under_them_are_hidden(bot):
    seed = Seed(bot)
    gone = seed.problem("Tabular anomaly detection")
    experiment = seed.experiment(gone, approach="Isolation forest for anomaly scores")
    seed.analysis(experiment, lessons="Anomaly labels were sparse")
    seed.decision(gone, DecisionKind.CUT, "Anomaly work paused")
    kept = seed.experiment(seed.problem("Fraud alerts"), approach="Anomaly score as a feature")
    lone = seed.experiment(seed.problem("Churn"), approach="Anomaly flags on usage")
    seed.analysis(lone, lessons="Anomaly flags fire on holidays")

    seed.soft_delete(Problem, gone)
    seed.soft_delete(Experiment, lone)
    assert refs(ritual(bot, "search anomaly")) == ["E-2"]

    seed.soft_delete(Problem, gone, deleted=False)
    assert set(refs(ritual(bot, "search anomaly"))) == {
        "P-1",
        "E-1",
        "A-1",
        "decision on P-1",
        "E-2",
    }
    assert kept


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"label',
        "label*",
        "*",
        "NEAR(label noise)",
        "label - noise",
        "-label",
        "label OR noise AND NOT x",
        "'; DROP TABLE problems;--",
        "' OR 1=1 --",
        "headline:label",
        "^label",
        "(label",
        "label & noise | !x <-> y",
        "%_\\",
        "'",
    ],
)
def test_query_syntax_and_sql_in_the_words_is_searched_as_plain_words(bot, query):
    seed = Seed(bot)
    seed.experiment(seed.problem("Label noise in tickets"), approach="Filter noisy label votes")

    shown = rendered(ritual(bot, f"search {query}"))

    assert "went wrong" not in shown
    if "label" in query.lower():
        assert "E-1" in shown and "P-1" in shown
    with bot.runtime.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Problem)) == 1


def test_nothing_found_says_so_and_how_to_search(bot):
    Seed(bot).problem("Cold start")

    body = ritual(bot, "search quantum annealing")

    assert "Nothing in this workspace matches *quantum annealing*" in rendered(body)
    assert "/ritual search" in rendered(body)


def test_only_common_words_is_explained(bot):
    Seed(bot).problem("The model")

    assert "only very common words" in rendered(ritual(bot, "search the and of"))


def test_search_without_words_shows_how_to_type_it(bot):
    body = ritual(bot, "search")

    assert "Say what to search for, e.g. `/ritual search label noise`" in rendered(body)
    assert "/ritual help" in rendered(body)


@pytest.mark.parametrize("text", ["", "help"])
def test_help_lists_the_ritual_commands(bot, text):
    body = ritual(bot, text)

    assert "/ritual search label noise" in body["text"] and "/ritual help" in body["text"]


def test_an_unknown_subcommand_says_what_to_type(bot):
    body = ritual(bot, "serch drift")

    assert "doesn't know 'serch drift'" in rendered(body)
    assert "/ritual search label noise" in rendered(body)


def test_user_text_in_results_never_pings(bot):
    Seed(bot).problem("<!channel> drift in <@U123> land")

    shown = rendered(ritual(bot, "search drift"))

    assert "<!channel>" not in shown and "<@U123>" not in shown
    assert "&lt;!channel&gt; drift" in shown


def test_a_broad_search_shows_the_ten_best_and_says_so(bot):
    seed = Seed(bot)
    for n in range(12):
        seed.problem(f"Drift in region {n}")

    body = ritual(bot, "search drift")

    assert "The 10 best matches for drift" in rendered(body)
    assert len(refs(body)) == 10


def test_a_live_record_is_found_below_many_better_matches_that_were_deleted(bot):
    seed = Seed(bot)
    gone = seed.problem("Anomaly program")
    for _ in range(45):
        seed.experiment(gone, approach="Anomaly anomaly detector")
    live = seed.experiment(seed.problem("Fraud"), approach="Rules", notes="an anomaly aside")
    seed.soft_delete(Problem, gone)

    assert refs(ritual(bot, "search anomaly")) == ["E-46"]
    assert live
