"""Pings and disguised links in what the weekly digest shows, and in messages that prefill the
forms ("Capture as problem", "Log as experiment", a standup answer's "Log as experiment"):
prefilled as plain text, posted escaped."""

from __future__ import annotations

from typing import Any

import time_machine

from bot.ids import ActionId
from tests.conftest import ALICE, BOB, CHANNEL, TEAM
from tests.reliability.test_attacks_every_path import analysis_values, experiment_values
from tests.reliability.test_attacks_isolation_injection import mrkdwn
from tests.shared.test_shortcuts import shortcut
from tests.standup.test_standup import NOW, answers_form, click_answer, thread_replies
from tests.support import ledger
from tests.support.delivery import choice, command, form, frame, text
from tests.support.digest_week import ago, standup
from tests.support.slack import posted, rendered
from tests.support.standup import make_standup

BAD = "<!channel> <!here> <!everyone> <@U0BAD> <#C0BAD> <http://evil|Looks safe> &<>"
ESCAPED = (
    "&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; &lt;@U0BAD&gt; &lt;#C0BAD&gt; "
    "&lt;http://evil|Looks safe&gt; &amp;&lt;&gt;"
)
# What must never reach mrkdwn live; the bot's own run link to http://evil is labelled by its
# host, so the link itself is not on the list: its disguise is.
LIVE = ("<!channel>", "<!here>", "<!everyone>", "<@U0BAD>", "<#C0BAD>", "|Looks safe>", "&<>")
# How Slack sends a message's text: as typed (Slack escapes &, < and >), or with the mentions,
# channel and link Slack's composer made (live tokens).
TYPED = BAD.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
TOKENS = BAD.replace("&<>", "&amp;&lt;&gt;")
# What a reader of each message saw, which is what the form must show.
SEEN = {TYPED: BAD, TOKENS: "@channel @here @everyone @U0BAD #C0BAD Looks safe (http://evil) &<>"}
LEDGER_TEXT = "<!channel> <!here> <!everyone> <@U…> <#C…> <http://evil¦Looks safe> &<>"


def assert_inert(payload: Any, where: str) -> None:
    for live in LIVE:
        assert not [t for t in mrkdwn(payload) if live in t], (where, live)


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


def test_user_text_in_the_digest_is_posted_escaped(bot):
    frame(bot, f"Churn {BAD}")
    command(bot, "/experiment", "P-1")
    bot.slack.submit_view(user_id=ALICE, values=experiment_values(1, BAD))
    bot.settle()
    command(bot, "/analysis", "E-1")
    bot.slack.submit_view(user_id=ALICE, values=analysis_values(BAD))
    bot.settle()
    command(bot, "/problem", f"decide P-1 pivot {BAD}")
    with bot.runtime.db.transaction() as session:
        standup(session, channel=CHANNEL, days={ago(0.1): {BOB: f"blocked by {BAD}"}})
    start = len(bot.slack.calls())

    preview = command(bot, "/digest")
    command(bot, "/digest", "now")

    digests = [
        c.args
        for c in bot.slack.calls()[start:]
        if c.method == "chat.postMessage" and c.args["text"].startswith("Weekly digest")
    ]
    assert len(digests) == 1
    for where, payload in (("preview", preview.body), ("posted digest", digests)):
        assert_inert(payload, where)
        shown = rendered(payload)
        for escaped in (
            "Churn &lt;!channel&gt; &lt;!here&gt;",  # the title, clipped in a line
            f"label smoothing 0.1 {ESCAPED}",  # the experiment's approach
            f"*pivot* — {ESCAPED}",  # the decision's rationale
            f"Look at the data first {ESCAPED}",  # the analysis's lesson
            f"blocked by {ESCAPED}",  # a standup blocker
        ):
            assert escaped in shown, (where, escaped)
    ledger.record(
        area="attack",
        fault=f"{LEDGER_TEXT} in a problem title, experiment approach, decision rationale, "
        "lesson and standup blocker",
        tries=2,
        outcome="/digest preview and the digest /digest now posts show them escaped; no ping, "
        "mention or disguised link",
    )


def prefilled(bot, callback_id: str, message: str) -> dict[str, dict[str, Any]]:
    """Bob posts `message`; Alice runs the message shortcut on it; the form's inputs."""
    answer, _ = shortcut(bot, callback_id, message)
    assert answer.status == 200
    return inputs(bot.slack.open_view(ALICE).view)


