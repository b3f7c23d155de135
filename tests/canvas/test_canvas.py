"""A living page per problem: its lab notebook as a Slack canvas, created and kept up to
date through the outbox, linked from its card; where Slack will not make canvases, the card
says so once and nothing is tried again."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from bot.decisions import service as decisions
from bot.permissions import Actor
from jobs import messages
from sandbox.records import Canvas
from storage.outbox import OutboxMessage
from storage.problems import DecisionKind, Problem
from storage.types import utcnow
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.support.delivery import choice, command, form, frame, log
from tests.support.delivery import text as typed
from tests.support.slack import rendered
from tests.support.watch import SHIPPED_AT, press, ship

# A fixed Tuesday morning for the tests that need their records dated.
DAY = datetime(2027, 3, 9, 9, tzinfo=UTC)


def sweep(bot, *, later: timedelta = timedelta(0)) -> int:
    """The clock's pass over the outbox, `later` from now."""
    with time_machine.travel(utcnow() + later, tick=True):
        return bot.runtime.sender.sweep()


def problem(bot, number: int = 1) -> Problem:
    with bot.runtime.db.reading() as session:
        return session.scalars(
            select(Problem).where(Problem.team_id == TEAM, Problem.number == number)
        ).one()


def canvases(bot) -> list[Canvas]:
    return list(bot.slack.world.canvases.values())


def card_text(bot, number: int = 1) -> str:
    """What P-n's card shows now: its last post or update."""
    p = problem(bot, number)
    [message] = [m for m in bot.slack.messages(p.card_channel) if m.ts == p.card_ts]
    return rendered(message.blocks)


def canvas_messages(bot) -> list[OutboxMessage]:
    with bot.runtime.db.reading() as session:
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.slot == "problem_canvas")
            .order_by(OutboxMessage.id)
        )
        return list(rows)


def test_a_captured_problem_gets_a_canvas_of_its_notebook_linked_from_its_card(bot):
    frame(bot, "Recall on rare classes")
    sweep(bot)

    [canvas] = canvases(bot)
    assert canvas.title == "P-1 · Recall on rare classes"
    assert canvas.markdown.startswith("# P-1 · Recall on rare classes")
    assert "No experiments yet." in canvas.markdown
    assert problem(bot).canvas_id == canvas.id
    assert f"docs/{TEAM}/{canvas.id}" in card_text(bot)
    assert sweep(bot) == 0 and len(canvases(bot)) == 1


def test_logging_an_experiment_edits_the_canvas_once_with_it(bot):
    frame(bot)
    sweep(bot)

    log(bot, "P-1 0.78 focal loss")
    sweep(bot)

    [canvas] = canvases(bot)
    assert canvas.edits == 1
    assert "focal loss" in canvas.markdown and "No experiments yet." not in canvas.markdown
    [edit] = bot.slack.calls("canvases.edit")
    assert edit.args["changes"][0]["operation"] == "replace"


def test_changes_while_an_edit_waits_make_one_edit(bot):
    frame(bot)
    sweep(bot)

    bot.slack.inject("canvases.edit", status=503, times=3)  # one try: the client's 2 retries
    log(bot, "P-1 0.78 focal loss")
    sweep(bot)  # refused for now: the edit waits for its next try
    log(bot, "P-1 0.74 class weights")
    log(bot, "P-1 0.80 both")
    sweep(bot, later=timedelta(hours=1))

    [canvas] = canvases(bot)
    assert canvas.edits == 1 and len(bot.slack.calls("canvases.edit")) == 4
    assert "class weights" in canvas.markdown and "both" in canvas.markdown
    assert sweep(bot, later=timedelta(hours=2)) == 0


def test_where_canvases_are_off_the_card_says_so_once_and_nothing_retries(bot):
    bot.slack.world.workspaces[TEAM].canvases = False
    frame(bot)
    sweep(bot)
    log(bot, "P-1 0.78 focal loss")
    log(bot, "P-1 0.74 class weights")
    sweep(bot, later=timedelta(hours=1))
    sweep(bot, later=timedelta(days=2))

    assert len(bot.slack.calls("canvases.create")) == 1
    assert not bot.slack.calls("canvases.edit") and not canvases(bot)
    assert problem(bot).canvas_error == "canvas_disabled_user_team"
    shown = card_text(bot)
    assert shown.count("No lab notebook canvas") == 1
    assert "canvases are turned off" in shown and "/ritual export P-1" in shown
    assert [m.state for m in canvas_messages(bot)] == ["failed"]


def test_without_the_canvases_write_scope_the_card_says_what_to_do(bot):
    ws = bot.slack.world.workspaces[TEAM]
    ws.scopes = tuple(s for s in ws.scopes if s != "canvases:write")
    frame(bot)
    sweep(bot)

    assert "canvases:write" in card_text(bot) and problem(bot).canvas_id is None


