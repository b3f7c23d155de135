"""Text as people type it: cleaned once on the way in, escaped wherever the bot shows it;
titles that show; numbers read strictly."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

# C0 controls but tab and newline, DEL, C1 controls, and the surrogate halves a JSON
# escape (`\ud800`) can carry but no database or encoder accepts.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Letters and symbols that Unicode classes as visible yet draw nothing.
BLANK_LETTERS = frozenset("\u115f\u1160\u2800\u3164\uffa0")
NUMBER = re.compile(r"[+-]?(?P<mantissa>[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
COUNT = re.compile(r"[0-9]+")
SEPARATORS = re.compile(r"[\s,]+")
DECIMAL_COMMA = re.compile(r"[+-]?[0-9]+,[0-9]+")


def clean(value: str) -> str:
    """Typed text without control characters (tab and newline kept), in NFC.

    PostgreSQL refuses NUL in text where SQLite keeps it, and nobody types a control
    character on purpose in Slack. NFC joins a letter and its accent typed apart without
    changing what was written; NFKC would (it turns `x²` into `x2`).
    """
    return unicodedata.normalize("NFC", CONTROL.sub("", value))


def cleaned(value: Any) -> Any:
    """`value` with every string in it cleaned, lists and dicts walked into."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {key: cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [cleaned(item) for item in value]
    return value


def visible(value: str) -> bool:
    """Whether text shows anything: not only spaces, zero-width and format characters."""
    return any(unicodedata.category(c)[0] not in "CZM" and c not in BLANK_LETTERS for c in value)


def printable(value: str) -> str:
    """Control characters written out (`\\x00`), so a log line stays one readable line."""
    return CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode(), value)


def parse_number(text: str) -> float:
    """A finite number in plain decimal notation (`0.83`, `-2`, `1.5e-3`), or ValueError.

    float() also reads `1_000`, Arabic-Indic digits, `inf` and `nan`, and turns `1e-400`
    into 0 and `1e400` into infinity: whoever typed those meant something else.
    """
    text = text.strip()
    match = NUMBER.fullmatch(text)
    if not match:
        raise ValueError(text)
    number = float(text)
    if not math.isfinite(number) or (number == 0 and match["mantissa"].strip("0.")):
        raise ValueError(text)
    return number


def parse_numbers(text: str) -> list[float]:
    """Numbers separated by spaces or commas (`0.71 0.69, 0.72`), each read by parse_number;
    ValueError carrying the first piece that is not one. `0,83` alone is a decimal comma,
    not two numbers, and is refused whole."""
    text = text.strip()
    if DECIMAL_COMMA.fullmatch(text):
        raise ValueError(text)
    return [parse_number(piece) for piece in SEPARATORS.split(text) if piece]


def parse_count(text: str, *, least: int, most: int) -> int:
    """A whole number from `least` to `most` in ASCII digits, or ValueError (`²` and `٣` are
    not counts, and a count too big for an integer column fails on PostgreSQL alone)."""
    text = text.strip()
    if not COUNT.fullmatch(text) or len(text) > len(str(most)) or not least <= int(text) <= most:
        raise ValueError(text)
    return int(text)


def escape(text: str) -> str:
    """Escape user text for mrkdwn so it can never become a mention, a link or a ping."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


SLACK_TOKEN = re.compile(r"<([^<>]*)>")


def _token_text(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return f"@{label or target[1:]}"
    if target.startswith("#"):
        return f"#{label or target[1:]}"
    if target.startswith("!"):
        # <!here>, <!channel>, <!subteam^ID|@team>, <!date^…|fallback>: what a reader saw.
        return label or f"@{target[1:].split('^')[0]}"
    return f"{label} ({target})" if label and label != target else target


def message_plain_text(text: str) -> str:
    """A Slack message's text as a reader sees it, for a plain-text input: links, mentions and
    channel names written out, entities decoded. Escaped again wherever it is posted."""
    readable = SLACK_TOKEN.sub(_token_text, text)
    return readable.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