def test_capture_as_problem_prefills_what_was_seen_and_posts_it_escaped(bot):
    for message, seen in SEEN.items():
        fields = prefilled(bot, "capture_as_problem", f"Recall drops {message}\nSeen again today")

        assert fields["title"]["type"] == fields["statement"]["type"] == "plain_text_input"
        assert fields["title"]["initial_value"] == f"Recall drops {seen}"
        assert fields["statement"]["initial_value"] == f"Recall drops {seen}\nSeen again today"
        start = len(bot.slack.calls())
        saved = bot.slack.submit_view(
            user_id=ALICE,
            values=form(
                title=text(fields["title"]["initial_value"]),
                statement=text(fields["statement"]["initial_value"]),
            ),
        )
        bot.settle()

        # The second capture is answered with the first as "tried before", in the form.
        assert saved.status == 200
        assert saved.body is None or saved.body["response_action"] == "update", saved.body
        assert_inert(saved.body, "saved form")
        posts = [c.args for c in bot.slack.calls()[start:] if c.method == "chat.postMessage"]
        [card] = [p for p in posts if not p.get("thread_ts")]  # "tried before" is in its thread
        for post in posts:
            assert_inert(post, "problem card and what was tried before")
        if message is TYPED:
            assert f"Recall drops {ESCAPED}" in rendered(card["blocks"])
    ledger.record(
        area="attack",
        fault=f"{LEDGER_TEXT} in a message (as typed, and as Slack's own mentions and link) "
        "under 'Capture as problem'",
        tries=len(SEEN),
        outcome="title and statement prefilled as plain text with what the reader saw; the "
        "card shows them escaped",
    )


def test_log_as_experiment_prefills_what_was_seen_and_posts_it_escaped(bot):
    frame(bot)
    for message, seen in SEEN.items():
        fields = prefilled(bot, "log_as_experiment", f"P-1 focal loss: 0.66 {message}")

        assert fields["notes"]["type"] == "plain_text_input"
        assert fields["notes"]["initial_value"] == f"P-1 focal loss: 0.66 {seen}"
        # A live link's target (never its label) is the run link; a written-out one is none.
        run_url = fields["run_url"].get("initial_value")
        assert run_url == ("http://evil" if message is TOKENS else None)
        start = len(bot.slack.calls())
        saved = bot.slack.submit_view(
            user_id=ALICE,
            values=form(
                problem=choice("1"),
                value=text("0.66"),
                run_url=text(run_url or ""),
                notes=text(fields["notes"]["initial_value"]),
            ),
        )
        bot.settle()

        assert saved.status == 200 and saved.body is None, saved.body
        [post] = [c.args for c in bot.slack.calls()[start:] if c.method == "chat.postMessage"]
        assert_inert(post, "experiment confirmation")
        shown = rendered(post["blocks"])
        if message is TYPED:
            assert f"P-1 focal loss: 0.66 {ESCAPED}" in shown
        else:
            assert "*Run:* <http://evil|evil>" in shown  # labelled by where it goes
    ledger.record(
        area="attack",
        fault=f"{LEDGER_TEXT} in a message (as typed, and as Slack's own mentions and link) "
        "under 'Log as experiment'",
        tries=len(SEEN),
        outcome="notes prefilled as plain text with what the reader saw; a live link's target "
        "(never its label) as run link, a written-out one as none; the confirmation shows them "
        "escaped",
    )


def test_a_standup_answers_log_as_experiment_prefills_it_as_typed_and_posts_it_escaped(bot):
    with time_machine.travel(NOW, tick=True):
        frame(bot)
        make_standup(
            bot.runtime.db, bot.slack, team_id=TEAM, channel_id=CHANNEL, owner=ALICE, rule="team"
        )
        command(bot, "/standup", "now")
        click_answer(bot, ALICE)
        bot.slack.submit_view(
            user_id=ALICE, values=answers_form("ablation", "focal loss", "none", f"0.66 {BAD}")
        )
        bot.settle()
        [reply] = thread_replies(bot)
        assert_inert(reply.blocks, "standup answer")
        bot.slack.click(
            team_id=TEAM,
            user_id=ALICE,
            action_id=ActionId.LOG_EXPERIMENT_FROM_STANDUP,
            value=next(
                e["value"]
                for b in reply.blocks
                if b["type"] == "actions"
                for e in b["elements"]
                if e["action_id"] == ActionId.LOG_EXPERIMENT_FROM_STANDUP
            ),
            channel_id=CHANNEL,
            message_ts=reply.ts,
        )
        bot.settle()
        notes = inputs(bot.slack.open_view(ALICE).view)["notes"]
        assert notes["type"] == "plain_text_input" and notes["initial_value"] == f"0.66 {BAD}"
        bot.slack.submit_view(
            user_id=ALICE,
            values=form(
                problem=choice("1"), value=text("0.66"), notes=text(notes["initial_value"])
            ),
        )
        bot.settle()

    [post] = [c.args for c in posted(bot.slack, CHANNEL) if c.args["text"].startswith("E-1")]
    assert_inert(post, "experiment confirmation")
    assert f"0.66 {ESCAPED}" in rendered(post["blocks"])
    ledger.record(
        area="attack",
        fault=f"{LEDGER_TEXT} in a standup answer, then its 'Log as experiment'",
        tries=1,
        outcome="the thread shows it escaped; the form's notes are prefilled as typed, in plain "
        "text; the confirmation shows them escaped",
    )
