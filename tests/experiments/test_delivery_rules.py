"""Pure rules of the delivery track: command parsing, strict form parsing, prefill, builders."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.analyses.drafts import AnalysisDraft, check, parse_categories, with_shares
from bot.board.render import home, progress
from bot.board.service import Board
from bot.commands import (
    Decide,
    Delete,
    Edit,
    History,
    OpenAnalysisForm,
    OpenExperimentForm,
    OwedAnalyses,
    QuickLog,
    Restore,
    Show,
    parse_analysis,
    parse_experiment,
    parse_problem,
)
from bot.decisions.modals import decision_modal
from bot.decisions.service import DecisionRecord
from bot.errors import UsageError, ValidationFailed
from bot.experiments.choices import ProblemChoice
from bot.experiments.drafts import parse_metrics, quick_draft
from bot.experiments.modals import experiment_modal
from bot.experiments.service import ExperimentRecord
from bot.ids import ActionId
from bot.prefill import experiment_prefill, problem_prefill
from bot.problems.service import ProblemRecord
from bot.text import message_plain_text
from bot.watch.plan import WatchDraft
from storage.experiments import Outcome
from storage.problems import DecisionKind, Direction, ProblemStatus, Track

NOW = datetime(2026, 11, 27, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("", OpenExperimentForm(None)),
        ("P-12", OpenExperimentForm(12)),
        ("p12 0.83 added hard negatives", QuickLog(12, "0.83", "added hard negatives")),
        ("P-3 -1.5e-2", QuickLog(3, "-1.5e-2", "")),
        ("P-3 broken OOM at step 3", QuickLog(3, "broken", "OOM at step 3")),
        (
            "P-1 0.71 0.69 0.72 n=2000 class-balanced sampling",
            QuickLog(1, "0.71 0.69 0.72", "class-balanced sampling", "2000"),
        ),
        ("P-1 n=500 0.71, 0.69 3 layers", QuickLog(1, "0.71, 0.69 3", "layers", "500")),
        ("P-1 0.7 3-layer model\nretrained", QuickLog(1, "0.7", "3-layer model\nretrained")),
        ("show E-4", Show(4)),
        ("edit e4", Edit(4)),
        ("delete E-4", Delete(4)),
        ("restore E-4", Restore(4)),
        ("history E-4", History(4)),
    ],
)
def test_experiment_text_is_understood(text, parsed):
    assert parse_experiment(text) == parsed


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("P-12 high", "'high' is not a number"),
        ("P-12 0,83", "'0,83' is not a number"),
        ("P-12 0.8 0,83", "'0,83' is not a number"),
        ("P-12 0.8 n=-1", "n=-1: '-1' is not a number of examples"),
        ("P-12 n=100", "Give the metric's value too"),
        ("E-3 0.8", "not an id like P-12"),
        ("show P-3", "not an id like E-34"),
        ("restore", "Say which record"),
        ("delete E-3 E-4", "takes one id"),
    ],
)
def test_bad_experiment_text_says_what_to_type(text, says):
    with pytest.raises(UsageError, match=says):
        parse_experiment(text)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("", OwedAnalyses()),
        ("E-34", OpenAnalysisForm(34)),
        ("show A-5", Show(5)),
        ("history a5", History(5)),
    ],
)
def test_analysis_text_is_understood(text, parsed):
    assert parse_analysis(text) == parsed


@pytest.mark.parametrize("text", ["P-3", "E-3 now", "34", "edit E-3"])
def test_bad_analysis_text_is_refused(text):
    with pytest.raises(UsageError):
        parse_analysis(text)


def test_problem_decisions_and_record_verbs_are_understood():
    assert parse_problem("decide P-12 cut no gain after 4 tries") == Decide(
        12, DecisionKind.CUT, "no gain after 4 tries"
    )
    assert parse_problem("decide p-2 SHIP good enough") == Decide(
        2, DecisionKind.SHIP, "good enough", WatchDraft()
    )
    # A ship's watch plan words come out of its rationale, whatever their case or place.
    assert parse_problem("decide P-2 ship Alert=-5% good enough retrain=90d") == Decide(
        2, DecisionKind.SHIP, "good enough", WatchDraft(alert="-5%", retrain="90d")
    )
    # Other decisions keep their rationale as typed.
    assert parse_problem("decide P-2 pivot alert=-5% was wrong") == Decide(
        2, DecisionKind.PIVOT, "alert=-5% was wrong"
    )
    assert parse_problem("reopen P-4 new labels, worth another try") == Decide(
        4, DecisionKind.REOPEN, "new labels, worth another try"
    )
    assert parse_problem("history P-3") == History(3)
    assert parse_problem("delete P-3") == Delete(3)
    assert parse_problem("edit p3") == Edit(3)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("decide P-12 abandon it", "'abandon' is not a decision"),
        ("decide P-12 pivot", "Say why"),
        ("decide P-12", "Say which problem and what you decide"),
        ("decide E-3 cut why", "not an id like P-12"),
        ("delete stale features", "quote it"),
        ("decide between two embeddings", "quote it"),
        (
            "reopen P-4",
            "Say why P-4 should be reopened, in a sentence: `/problem reopen P-4 <why>`",
        ),
        ("reopen", "Say which problem to reopen and why"),
        ("reopen the churn idea", "quote it"),
    ],
)
def test_bad_problem_text_says_what_to_type(text, says):
    with pytest.raises(UsageError, match=says):
        parse_problem(text)


def test_quick_draft_takes_the_first_link_of_the_note_as_the_run():
    draft = quick_draft(QuickLog(3, "0.8", "see https://wandb.ai/a/b/runs/c1, better"))
    assert draft.run_url == "https://wandb.ai/a/b/runs/c1"
    assert draft.notes == "see https://wandb.ai/a/b/runs/c1, better"
    assert quick_draft(QuickLog(3, "broken", "")).value is None


def test_other_metrics_are_parsed_strictly():
    assert parse_metrics("p95_ms: 41\nsize_mb = 12.5\n\n") == {"p95_ms": 41.0, "size_mb": 12.5}
    for bad, says in [
        ("p95_ms 41", "Line 1"),
        ("a: 1\nb: fast", "'fast' is not a number"),
        ("a: 1\na: 2", "given twice"),
        ("a: nan", "not a number"),
    ]:
        with pytest.raises(ValueError, match=says):
            parse_metrics(bad)


def test_error_categories_are_parsed_strictly_and_shares_computed():
    counts = parse_categories("blurry images: 30\n\nwrong label:10")
    assert counts == [("blurry images", 30), ("wrong label", 10)]
    shares = with_shares(counts)
    assert [c.share for c in shares] == [0.75, 0.25]
    assert with_shares([("none", 0)])[0].share == 0.0
    for bad, says in [
        ("blurry 30", "Line 1 .* should read `name: count`"),
        ("a: 3\nb: lots", "Line 2: 'lots' is not a whole number"),
        ("a: -3", "not a whole number"),
        ("a: 1.5", "not a whole number"),
        ("Blurry: 1\nblurry: 2", "listed twice"),
        ("a: 1\n\nb 2", "Line 3"),  # numbered as the user sees the lines, blanks included
    ]:
        with pytest.raises(ValueError, match=says):
            parse_categories(bad)


def test_an_analysis_form_names_each_bad_field():
    with pytest.raises(ValidationFailed) as refused:
        check(
            AnalysisDraft(
                sample_size="two hundred",
                categories="blurry 30",
                follow_ups=(("", "U0BOB"), ("relabel", None)),
            )
        )
    assert set(refused.value.errors) == {"sample_size", "categories", "follow_up_0"}
    with pytest.raises(ValidationFailed, match="root causes"):
        check(AnalysisDraft())


def test_message_text_becomes_what_a_reader_saw():
    text = "<!here> <@U123|ada> see <https://x.io/a|the run> in <#C1|ml> &lt;3 &amp; <https://y.io>"
    assert (
        message_plain_text(text)
        == "@here @ada see the run (https://x.io/a) in #ml <3 & https://y.io"
    )


def test_prefill_from_a_message():
    problem = problem_prefill("Churn model misses *new users*\nThey churn in week one &amp; more")
    assert problem["title"] == "Churn model misses *new users*"
    assert problem["statement"].endswith("week one & more")
    experiment = experiment_prefill("P-7: tried focal loss <https://wandb.ai/a/b/runs/x9>, 0.81")
    assert experiment["problem"] == "7"
    assert experiment["run_url"] == "https://wandb.ai/a/b/runs/x9"
    assert "focal loss" in experiment["notes"]
    typed = experiment_prefill("focal loss &lt;https://wandb.ai/a/b/runs/x9|run x9&gt;")
    assert "run_url" not in typed  # the form would refuse `…/x9|run`: no run link to fix first


def problem(number: int, *, title: str = "Recall", track: Track = Track.DELIVERY, **extra):
    values = dict(
        team_id="T1",
        number=number,
        title=title,
        statement=None,
        user_value=None,
        feasibility=None,
        metric_name="recall",
        metric_definition=None,
        direction=Direction.HIGHER,
        baseline=0.7,
        target=0.8,
        guardrails=None,
        data_sources=None,
        prior_work=None,
        track=track,
        status=ProblemStatus.OPEN,
        owner_id="U1",
        created_by="U1",
        channel_id="C1",
        review_on=None,
        kill_criteria=None,
        source_permalink=None,
        card_channel=None,
        card_ts=None,
        created_at=NOW,
    )
    return ProblemRecord(**(values | extra))


def experiment(number: int) -> ExperimentRecord:
    return ExperimentRecord(
        team_id="T1",
        number=number,
        problem_number=1,
        hypothesis=None,
        approach="x" * 300,
        dataset=None,
        value=0.6,
        metrics={},
        outcome=Outcome.WORSE,
        run_url=None,
        notes=None,
        source_permalink=None,
        author_id="U1",
        channel_id="C1",
        message_channel=None,
        message_ts=None,
        created_at=NOW,
        deleted_at=None,
        analyses=(),
    )


def test_progress_shows_baseline_best_and_target_in_either_direction():
    assert progress(problem(1), 0.75) == "recall ↑ 0.7 → best 0.75 → target 0.8 (50% of the way)"
    latency = problem(2, direction=Direction.LOWER, baseline=120.0, target=80.0)
    assert progress(latency, 90.0).endswith("(75% of the way)")
    assert progress(problem(3), None) == "recall ↑ 0.7 → best — → target 0.8"


def test_a_full_board_stays_under_slacks_100_blocks():
    board = Board(
        problems={
            Track.DISCOVERY: tuple(problem(n, track=Track.DISCOVERY) for n in range(60)),
            Track.DELIVERY: tuple(problem(n) for n in range(60, 130)),
        },
        owed=tuple(experiment(n) for n in range(40)),
        decisions=tuple(
            DecisionRecord(
                problem_number=n,
                problem_title="t" * 200,
                kind=DecisionKind.PIVOT,
                rationale="r" * 3000,
                decided_by="U1",
                decided_at=NOW,
            )
            for n in range(5)
        ),
    )
    view = home(board)
    assert len(view["blocks"]) < 100
    assert "…and 30 more: `/analysis` lists them." in str(view)
    shown = str(view)
    assert "r" * 150 in shown  # the decisions are not cut off
    assert "Next rituals" in shown and "None scheduled" in shown  # nor are the rituals
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in view["blocks"])


def test_the_experiment_builder_prefills_by_field_name_and_keeps_text_plain():
    latency = problem(7, title="Latency of the ranking service " + "at p95 " * 20)
    view = experiment_modal(
        choice=ProblemChoice(any_open=True, chosen=latency),
        channel_id="C1",
        prefill={"notes": "<!channel> & <b>", "value": "0.81"},
    )
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    menu = blocks["problem"]["element"]
    # Loaded from the app as the person types: a static menu holds only 100 problems.
    assert (menu["type"], menu["action_id"], menu["min_query_length"]) == (
        "external_select",
        ActionId.PROBLEM_CHOICE,
        0,
    )
    assert menu["initial_option"]["value"] == "7"
    assert menu["initial_option"]["text"]["text"].startswith("P-7 Latency of the ranking")
    assert len(menu["initial_option"]["text"]["text"]) == 75
    assert blocks["notes"]["element"]["initial_value"] == "<!channel> & <b>"
    assert blocks["value"]["element"]["initial_value"] == "0.81"
    assert len(view["title"]["text"]) <= 24


def test_with_no_open_problem_the_experiment_form_says_to_frame_one():
    view = experiment_modal(choice=ProblemChoice(any_open=False, chosen=None), channel_id="C1")
    assert "submit" not in view
    assert "Frame one first" in view["blocks"][0]["text"]["text"]


def test_decision_form_titles_fit_slacks_24_characters():
    for kind in DecisionKind:
        view = decision_modal(problem=problem(123456789), kind=kind, channel_id="C1")
        assert len(view["title"]["text"]) <= 24


def test_long_records_render_within_slacks_message_limits():
    from dataclasses import replace

    from bot.experiments.render import detail as experiment_detail
    from bot.experiments.service import Logged
    from bot.history.render import versions
    from bot.history.service import Change, Version
    from bot.metric import Metric
    from bot.problems.render import detail as problem_detail
    from bot.verdict import judge

    long = "x" * 3000
    e = replace(experiment(1), hypothesis=long, approach=long, notes=long, dataset="d" * 300)
    logged = Logged(
        experiment=e,
        problem=problem(1),
        judgement=judge([0.6], metric=Metric(Direction.HIGHER), baseline=0.7, target=0.8),
    )
    decided = tuple(
        DecisionRecord(
            problem_number=1,
            problem_title="t",
            kind=DecisionKind.CONTINUE,
            rationale=long,
            decided_by="U1",
            decided_at=NOW,
        )
        for _ in range(30)
    )
    history = tuple(
        Version(
            action="edit",
            changed_by="U1",
            changed_at=NOW,
            changes=tuple(Change(field=f"f{i}", old=long, new=long + "y") for i in range(16)),
        )
        for _ in range(40)
    )
    for blocks in (
        experiment_detail(logged),
        problem_detail(problem(1), experiments=(e,) * 10, decisions=decided),
        versions("P-1", history),
    ):
        assert len(blocks) <= 50
        assert all(len((b.get("text") or {}).get("text", "")) <= 3000 for b in blocks)
    # Long fields are cut across sections, never clipped: every character is shown.
    assert rendered_text(experiment_detail(logged)).count("x") == 3 * 3000


def rendered_text(blocks) -> str:
    return "\n".join((b.get("text") or {}).get("text", "") for b in blocks)


def test_paragraphs_never_cut_inside_an_entity():
    from bot.blocks import paragraphs
    from bot.text import escape

    text = escape("a" * 2896 + "<" * 3000)
    pieces = [b["text"]["text"] for b in paragraphs(text)]
    assert "".join(pieces) == text
    assert all(len(p) <= 2900 for p in pieces)
    assert all(not p.startswith(("lt;", "t;", ";")) for p in pieces)
