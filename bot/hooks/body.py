"""What a training script sends to the experiments webhook, read into the draft that
`/experiment` makes from a typed line. Pure."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from bot.commands import parse_ref
from bot.errors import UsageError
from bot.experiments.drafts import ExperimentDraft, first_link
from bot.text import clean

KEY_MAX = 100  # the experiment's source key holds it after a short prefix
EXAMPLE: dict[str, Any] = {
    "problem": "P-12",
    "values": [0.83, 0.84],
    "n": 2000,
    "run_url": "https://mlflow.example.com/#/experiments/3/runs/ab12",
    "note": "focal loss instead of cross-entropy",
    "key": "ab12",
}
OPTIONAL = {
    "n": "how many examples it was evaluated on",
    "run_url": "a link to the run",
    "note": "what changed",
    "key": "a key that logs it once however often it is sent",
    "confirmed": "true to log a value far from everything known of the metric",
}
# The draft's names for what the body calls otherwise, for errors found in the draft.
FIELD_OF = {"value": "values", "eval_size": "n", "notes": "note"}


class BadBody(Exception):
    """The body cannot be an experiment: the message says what was wrong."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, kw_only=True)
class Submission:
    draft: ExperimentDraft
    key: str | None
    confirmed: bool


def read(raw: bytes) -> Submission:
    """The draft a JSON body describes, or BadBody saying what is wrong with it."""
    fields = _object(raw)
    unknown = sorted(set(fields) - {"problem", "values", *OPTIONAL})
    if unknown:
        raise BadBody(
            f"Unknown field {unknown[0][:40]!r}: the fields are problem, values, "
            + ", ".join(OPTIONAL)
            + "."
        )
    note, run_url = _text(fields, "note"), _text(fields, "run_url")
    return Submission(
        draft=ExperimentDraft(
            problem=str(_problem(fields.get("problem"))),
            value=_values(fields.get("values")),
            eval_size=_eval_size(fields.get("n")),
            run_url=run_url or first_link(note or ""),
            notes=note,
        ),
        key=_key(fields.get("key")),
        confirmed=_confirmed(fields.get("confirmed", False)),
    )


def _not_finite(constant: str) -> float:
    raise BadBody(f"{constant} is not a number the metric can take.")


def _object(raw: bytes) -> dict[str, Any]:
    try:
        fields = json.loads(raw.decode("utf-8"), parse_constant=_not_finite)
    except UnicodeDecodeError:
        raise BadBody("The body is not UTF-8 text.") from None
    except json.JSONDecodeError as error:
        raise BadBody(f"The body is not JSON: {error.msg} at character {error.pos}.") from None
    except ValueError as error:  # a number of more digits than Python reads
        raise BadBody(f"The body is not JSON ritualbot reads: {str(error)[:80]}") from None
    if not isinstance(fields, dict):
        raise BadBody(f"The body is a JSON {type(fields).__name__}, not an object.")
    return fields


def _problem(value: Any) -> int:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise BadBody('Name the problem, e.g. "problem": "P-12".')
    try:
        return parse_ref(str(value) if isinstance(value, str) else f"P-{value}", kind="P")
    except UsageError as error:
        raise BadBody(f'"problem": {error.message}') from None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _values(value: Any) -> str | None:
    """The metric's values as /experiment reads them typed; none for a run that broke."""
    if _is_number(value):
        value = [value]
    if not isinstance(value, list) or not all(_is_number(v) for v in value):
        raise BadBody(
            '"values" is the metric\'s value, one per seed, e.g. "values": [0.83, 0.84] '
            '(an empty list, with a "note" saying what broke, for a run that measured nothing).'
        )
    try:
        numbers = [float(v) for v in value]
    except OverflowError:  # an integer too large for a float
        numbers = [math.inf]
    if not all(math.isfinite(v) for v in numbers):
        raise BadBody('"values" must be finite numbers.')
    return " ".join(repr(v) for v in numbers) or None


def _eval_size(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadBody('"n" is a whole number of examples, e.g. "n": 2000.')
    return str(value)


def _text(fields: dict[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is not None and not isinstance(value, str):
        raise BadBody(f'"{name}" is text ({OPTIONAL[name]}), e.g. "{name}": "{EXAMPLE[name]}".')
    return (clean(value).strip() or None) if value else None


def _key(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > KEY_MAX:
        raise BadBody(
            f'"key" is text of 1 to {KEY_MAX} characters, the same each time the same run is '
            'sent, e.g. its run id: "key": "ab12".'
        )
    if clean(value) != value or not value.isprintable():
        raise BadBody('"key" holds control characters: use the run id, e.g. "key": "ab12".')
    return value


def _confirmed(value: Any) -> bool:
    if not isinstance(value, bool):
        raise BadBody('"confirmed" is true or false.')
    return value
