"""What a problem's evaluation set can tell from noise, said where the problem is framed: on
its card, in `/problem show`, in its edit form, and to whoever saves a target within it."""

from __future__ import annotations

import pytest

from bot.ids import ActionId, BlockId, ProblemField
from tests.conftest import ALICE, CHANNEL
from tests.support.delivery import buttons, choice, command, form, frame, person, problems, text
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


def edit_form(bot) -> dict[str, dict]:
    command(bot, "/problem", "edit P-1")
    return bot.slack.open_view(ALICE).view


def test_the_edit_form_says_what_the_saved_set_can_detect_under_the_target(bot):
    framed(bot, target="0.64")

    blocks = edit_form(bot)["blocks"]

    ids = [b.get("block_id") for b in blocks]
    at = ids.index(ProblemField.TARGET)
    assert ids[at + 1 : at + 3] == [BlockId.PROBLEM_NOISE, BlockId.PROBLEM_TARGET_WARNING]
    note, warning = texts(blocks[at + 1 : at + 3])
    assert note == (
        "As saved, with 2,000 examples at 0.62, changes under ±0.03 are noise at 95%: a target "
        "nearer the baseline cannot be told apart, and a larger evaluation set detects smaller "
        "changes."
    )
    assert warning == WARNING


def test_the_form_says_nothing_of_noise_for_a_new_problem_or_a_target_clear_of_it(bot):
    command(bot, "/problem")
    new = bot.slack.open_view(ALICE).view
    bot.slack.close_view(user_id=ALICE)
    framed(bot)

    ids = {b.get("block_id") for b in edit_form(bot)["blocks"]}

    assert BlockId.PROBLEM_NOISE in ids and BlockId.PROBLEM_TARGET_WARNING not in ids
    assert not {BlockId.PROBLEM_NOISE, BlockId.PROBLEM_TARGET_WARNING} & {
        b.get("block_id") for b in new["blocks"]
    }


def save_edit(bot, *, target: str, metric_name: str = "recall") -> None:
    edit_form(bot)
    bot.slack.submit_view(
        user_id=ALICE,
        values=form(
            title=text("Recall on rare classes"),
            metric_name=text(metric_name),
            direction=choice("higher"),
            baseline=text("0.62"),
            target=text(target),
            owner_id=person(ALICE),
            track=choice("delivery"),
            **PROPORTION,
        ),
    )
    bot.settle()


def test_an_edit_that_brings_the_target_within_noise_warns_whoever_saved_it(bot):
    framed(bot)

    save_edit(bot, target="0.64", metric_name="recall <@U0BOB> & co")

    assert problems(bot)[0].target == 0.64
    [warned] = bot.slack.ephemerals(CHANNEL, ALICE)
    assert warned.text == (
        "P-1 is saved, but its recall &lt;@U0BOB&gt; &amp; co target cannot be told from noise."
    )
    assert (
        texts(warned.blocks)[0] == f":warning: {warned.text} {WARNING.removeprefix(':warning: ')}"
    )
    assert buttons(warned.blocks)[ActionId.PROBLEM_ADD_DETAILS]["value"] == "1"
    [update] = bot.slack.calls("chat.update")
    assert WARNING in texts(update.args["blocks"])


def test_an_edit_that_keeps_the_target_clear_of_noise_is_not_warned(bot):
    framed(bot)

    save_edit(bot, target="0.70")

    assert bot.slack.ephemerals(CHANNEL, ALICE) == []
    [update] = bot.slack.calls("chat.update")
    assert NOTE in texts(update.args["blocks"])
    assert ":warning:" not in rendered(update.args["blocks"])
