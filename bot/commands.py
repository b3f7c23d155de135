"""Parsing of slash-command text into what the user asked for. Pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.decisions.service import KINDS, check_rationale, kind_of
from bot.errors import UsageError
from bot.experiments import quick_log
from bot.problem_ties import LinkModel, SetMetricKey, SetWatchSource, parse_tie
from bot.problems.lists import Scope
from bot.watch.plan import WATCH_EXAMPLE, WatchDraft, split_options
from storage.problems import DecisionKind

QUOTES = "\"'“”‘’"
REF = re.compile(r"^([PEA])-?([0-9]{1,9})$", re.IGNORECASE)


def parse_ref(text: str, *, kind: str) -> int:
    """`P-12` (or `p12`) → 12; anything else is a usage error naming what to type."""
    match = REF.match(text.strip())
    if not match or match.group(1).upper() != kind:
        example = {"P": "P-12", "E": "E-34", "A": "A-5"}[kind]
        shown = text.strip()[:30] or "nothing"
        raise UsageError(f"'{shown}' is not an id like {example}.")
    return int(match.group(2))


def carried_number(value: object) -> int:
    """The record number a button or a form's metadata carries; 0, which no record has, for
    anything else (a forged value is then answered like a missing record)."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else 0


@dataclass(frozen=True)
class OpenForm:
    pass


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Capture:
    title: str


@dataclass(frozen=True)
class ListProblems:
    scope: str


@dataclass(frozen=True)
class ShowProblem:
    number: int


@dataclass(frozen=True)
class Decide:
    number: int
    kind: DecisionKind
    rationale: str
    watch: WatchDraft | None = None  # a ship's watch plan, as typed


@dataclass(frozen=True)
class Show:
    number: int


@dataclass(frozen=True)
class Edit:
    number: int


@dataclass(frozen=True)
class Delete:
    number: int


@dataclass(frozen=True)
class Restore:
    number: int


@dataclass(frozen=True)
class History:
    number: int


@dataclass(frozen=True)
class OpenExperimentForm:
    problem: int | None


@dataclass(frozen=True)
class QuickLog:
    problem: int
    values: str  # `0.83`, one per seed (`0.71 0.69 0.72`), or `broken`
    note: str
    eval_size: str | None = None  # the `2000` of `n=2000`
    run_url: str | None = None  # a run to read the values from (no values typed)


@dataclass(frozen=True)
class OpenAnalysisForm:
    experiment: int


@dataclass(frozen=True)
class OwedAnalyses:
    pass


ProblemCommand = (
    OpenForm
    | Help
    | Capture
    | ListProblems
    | ShowProblem
    | Decide
    | Edit
    | Delete
    | Restore
    | History
    | SetMetricKey
    | SetWatchSource
    | LinkModel
)
ExperimentCommand = OpenExperimentForm | QuickLog | Help | Show | Edit | Delete | Restore | History
AnalysisCommand = OpenAnalysisForm | OwedAnalyses | Help | Show | Edit | Delete | Restore | History
RECORD_VERBS = {
    "show": Show,
    "edit": Edit,
    "delete": Delete,
    "restore": Restore,
    "history": History,
}
DECIDE_USAGE = "Example: `/problem decide P-12 pivot recall plateaued; try a retrieval model`."
REOPEN_USAGE = "Example: `/problem reopen P-4 the new labels make rare classes learnable`."


def _record_verb(
    word: str, rest: str, *, kind: str, command: str
) -> Show | Edit | Delete | Restore | History:
    ref = rest.split()[0] if rest.split() else ""
    if not ref:
        example = {"P": "P-3", "E": "E-3", "A": "A-3"}[kind]
        raise UsageError(f"Say which record, e.g. `{command} {word} {example}`.")
    if len(rest.split()) > 1:
        raise UsageError(f"`{command} {word}` takes one id, e.g. `{command} {word} {ref}`.")
    return RECORD_VERBS[word](parse_ref(ref, kind=kind))


