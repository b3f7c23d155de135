"""A result typed in one line after `/experiment P-12`: the metric's value, or one per seed,
the examples evaluated (`n=2000`), then a note. Pure."""

from __future__ import annotations

import re

from bot.errors import UsageError
from bot.experiments import runlinks
from bot.metric import parse_eval_size
from bot.text import DECIMAL_COMMA, parse_numbers

WORD = re.compile(r"\S+")


def parse(problem: int, text: str) -> tuple[str, str, str | None, str | None]:
    """`0.71 0.69 0.72 n=2000 what changed` → the values (`broken` when nothing was
    measured), the note, the `n`, and no run link: values up to the first word that is not
    a number, with `n=` among them; a usage error saying what to type when there are none.
    `<run link> what changed` → no values (read from the run), the note, the link."""
    words = list(WORD.finditer(text))
    first = words[0].group().strip("<>").split("|", 1)[0]
    if runlinks.recognise(first).kind in runlinks.READABLE:
        return "", text[words[0].end() :].strip(), None, first
    if words[0].group().lower() == "broken":
        if not (note := text[words[0].end() :].strip()):
            raise UsageError(
                f"Say what broke, e.g. `/experiment P-{problem} broken OOM at step 3`: a run "
                "that measured nothing owes the team a short note of what broke."
            )
        return "broken", note, None, None
    values: list[str] = []
    eval_size, end = None, 0
    for word in words:
        typed = word.group()
        if typed[:2].lower() == "n=":
            try:
                parse_eval_size(typed[2:])
            except ValueError as error:
                raise UsageError(f"{typed[:20]}: {error}") from None
            eval_size = typed[2:]
        elif _values(problem, typed, first=not values):
            values.append(typed)
        else:
            break
        end = word.end()
    if not values:
        raise UsageError(f"Give the metric's value too, e.g. {_seeds_example(problem)}.")
    return " ".join(values), text[end:].strip(), eval_size, None


def _values(problem: int, typed: str, *, first: bool) -> bool:
    """Whether a word is values (`0.71` or `0.71,0.69`), or the note's first word; a usage
    error when it has to be values: the first, or a decimal comma (`0,83`), never a note."""
    try:
        parse_numbers(typed)
    except ValueError as error:
        if first or DECIMAL_COMMA.fullmatch(typed):
            raise UsageError(
                f"'{str(error)[:30]}' is not a number. Log a result as "
                f"`/experiment P-{problem} 0.83 what changed`, one value per seed as "
                f"{_seeds_example(problem)}, `/experiment P-{problem} <MLflow run link> what "
                f"changed` to read it from the run, or `/experiment P-{problem} broken what "
                "failed` when nothing could be measured."
            ) from None
        return False
    return True


def _seeds_example(problem: int) -> str:
    return f"`/experiment P-{problem} 0.71 0.69 0.72 n=2000 what changed`"
