"""Form fields guessed from a Slack message, for the message shortcuts. Pure functions."""

from __future__ import annotations

import re

from bot.checks import TEXT_MAX
from bot.experiments import runlinks
from bot.experiments.drafts import first_link
from bot.ids import ExperimentField, ProblemField
from bot.problems.draft import TITLE_MAX
from bot.text import message_plain_text

PROBLEM_REF = re.compile(r"\bP-?([0-9]{1,9})\b", re.IGNORECASE)


def problem_prefill(message_text: str) -> dict[str, str]:
    """Title from the message's first line; the statement is the whole message."""
    text = message_plain_text(message_text).strip()
    first = " ".join(text.splitlines()[0].split()) if text else ""
    return {
        ProblemField.TITLE: first[:TITLE_MAX],
        ProblemField.STATEMENT: text[:TEXT_MAX],
    }


def experiment_prefill(message_text: str) -> dict[str, str]:
    """The message as notes, its first link as the run link, a `P-12` in it as the problem."""
    text = message_plain_text(message_text).strip()
    prefill = {ExperimentField.NOTES: text[:TEXT_MAX]}
    link = first_link(text)
    # Only a link the form will take: a written-out `<http://x|label>` is no run link.
    if link and runlinks.problem_with(link) is None:
        prefill[ExperimentField.RUN_URL] = link
    if ref := PROBLEM_REF.search(text):
        prefill[ExperimentField.PROBLEM] = ref.group(1)
    return prefill
