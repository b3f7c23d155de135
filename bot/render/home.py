"""The App Home tab: the team's board."""

from __future__ import annotations

from typing import Any

from bot.ids import ActionId
from bot.problems import ProblemRecord
from bot.render.problems import TRACK_LABEL, list_line
from bot.render.text import DIVIDER, actions, button, context, header, section
from storage.models import Track

HOME_BLOCK_LIMIT = 100
PER_TRACK = 20


def home(board: dict[Track, tuple[ProblemRecord, ...]]) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        header("ritualbot board"),
        actions(
            button("New problem", action_id=ActionId.PROBLEM_NEW, value="home", style="primary")
        ),
    ]
    for track in Track:
        problems = board.get(track, ())
        blocks += [DIVIDER, header(f"{TRACK_LABEL[track]} ({len(problems)})")]
        if not problems:
            blocks.append(context("Nothing here yet."))
            continue
        blocks += [section(list_line(p)) for p in problems[:PER_TRACK]]
        if len(problems) > PER_TRACK:
            blocks.append(
                context(f"…and {len(problems) - PER_TRACK} more: `/problem list open` shows them.")
            )
    return {"type": "home", "blocks": blocks[:HOME_BLOCK_LIMIT]}
