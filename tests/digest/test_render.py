"""The digest's Block Kit messages: pure functions of a composed digest."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.blocks import SECTION_MAX
from bot.digest import render
from bot.digest.service import Digest, Lesson
from bot.digest.standing import ProblemRef, Result
from storage.experiments import Outcome
from storage.problems import Direction

END = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
START = END - timedelta(days=7)
PROBLEM = ProblemRef(ref="P-1", title="Churn model misses new users")


def result(number: int, *, approach: str = "add tenure features") -> Result:
    return Result(
        ref=f"E-{number}",
        problem=PROBLEM,
        approach=approach,
        metric_name="recall",
        value=0.7,
        outcome=Outcome.IMPROVED,
        baseline=0.6,
        target=0.75,
        vs_baseline=0.1,
        vs_baseline_share=0.1 / 0.6,
        vs_target=-0.05,
        direction=Direction.HIGHER,
        author_id="U0ALICE",
    )


def digest(**parts) -> Digest:
    empty = Digest(
        channel_id="C0ML",
        start=START,
        end=END,
        changes=(),
        results=(),
        best=(),
        owed=(),
        decisions=(),
        lessons=(),
        standup_days=0,
        participation=(),
        blockers=(),
        flags=(),
        series=(),
    )
    return replace(empty, **parts)


def texts(messages) -> list[str]:
    return [b["text"]["text"] for m in messages for b in m["blocks"] if "text" in b]


def test_an_experiment_line_shows_value_outcome_and_both_deltas():
    [line] = render.sections(digest(results=(result(3),)))[0][1]
    assert line.startswith("• *E-3* on P-1 add tenure features — recall ↑ 0.7 · *improved*")
    assert "+0.1 (+16.7%) vs baseline 0.6 · -0.05 vs target 0.75 · <@U0ALICE>" in line


def test_an_oversized_week_is_split_within_limits_and_loses_no_experiment():
    results = tuple(result(n, approach=f"approach {n} " + "x" * 150) for n in range(1, 601))
    messages = render.messages(digest(results=results))

    assert len(messages) > 1
    for message in messages:
        assert len(message["blocks"]) <= render.MESSAGE_BLOCKS
        for block in message["blocks"]:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= SECTION_MAX
    shown = "\n".join(texts(messages))
    for n in range(1, 601):
        assert len(re.findall(rf"\*E-{n}\*", shown)) == 1, n
    assert "(1 of " in messages[0]["text"]


def test_a_very_long_lesson_is_clipped_inside_its_line_not_dropped():
    lessons = tuple(
        Lesson(
            analysis_ref=f"A-{n}",
            experiment_ref=f"E-{n}",
            problem=PROBLEM,
            text="y" * 5000,
            author_id="U0BOB",
        )
        for n in range(1, 30)
    )
    shown = "\n".join(texts(render.messages(digest(lessons=lessons))))
    assert all(f"A-{n} on E-{n}" in shown for n in range(1, 30))


def test_user_text_is_escaped_and_never_pings():
    risky = result(4, approach="<!channel> <@U999> & <b>")
    shown = "\n".join(texts(render.messages(digest(results=(risky,)))))
    assert "<!channel>" not in shown and "<@U999>" not in shown
    assert "&lt;!channel&gt; &lt;@U999&gt; &amp; &lt;b&gt;" in shown


def test_a_quiet_week_says_so():
    shown = "\n".join(texts(render.messages(digest())))
    assert "A quiet week" in shown
