"""The delivery track's forms: log an experiment, write an error analysis."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import forms
from bot.analyses.service import AnalysisRecord
from bot.blocks import context, section
from bot.decisions.closure import notice
from bot.experiments.choices import ProblemChoice
from bot.experiments.drafts import DATASET_MAX
from bot.experiments.render import OUTCOME_LABEL, num
from bot.experiments.service import ExperimentRecord
from bot.forms import MessageRef
from bot.ids import ActionId, AnalysisField, CallbackId, ExperimentField
from bot.problems.service import ProblemRecord
from bot.text import escape

X = ExperimentField
A = AnalysisField
FOLLOW_UP_ROWS = 3
FOLLOW_UP_ROWS_MAX = 10
OPTION_TEXT = 75
VALUES_MAX = 2000


def problem_option(problem: ProblemRecord) -> dict[str, Any]:
    """A problem as a menu option: its id as the value, its ref and title as plain text."""
    return forms.option(str(problem.number), f"{problem.ref} {problem.title}"[:OPTION_TEXT])


def experiment_modal(
    *,
    channel_id: str | None,
    choice: ProblemChoice | None = None,
    prefill: Mapping[str, str | None] | None = None,
    source: MessageRef | None = None,
    experiment: ExperimentRecord | None = None,
) -> dict[str, Any]:
    """The experiment form: a new one (prefilled by field name), or `experiment` to edit.

    For a new one, `choice` says whether any problem is open and which one to preselect;
    the menu loads the others from the app as the person types. `prefill` keys are ExperimentField values;
    `source` is the message it is logged from, linked from the experiment once saved.
    """
    e = experiment
    prefill = dict(prefill or {})
    metadata: dict[str, Any] = {
        "channel": channel_id,
        "experiment": e.number if e else None,
        "source": source.dump() if source else None,
    }
    # Opened for a closed problem (a message that names it): why it is not chosen.
    closed = [section(f":no_entry: {notice(choice.closed)}")] if choice and choice.closed else []
    if e is None and (choice is None or not choice.any_open):
        return forms.modal(
            CallbackId.EXPERIMENT_MODAL,
            "Log an experiment",
            metadata,
            [
                *closed,
                section(
                    "There are no open problems to log an experiment against. Frame one first "
                    "with `/problem`: an experiment is judged against its problem's metric."
                ),
            ],
            submit=None,
        )

    def initial(field: X, stored: Any) -> str | None:
        if e is not None:
            return None if stored is None else str(stored)
        return prefill.get(field)

    blocks: list[dict[str, Any]] = [*closed]
    if e is None:
        blocks.append(
            forms.type_ahead(
                X.PROBLEM,
                "Problem",
                action_id=ActionId.PROBLEM_CHOICE,
                initial=problem_option(choice.chosen) if choice and choice.chosen else None,
                placeholder="Type P-12 or words of its title",
                hint="The experiment is judged against this problem's metric, baseline and target.",
            )
        )
    else:
        blocks.append(context(f"*{e.ref}* on *P-{e.problem_number}*"))
    if source is not None and e is None:
        blocks.append(
            context(f"Logged from a message in <#{source.channel}>; it will link back to it.")
        )
    blocks += [
        forms.text_input(
            X.HYPOTHESIS,
            "Hypothesis",
            initial(X.HYPOTHESIS, e and e.hypothesis),
            multiline=True,
            placeholder="Hard negatives will lift recall on rare classes",
        ),
        forms.text_input(
            X.APPROACH,
            "Approach (the one change tried)",
            initial(X.APPROACH, e and e.approach),
            multiline=True,
        ),
        forms.text_input(
            X.DATASET,
            "Dataset and version",
            initial(X.DATASET, e and e.dataset),
            max_length=DATASET_MAX,
            placeholder="eval-2026-10 v3",
        ),
        forms.text_input(
            X.VALUE,
            "Metric values (one per seed)",
            initial(X.VALUE, e and " ".join(repr(v) for v in e.seeds)),
            max_length=VALUES_MAX,
            placeholder="0.71 0.69 0.72",
            hint="The problem's primary metric: its value, or one per seed (the same run "
            "repeated with another seed), separated by spaces. Leave empty if the run broke "
            "and nothing was measured.",
        ),
        forms.text_input(
            X.EVAL_SIZE,
            "Evaluation examples (n)",
            initial(X.EVAL_SIZE, e and e.eval_size),
            max_length=12,
            placeholder="2000",
            hint="How many examples the run was evaluated on; empty: the problem's "
            "evaluation set size.",
        ),
        forms.text_input(
            X.METRICS,
            "Other metrics",
            initial(
                X.METRICS,
                "\n".join(f"{k}: {v!r}" for k, v in e.metrics.items()) if e and e.metrics else None,
            ),
            multiline=True,
            max_length=1500,
            placeholder="p95_ms: 41",
            hint="Guardrails and others, one `name: value` per line.",
        ),
        forms.text_input(
            X.RUN_URL,
            "Link to the run",
            initial(X.RUN_URL, e and e.run_url),
            max_length=2000,
            placeholder="https://wandb.ai/team/project/runs/abc123",
            hint="MLflow or W&B run, notebook, or commit.",
        ),
        forms.text_input(X.NOTES, "Notes", initial(X.NOTES, e and e.notes), multiline=True),
    ]
    title = f"Edit {e.ref}" if e else "Log an experiment"
    return forms.modal(CallbackId.EXPERIMENT_MODAL, title, metadata, blocks)


def analysis_modal(
    *,
    experiment: ExperimentRecord,
    analysis: AnalysisRecord | None = None,
) -> dict[str, Any]:
    """The error-analysis form for an experiment; with `analysis` it edits that one."""
    e, a = experiment, analysis
    existing = a.follow_ups if a else ()
    rows = min(FOLLOW_UP_ROWS_MAX, max(FOLLOW_UP_ROWS, len(existing) + 1))
    categories = "\n".join(f"{c.name}: {c.count}" for c in a.categories) if a else None
    blocks: list[dict[str, Any]] = [
        context(
            f"*E-{e.number}* on P-{e.problem_number}: {OUTCOME_LABEL[e.outcome]} "
            f"({num(e.value)}) · {escape((e.approach or e.notes or '')[:200])}"
        ),
        forms.text_input(
            A.SAMPLE_SIZE,
            "Sample examined: size",
            str(a.sample_size) if a and a.sample_size is not None else None,
            max_length=12,
            placeholder="200",
            hint="How many errors you looked at: each category's share of them says how much "
            "fixing it could gain.",
        ),
        forms.text_input(
            A.SAMPLE_METHOD,
            "How the sample was chosen",
            a.sample_method if a else None,
            multiline=True,
            placeholder="Random 200 of the false negatives on eval-2026-10",
        ),
        forms.text_input(
            A.CATEGORIES,
            "Error categories with counts",
            categories,
            multiline=True,
            placeholder="blurry images: 34\nwrong label: 12",
            hint="One `name: count` per line; shares are computed.",
        ),
        forms.text_input(A.SLICES, "Slices examined", a.slices if a else None, multiline=True),
        forms.text_input(
            A.ROOT_CAUSES, "Root causes", a.root_causes if a else None, multiline=True
        ),
        forms.text_input(
            A.NEXT_STEPS, "What to try next", a.next_steps if a else None, multiline=True
        ),
        forms.text_input(A.LESSONS, "Lessons learned", a.lessons if a else None, multiline=True),
    ]
    for index in range(rows):
        item = existing[index] if index < len(existing) else None
        blocks.append(
            forms.text_input(
                f"follow_up_{index}",
                f"Follow-up {index + 1}",
                item.text if item else None,
                max_length=500,
            )
        )
        owner: dict[str, Any] = {"type": "users_select"}
        if item and item.owner_id:
            owner["initial_user"] = item.owner_id
        blocks.append(forms.input_block(f"owner_{index}", f"Owner of follow-up {index + 1}", owner))
    metadata = {"experiment": e.number, "analysis": a.number if a else None}
    title = f"Edit {a.ref}" if a else f"Analyse E-{e.number}"
    return forms.modal(CallbackId.ANALYSIS_MODAL, title, metadata, blocks)


def read_follow_ups(values: Mapping[str, str | None]) -> tuple[tuple[str | None, str | None], ...]:
    """The (what, owner) follow-up rows of a submitted analysis form, in order."""
    rows = []
    for index in range(FOLLOW_UP_ROWS_MAX):
        if f"follow_up_{index}" not in values and f"owner_{index}" not in values:
            break
        rows.append((values.get(f"follow_up_{index}"), values.get(f"owner_{index}")))
    return tuple(rows)


ANALYSIS_FIELDS = {
    *AnalysisField,
    *(f"follow_up_{i}" for i in range(FOLLOW_UP_ROWS_MAX)),
    *(f"owner_{i}" for i in range(FOLLOW_UP_ROWS_MAX)),
}
