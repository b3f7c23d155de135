"""The demo team's three weeks of work, as the drafts its people typed into the bot's forms."""

from __future__ import annotations

from dataclasses import dataclass

from bot.analyses.drafts import AnalysisDraft
from bot.experiments.drafts import ExperimentDraft
from bot.problems.draft import ProblemDraft
from sandbox.demo_team import ADA, BILAL, CHEN, PRIYA
from storage.problems import DecisionKind


@dataclass(frozen=True)
class DemoProblem:
    owner: str
    days_ago: int
    draft: ProblemDraft


PROBLEMS = (
    DemoProblem(
        ADA,
        21,
        ProblemDraft(
            title="Churn model misses new users",
            statement="Accounts younger than 30 days churn unseen: the model flags only a third of them, so retention calls come too late.",
            user_value="Customer success asked for it twice this quarter; 40% of churn is in the first month.",
            feasibility="Session logs cover new users from day one; labels lag 30 days.",
            metric_name="recall@10%",
            metric_definition="Recall among accounts < 30 days old, at a 10% alert budget, on the October holdout.",
            direction="higher",
            baseline="0.62",
            target="0.75",
            guardrails="Precision at the same budget stays above 0.40.",
            data_sources="events.sessions, billing.accounts",
            track="delivery",
            kill_criteria="No approach above 0.68 after four experiments.",
        ),
    ),
    DemoProblem(
        CHEN,
        14,
        ProblemDraft(
            title="Search ranking is too slow on mobile",
            statement="Mobile users wait for results; p95 latency of the re-ranker is 180 ms.",
            metric_name="p95 latency (ms)",
            direction="lower",
            baseline="180",
            target="120",
            guardrails="nDCG@10 does not drop more than 0.005.",
            track="delivery",
        ),
    ),
    DemoProblem(
        PRIYA,
        3,
        ProblemDraft(
            title="Can we auto-tag support tickets?",
            statement="Agents tag every ticket by hand, about 2 minutes each.",
            user_value="The support lead would use it if it is right 9 times in 10.",
            track="discovery",
        ),
    ),
)


@dataclass(frozen=True)
class DemoExperiment:
    problem: int  # index into PROBLEMS
    author: str
    days_ago: int
    draft: ExperimentDraft


EXPERIMENTS = (
    DemoExperiment(
        0,
        ADA,
        18,
        ExperimentDraft(
            hypothesis="Session-count features let the model see new users at all.",
            approach="GBM + 7-day session aggregates",
            dataset="oct-holdout-v2",
            value="0.66",
            run_url="https://wandb.ai/ritual-lab/churn/runs/gbm-agg7",
        ),
    ),
    DemoExperiment(
        0,
        BILAL,
        12,
        ExperimentDraft(
            hypothesis="A sequence model over raw events beats hand-made aggregates.",
            approach="GRU over the first 50 events",
            dataset="oct-holdout-v2",
            value="0.58",
            notes="Trains fine, but recall drops for the newest accounts.",
        ),
    ),
    DemoExperiment(
        1,
        CHEN,
        9,
        ExperimentDraft(
            hypothesis="Distilling the re-ranker halves its cost.",
            approach="6-layer distilled cross-encoder",
            dataset="mobile-queries-nov",
            value="131",
        ),
    ),
    DemoExperiment(
        1,
        CHEN,
        4,
        ExperimentDraft(
            hypothesis="int8 quantisation on top of distillation keeps quality.",
            approach="distilled + int8, ONNX runtime",
            dataset="mobile-queries-nov",
            value="112",
            metrics="ndcg@10_delta: -0.002",
        ),
    ),
    DemoExperiment(
        0,
        ADA,
        2,
        ExperimentDraft(
            hypothesis="Backing off to aggregates below 3 sessions fixes the cold-start slice.",
            approach="GBM + aggregates, cold-start back-off (from A-1)",
            dataset="oct-holdout-v2",
            value="0.71",
        ),
    ),
)
FAILED = 1  # the index in EXPERIMENTS of the one that gets an error analysis
ANALYSIS = AnalysisDraft(
    sample_size="60",
    sample_method="60 missed churners from the holdout, drawn at random",
    categories=(
        "fewer than 3 sessions: 41\nlabel noise (reactivated accounts): 11\nenterprise trials: 8"
    ),
    slices="account age, sessions in the first week, plan",
    root_causes="The GRU needs history: with under 3 sessions it has almost nothing to read.",
    next_steps="Back-off to aggregates for accounts with fewer than 3 sessions.",
    lessons="Sequence models are not a fit for the cold-start slice; measure that slice first.",
    follow_ups=(
        ("Add a cold-start back-off and rerun E-1's setup", ADA),
        ("Drop reactivated accounts from the churn labels", BILAL),
    ),
)
ANALYSIS_DAYS_AGO = 10
DECISION = (
    1,
    CHEN,
    3,
    DecisionKind.SHIP,
    "p95 112 ms meets the target; nDCG@10 within the guardrail.",
)
