"""What a problem's evaluation set can tell from noise, said where the problem is framed: on
its card and in `/problem show`."""

from __future__ import annotations

import pytest

from tests.conftest import CHANNEL
from tests.support.delivery import choice, command, frame, problems, text
from tests.support.slack import posted, rendered

NOTE = "With 2,000 examples at 0.62, changes under ±0.03 are noise at 95%."
WARNING = (
    ":warning: The target 0.64 is 0.02 from the baseline 0.62, less than the ±0.03 that "
    "2,000 examples can tell from noise: an evaluation set of 4,522 examples would tell it apart."
)
PROPORTION = {"metric_kind": choice("proportion"), "eval_size": text("2000")}


def framed(bot, *, target: str = "0.75", **more) -> int:
    return frame(bot, baseline="0.62", target=target, **PROPORTION | more)


def texts(blocks: list[dict]) -> list[str]:
    """Each block's text as it shows, in order (a context's elements joined)."""
    shown = []
    for block in blocks:
        if block["type"] == "context":
            shown.append(" ".join(e["text"] for e in block["elements"]))
        elif "text" in block:
            shown.append(block["text"]["text"])
        elif "fields" in block:
            shown.append("\n".join(f["text"] for f in block["fields"]))
    return shown


def card(bot) -> list[dict]:
    [posted_card] = posted(bot.slack, CHANNEL)
    return posted_card.args["blocks"]


def show(bot, number: int = 1) -> list[dict]:
    return command(bot, "/problem", f"show P-{number}").body["blocks"]


def test_the_card_and_show_say_under_the_metric_what_change_the_set_can_detect(bot):
    framed(bot)

    on_card, in_show = texts(card(bot)), texts(show(bot))

    metric = next(i for i, t in enumerate(on_card) if "*Metric*" in t)
    assert on_card[metric + 1] == NOTE
    metric = next(i for i, t in enumerate(in_show) if "*Metric*" in t)
    assert in_show[metric + 1] == NOTE
    assert ":warning:" not in rendered(card(bot)) + rendered(show(bot))


@pytest.mark.parametrize(
    ("direction", "target", "fix"),
    [
        ("higher", "0.64", WARNING),
        (
            "lower",
            "0.605",
            ":warning: The target 0.605 is 0.015 from the baseline 0.62, less than the ±0.03 "
            "that 2,000 examples can tell from noise: an evaluation set of 8,042 examples would "
            "tell it apart.",
        ),
    ],
)
def test_a_target_within_the_noise_is_saved_with_a_warning_and_its_fix(bot, direction, target, fix):
    framed(bot, target=target, direction=direction)

    [problem] = problems(bot)
    assert problem.target == float(target)  # a warning, not a refusal
    for blocks in (card(bot), show(bot)):
        shown = texts(blocks)
        assert shown[shown.index(NOTE) + 1] == fix


@pytest.mark.parametrize(
    "fields",
    [
        {"metric_kind": choice("unbounded"), "eval_size": text("2000")},
        {
            "metric_kind": choice("bounded"),
            "metric_low": text("0"),
            "metric_high": text("1"),
            "eval_size": text("2000"),
        },
        {"metric_kind": choice("proportion")},
        {"eval_size": text("2000")},
    ],
    ids=["unbounded", "bounded", "proportion without n", "kind not said"],
)
def test_nothing_is_said_of_noise_the_metric_cannot_have(bot, fields):
    frame(bot, baseline="0.62", target="0.63", **fields)
    command(bot, "/problem", "Churn model misses new users")  # a capture: no metric at all

    shown = rendered([c.args["blocks"] for c in posted(bot.slack, CHANNEL)])
    shown += rendered(show(bot, 1)) + rendered(show(bot, 2))
    assert "are noise at" not in shown and ":warning:" not in shown


def test_a_proportion_without_a_baseline_says_nothing_of_noise(bot):
    frame(bot, baseline="", target="0.63", **PROPORTION)

    assert "are noise at" not in rendered(card(bot)) + rendered(show(bot))