def _decide(rest: str) -> Decide:
    parts = rest.split(maxsplit=2)
    if len(parts) < 2:
        raise UsageError(f"Say which problem and what you decide ({KINDS}). {DECIDE_USAGE}")
    number = parse_ref(parts[0], kind="P")
    kind = kind_of(parts[1])
    rationale = parts[2] if len(parts) > 2 else ""
    if kind is not DecisionKind.SHIP:
        return Decide(number, kind, check_rationale(rationale))
    rationale, watch = split_options(rationale)
    return Decide(number, kind, check_rationale(rationale, example=WATCH_EXAMPLE), watch)


def _reopen(rest: str) -> Decide:
    """`/problem reopen P-4 <why>`: a decision, like the others, that opens P-4 again."""
    parts = rest.split(maxsplit=1)
    if not parts:
        raise UsageError(f"Say which problem to reopen and why. {REOPEN_USAGE}")
    number = parse_ref(parts[0], kind="P")
    example = f"/problem reopen P-{number} the new labels make rare classes learnable"
    if len(parts) < 2:
        raise UsageError(
            f"Say why P-{number} should be reopened, in a sentence: "
            f"`/problem reopen P-{number} <why>`, e.g. `{example}`."
        )
    return Decide(number, DecisionKind.REOPEN, check_rationale(parts[1], example=example))


def parse_problem(text: str) -> ProblemCommand:
    """What `/problem <text>` asks for."""
    text = text.strip()
    if not text:
        return OpenForm()
    if len(text) >= 2 and text[0] in QUOTES and text[-1] in QUOTES:
        return Capture(text[1:-1])
    word, _, rest = text.partition(" ")
    word, rest = word.lower(), rest.strip()
    if word == "help" and not rest:
        return Help()
    if word == "list":
        scope = (rest or Scope.OPEN).lower()
        if scope not in Scope.CHOICES:
            raise UsageError(
                f"`/problem list` takes open, mine or all, not '{rest[:40]}'. "
                "Example: `/problem list mine`. To capture a problem whose title starts "
                f'with "list", quote it: `/problem "{text[:60]}"`.'
            )
        return ListProblems(scope)
    if word == "show":
        if not rest:
            raise UsageError("Say which problem to show, e.g. `/problem show P-12`.")
        return ShowProblem(parse_ref(rest, kind="P"))
    if REF.match(word) and (tie := parse_tie(parse_ref(word, kind="P"), rest)) is not None:
        return tie
    if word in ("decide", "reopen", "edit", "delete", "restore", "history"):
        if rest and not REF.match(rest.split()[0]):
            raise UsageError(
                f"`/problem {word}` takes a problem id, e.g. `/problem {word} P-3`. To capture "
                f'a problem whose title starts with "{word}", quote it: `/problem "{text[:60]}"`.'
            )
        if word == "decide":
            return _decide(rest)
        if word == "reopen":
            return _reopen(rest)
        return _record_verb(word, rest, kind="P", command="/problem")
    return Capture(text)


def parse_experiment(text: str) -> ExperimentCommand:
    """What `/experiment <text>` asks for."""
    text = text.strip()
    if not text:
        return OpenExperimentForm(None)
    word, _, rest = text.partition(" ")
    lowered, rest = word.lower(), rest.strip()
    if lowered == "help" and not rest:
        return Help()
    if lowered in RECORD_VERBS:
        return _record_verb(lowered, rest, kind="E", command="/experiment")
    problem = parse_ref(word, kind="P")
    if not rest:
        return OpenExperimentForm(problem)
    return QuickLog(problem, *quick_log.parse(problem, rest))


def parse_analysis(text: str) -> AnalysisCommand:
    """What `/analysis <text>` asks for."""
    text = text.strip()
    if not text:
        return OwedAnalyses()
    word, _, rest = text.partition(" ")
    lowered, rest = word.lower(), rest.strip()
    if lowered == "help" and not rest:
        return Help()
    if lowered in RECORD_VERBS:
        return _record_verb(lowered, rest, kind="A", command="/analysis")
    if rest:
        raise UsageError(f"`/analysis` takes one experiment id, e.g. `/analysis {word[:12]}`.")
    return OpenAnalysisForm(parse_ref(word, kind="E"))
