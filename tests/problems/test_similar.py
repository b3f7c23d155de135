"""A newly framed problem shows what the team tried before that is like it, in its card's
thread; a logged experiment, in its ack."""

from __future__ import annotations

import re

from storage.experiments import Outcome
from tests.conftest import ALICE, CHANNEL, OTHER_TEAM, TEAM
from tests.problems.test_modal import full_form, open_form, text
from tests.support.records import Seed
from tests.support.slack import rendered


def notes(bot, channel: str = CHANNEL) -> list:
    """The "tried before" notes posted in the channel, each in its card's thread."""
    return [m for m in bot.slack.messages(channel) if "Before you start" in m.text]


def capture(bot, title: str, *, team: str = TEAM, user: str = ALICE, channel: str = CHANNEL):
    """The ack, and the notes posted after it in the channel."""
    answer = bot.slack.slash_command(
        team_id=team, user_id=user, channel_id=channel, command="/problem", text=title
    )
    bot.settle()
    return answer.body, notes(bot, channel)


def seed_history(bot, team: str = TEAM) -> None:
    seed = Seed(bot, team=team)
    tickets = seed.problem("Ticket router sends billing questions to tech support")
    experiment = seed.experiment(
        tickets,
        outcome=Outcome.NO_GAIN,
        approach="Fine-tune the ticket classifier on relabelled data",
    )
    seed.analysis(experiment, categories={"label noise": 31, "short tickets": 4})
    seed.problem("Forecast error on holidays")
    seed.problem("Backlog of refund tickets")


def test_quick_capture_lists_past_entries_sharing_two_words_in_the_cards_thread(bot):
    seed_history(bot)

    ack, [note] = capture(bot, "Ticket classifier confuses refund tickets")

    # The ack confirms at once; what was tried before follows under the card.
    assert "Captured *P-4" in rendered(ack) and "Tried before" not in rendered(ack)
    [card] = [m for m in bot.slack.messages(CHANNEL) if m.ts == note.thread_ts]
    assert "P-4" in card.text and "*P-4*" in rendered(note.blocks[0])
    shown = rendered(note.blocks[1:])
    # Two past records share two words with the title, shown in bold; P-1 shares only
    # "ticket" and P-2 nothing.
    assert len(re.findall(r"\*[PEA]-\d+\*", shown)) == 2
    assert "*E-1* Fine-tune the *ticket classifier* on relabelled data, no gain" in shown
    assert "*P-3* Backlog of *refund tickets*" in shown
    assert "P-1" not in shown and "P-2" not in shown and "P-4" not in shown


def test_nothing_alike_adds_no_line(bot):
    seed_history(bot)

    ack, notes = capture(bot, "Speech model mishears accents")

    assert notes == [] and "Tried before" not in rendered(
        [m.text for m in bot.slack.messages(CHANNEL)]
    )
    assert "Captured *P-4" in rendered(ack)


def test_another_workspaces_history_is_never_suggested(bot):
    seed_history(bot, team=OTHER_TEAM)

    ack, notes = capture(bot, "Ticket classifier confuses refund tickets")

    assert "Captured *P-1" in rendered(ack) and notes == []


def test_a_saved_form_closes_and_then_lists_what_was_tried_before(bot):
    seed_history(bot)
    open_form(bot)

    answer = bot.slack.submit_view(
        user_id=ALICE,
        values=full_form(
            title=text("Refund tickets misrouted"),
            statement=text("The ticket classifier mislabels refunds."),
        ),
    )
    bot.settle()

    # The form closes at once; the note follows in the card's thread.
    assert answer.status == 200 and "response_action" not in (answer.body or {})
    assert bot.slack.open_view(ALICE) is None
    [note] = notes(bot)
    shown = rendered(note.blocks)
    assert "*P-4*" in shown and "Tried before" in shown and "E-1" in shown
    assert "P-4*" not in shown.split("Tried before")[1]


def test_a_logged_experiment_lists_what_was_tried_before_on_other_problems(bot):
    seed_history(bot)
    Seed(bot).problem("Refund tickets misrouted")
    refunds_ref = "P-4"  # after the three problems of the history

    answer = bot.slack.slash_command(
        team_id=TEAM,
        user_id=ALICE,
        channel_id=CHANNEL,
        command="/experiment",
        text=f"{refunds_ref} 0.5 fine-tune the ticket classifier on relabelled refunds",
    )
    bot.settle()

    assert answer.status == 200 and "Tried before" not in rendered(answer.body or ""), (
        "ranking never holds up the ack"
    )
    [tried] = [r for r in bot.slack.responses if "Tried before" in str(r.body)]
    [confirmation] = [
        c for c in bot.slack.calls("chat.postMessage") if "on P-4" in c.args.get("text", "")
    ]
    assert confirmation.at <= tried.at, "it follows the experiment's confirmation"
    assert tried.body["response_type"] == "ephemeral"
    shown = rendered(tried.body["blocks"])
    assert "Tried before" in shown
    assert (
        "*E-1* *Fine-tune* the *ticket classifier* on *relabelled* data, no gain, label noise"
        in shown
    )
    assert f"*{refunds_ref}*" not in shown  # not its own problem, nor itself


def test_an_experiment_like_nothing_before_is_acknowledged_without_a_line(bot):
    Seed(bot).problem("Speech model mishears accents")

    answer = bot.slack.slash_command(
        team_id=TEAM,
        user_id=ALICE,
        channel_id=CHANNEL,
        command="/experiment",
        text="P-1 0.5 more augmentation",
    )
    bot.settle()

    assert answer.status == 200 and "Tried before" not in rendered(answer.body or "")
    assert not [r for r in bot.slack.responses if "Tried before" in str(r.body)]