def test_slack_down_is_retried_by_the_sweep_and_the_canvas_made_once(bot):
    bot.slack.inject("canvases.create", status=503, times=3)
    frame(bot)
    sweep(bot)
    assert not canvases(bot)

    for hours in range(1, 5):
        sweep(bot, later=timedelta(hours=hours))

    [canvas] = canvases(bot)
    # One try refused (the client's own two retries with it), the next one made.
    assert len(bot.slack.calls("canvases.create")) == 4
    assert problem(bot).canvas_id == canvas.id and canvas.id in card_text(bot)


def test_a_problem_from_before_canvases_gets_one_at_its_next_change(bot):
    frame(bot)
    # As if P-1 predated canvases: no canvas queued for it.
    with bot.runtime.db.transaction() as session:
        session.execute(
            OutboxMessage.__table__.delete().where(OutboxMessage.slot == "problem_canvas")
        )

    log(bot, "P-1 0.78 focal loss")
    sweep(bot)

    [canvas] = canvases(bot)
    assert "focal loss" in canvas.markdown and canvas.edits == 0


def test_a_canvas_deleted_in_slack_is_no_longer_linked_nor_edited(bot):
    frame(bot)
    sweep(bot)
    bot.slack.world.canvases.clear()  # someone deleted it

    log(bot, "P-1 0.78 focal loss")
    sweep(bot)
    log(bot, "P-1 0.74 class weights")
    sweep(bot, later=timedelta(hours=1))

    assert len(bot.slack.calls("canvases.edit")) == 1
    shown = card_text(bot)
    assert "its canvas was deleted" in shown and "docs/" not in shown


def test_a_decision_and_then_an_experiment_each_reach_the_canvas_through_the_outbox(bot):
    with time_machine.travel(DAY, tick=False):
        frame(bot)
        sweep(bot)
        command(bot, "/problem", "decide P-1 continue the loss still moves")
        assert "No decisions yet." in canvases(bot)[0].markdown  # queued, not yet sent
        sweep(bot)
        [canvas] = canvases(bot)
        assert "**continue**" in canvas.markdown and "the loss still moves" in canvas.markdown
        assert "No experiments yet." in canvas.markdown

        log(bot, "P-1 0.78 focal loss")
        sweep(bot)

    assert canvas.edits == 2
    assert "focal loss" in canvas.markdown and "the loss still moves" in canvas.markdown
    assert [m.state for m in canvas_messages(bot)] == ["sent", "sent", "sent"]


def test_a_change_committed_while_the_edit_it_joins_is_being_sent_is_not_lost(bot):
    """The change reads an edit still pending and leaves the canvas to it, but the sender
    claims that edit and renders the notebook before the change commits: the change must
    then be in a later edit (PostgreSQL; SQLite's one writer keeps the two apart)."""
    with time_machine.travel(DAY, tick=True):
        frame(bot)
        sweep(bot)
        log(bot, "P-1 0.78 focal loss")  # an edit waits

        sent = threading.Thread(target=bot.runtime.sender.sweep)
        with bot.runtime.db.transaction() as session:
            decided = decisions.decide(
                session,
                team_id=TEAM,
                actor=Actor(ALICE),
                number=1,
                kind=DecisionKind.CONTINUE,
                rationale="ship it next week",
            )
            messages.decision(session, decided, channel=CHANNEL)
            sent.start()
            if bot.runtime.db.engine.dialect.name == "postgresql":
                # A whole sweep runs before the change commits: it must not send the
                # waiting edit with the notebook as it was (nor wait for the change).
                sent.join(timeout=10)
                assert not sent.is_alive()
            else:
                sent.join(timeout=0.5)  # SQLite's one writer: the sweep waits for the change
        sent.join()
        sweep(bot)

    [canvas] = canvases(bot)
    assert "focal loss" in canvas.markdown
    assert "ship it next week" in canvas.markdown


def test_a_watch_check_and_its_answer_reach_the_shipped_problem_s_canvas(bot):
    ship(bot, SHIPPED_AT)
    with time_machine.travel(SHIPPED_AT, tick=False):
        sweep(bot)
    [canvas] = canvases(bot)
    assert "- Alert: below 0.78" in canvas.markdown and "No checks yet." in canvas.markdown

    p = problem(bot)
    card = next(m for m in bot.slack.messages(CHANNEL) if m.ts == p.card_ts)
    with time_machine.travel(SHIPPED_AT + timedelta(days=7), tick=False):
        press(bot, card, "watch_check_open", channel=CHANNEL)
        bot.slack.submit_view(
            user_id=ALICE,
            values=form(value=typed("0.74"), shifted=choice("no"), note=typed("after a holiday")),
        )
        bot.settle()
        sweep(bot)
    assert "| 0.74 | no | after a holiday | alert, not answered |" in canvas.markdown

    [_card, alert] = bot.slack.thread(CHANNEL, p.card_ts)
    with time_machine.travel(SHIPPED_AT + timedelta(days=7, hours=1), tick=False):
        press(bot, alert, "watch_keep", channel=CHANNEL)
        sweep(bot)
    assert "| 0.74 | no | after a holiday | alert, kept watching |" in canvas.markdown
