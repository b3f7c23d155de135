"""`/problem P-12 metric-key|watch-source|model …`: what ties a problem to the team's
tracker (the key its metric has there, the run its production value is read from, the
registered model it follows). Pure parsing, as bot.commands."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import UsageError

METRIC_KEY_MAX = 250
MODEL_NAME_MAX = 250


@dataclass(frozen=True)
class SetMetricKey:
    number: int
    key: str


@dataclass(frozen=True)
class SetWatchSource:
    number: int
    run: str | None  # None: `off`, the owner is asked again
    key: str | None = None


@dataclass(frozen=True)
class LinkModel:
    """`/problem P-12 model churn`: follow a model in MLflow's registry; `model off`: stop."""

    number: int
    model: str | None  # None: unlink


ProblemTie = SetMetricKey | SetWatchSource | LinkModel


def parse_tie(number: int, rest: str) -> ProblemTie | None:
    """What `/problem P-<number> <rest>` sets, when `rest` names a tie; None otherwise."""
    word, words = rest.split(maxsplit=1)[:1], rest.split(maxsplit=1)[1:]
    if word == ["metric-key"]:
        return _metric_key(number, words)
    if word == ["watch-source"]:
        return _watch_source(number, rest.split()[1:])
    if [w.lower() for w in word] == ["model"]:
        return _model(number, words)
    return None


def _metric_key(number: int, rest: list[str]) -> SetMetricKey:
    """`/problem P-12 metric-key val/recall@10`: the metric's key in the team's tracker."""
    key = rest[0].strip() if rest else ""
    if not key or len(key.split()) > 1 or len(key) > METRIC_KEY_MAX:
        raise UsageError(
            f"Give P-{number}'s metric as its tracker names it, one key of up to "
            f"{METRIC_KEY_MAX} characters without spaces, e.g. "
            f"`/problem P-{number} metric-key val/recall_at_10`."
        )
    return SetMetricKey(number, key)


def _watch_source(number: int, words: list[str]) -> SetWatchSource:
    """`/problem P-12 watch-source <run id|run link> [key]`, or `... watch-source off`."""
    if [w.lower() for w in words] == ["off"]:
        return SetWatchSource(number, None)
    if not 1 <= len(words) <= 2:
        raise UsageError(
            f"Say which MLflow run to read P-{number}'s production value from, and its "
            f"metric key if it is not the problem's: `/problem P-{number} watch-source "
            f"<run id or link> [key]`, e.g. `/problem P-{number} watch-source "
            f"0123456789abcdef0123456789abcdef val/recall`; `/problem P-{number} watch-source "
            "off` asks the owner again."
        )
    return SetWatchSource(number, words[0], words[1] if len(words) > 1 else None)


def _model(number: int, rest: list[str]) -> LinkModel:
    """`/problem P-12 model churn` (the registered model's name, as MLflow has it), or `off`."""
    name = rest[0].strip() if rest else ""
    if name.lower() == "off":
        return LinkModel(number, None)
    if not name or len(name) > MODEL_NAME_MAX:
        raise UsageError(
            f"Give the name of P-{number}'s model in MLflow's registry, up to {MODEL_NAME_MAX} "
            f"characters, e.g. `/problem P-{number} model churn`; `/problem P-{number} model off` "
            "stops following it."
        )
    return LinkModel(number, name)
