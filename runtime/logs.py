"""The process's log lines: one format, no raw control character and no secret in any of them."""

from __future__ import annotations

import logging
import re
from typing import TextIO

from bot.text import printable

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"
# Slack tokens (bot, user, app, refresh), Fernet keys and sealed values, Databricks and
# W&B keys, the experiments webhook's tokens, and whatever follows a Bearer: an error
# quoting a request must not leak one.
SECRETS = re.compile(
    r"\bxox[a-z]-[\w-]+"
    r"|\brbk_[\w-]+"
    r"|\bxapp-[\w-]+"
    r"|\bxoxe\.[\w.-]+"
    r"|\bfernet:[\w=-]+"
    r"|(?<![\w-])[A-Za-z0-9_-]{43}="  # a Fernet key may start with "-"
    r"|\bdapi[0-9a-f]{32}\b"
    r"|\b[0-9a-f]{40}\b"
    r"|(?<=Bearer )[^\s'\"]+",
    re.IGNORECASE,
)


def redact(line: str) -> str:
    return SECRETS.sub(REDACTED, line)


class Escaping(logging.Formatter):
    """Writes control characters out (`\\x00`), and line breaks in the message too; redacts
    secrets (`redact`) in the message and in a traceback alike.

    Text someone typed reaches log lines inside messages and errors: a NUL would cut the line
    short in a log viewer, an escape sequence would drive the terminal, and a line break
    would start a line that looks like the app's own. A traceback keeps its lines.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(super().formatMessage(record)).replace("\n", "\\n")

    def format(self, record: logging.LogRecord) -> str:
        return redact(printable(super().format(record)))


def handler(stream: TextIO | None = None) -> logging.Handler:
    """A handler writing to `stream` (stderr by default) through `Escaping`."""
    made = logging.StreamHandler(stream)
    made.setFormatter(Escaping(FORMAT))
    return made


def configure(level: int = logging.INFO) -> None:
    """Log to stderr through `Escaping`; Alembic's per-migration lines only as warnings."""
    logging.basicConfig(level=level, handlers=[handler()])
    logging.getLogger("alembic").setLevel(logging.WARNING)
