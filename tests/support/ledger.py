"""What each reliability test tried and saw, written to a Markdown table at the end of the run.

`RELIABILITY_REPORT=docs/reliability.md pytest tests/reliability` regenerates the table that
docs/reliability.md publishes; without the variable nothing is written.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Entry:
    area: str
    fault: str
    tries: int
    outcome: str
    lost: int


_entries: list[Entry] = []
_lock = threading.Lock()


def record(*, area: str, fault: str, tries: int, outcome: str, lost: int = 0) -> None:
    """Note one fault or attack, how often it was tried, what happened, and data lost."""
    with _lock:
        _entries.append(Entry(area, fault, tries, outcome, lost))


def write(path: Path, *, engine: str, command: str, passed: int, failed: int) -> None:
    rows = sorted(_entries, key=lambda e: (e.area, e.fault))
    lines = [
        f"### {engine}",
        "",
        f"`{command}`: {passed} passed, {failed} failed.",
        "",
        "| area | fault or attack | tries | what happened | data lost |",
        "|---|---|---:|---|---:|",
        *(
            f"| {e.area} | {e.fault.replace('|', '¦')} | {e.tries} | "
            f"{e.outcome.replace('|', '¦')} | {e.lost} |"
            for e in rows
        ),
        "",
    ]
    marker_start, marker_end = f"<!-- {engine}: start -->", f"<!-- {engine}: end -->"
    block = "\n".join([marker_start, *lines, marker_end])
    text = path.read_text() if path.exists() else ""
    if marker_start in text and marker_end in text:
        head, _, rest = text.partition(marker_start)
        _, _, tail = rest.partition(marker_end)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + block + "\n"
    path.write_text(text)


def report_path() -> Path | None:
    value = os.environ.get("RELIABILITY_REPORT")
    return Path(value) if value else None
