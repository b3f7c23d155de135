"""bench outage: Slack refuses every post, edit and upload for 60 s while a team keeps
working; once it is back, does every message the bot owes arrive, once, within 2 minutes?

The real app is served in-process against the emulator, with the real clock running (it
sweeps the outbox every minute, as in production). During the outage a person captures
problems, logs experiments, deletes one (an edit of its message), takes decisions (a
post and a card update), saves error analyses, posts the digest and starts the standup;
chat.postMessage, chat.update and the upload methods all answer 503. Printed: per kind
of message, how many were owed, sent, and posted more than once, and how long after
Slack's return the last one arrived.

    python bench/outage.py [--outage 60] [--rounds 10]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/outage.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import os
import time
from collections import Counter
from typing import Any

from sqlalchemy import select

from bench.fanout import database
from bot.ids import ActionId
from bot.standup import service as standups
from bot.standup import settings as standup_settings
from runtime.clock import RitualScheduler
from runtime.config import load
from runtime.process import build
from runtime.server import InProcessServer
from sandbox.emulator import SlackEmulator
from storage.outbox import OutboxMessage, OutboxState, Relation

BAR_SECONDS = 120
SECRET = "bench-signing-secret"
TEAM, CHANNEL, ALICE, BOB = "T0OUT", "C0OUT", "U0ALICE", "U0BOB"
DOWN = ("chat.postMessage", "chat.update", "files.getUploadURLExternal", "files.upload")


def kind(message: OutboxMessage) -> str:
    key, what = message.key or "", message.what
    if key.startswith("refused:"):
        return "notice to an owner"
    if message.relation == Relation.EDIT or what.startswith("an update"):
        return "edit of a message"
    if key.startswith("standup:"):
        return "standup"
    if "digest" in key or "digest" in what:
        return "digest"
    return {
        "problem_card": "problem card",
        "experiment_message": "experiment confirmation",
        "analysis_message": "error analysis",
    }.get(message.slot or "", "decision" if what.startswith("the decision") else what)


def field(value: str) -> dict[str, Any]:
    return {ActionId.FIELD: {"type": "plain_text_input", "value": value}}


def work(slack: SlackEmulator, round_: int) -> None:
    """One round of a team's work: what each kind of message comes from."""

    def command(name: str, text: str, user: str = ALICE):
        return slack.slash_command(
            team_id=TEAM, user_id=user, channel_id=CHANNEL, command=name, text=text
        )

    first = 2 * round_ + 1
    command("/problem", f"Outage round {round_}: churn flags")
    command("/problem", f"Outage round {round_}: fraud scores")
    command("/experiment", f"P-{first} 0.71 class-balanced sampling")
    command("/experiment", f"P-{first} 0.64 focal loss")
    command("/experiment", f"delete E-{first + 1}")
    command("/problem", f"decide P-{first + 1} cut no labelled data to learn from")
    opened = command("/analysis", f"E-{first}", user=ALICE)
    values = {
        "sample_size": field("100"),
        "sample_method": field("Random 100 misses"),
        "categories": field("blurry: 30\nwrong label: 10"),
        "root_causes": field("Augmentation washes out small objects"),
        "next_steps": field("Try crop-aware augmentation"),
    }
    try:  # the form opens after the ack (views.open), as in Slack: wait for it, as a person does
        slack.wait_for(lambda: slack.open_view(ALICE) is not None, timeout=3.0)
    except AssertionError:
        answer = f"HTTP {opened.status} {str(opened.body)[:200]}"
        print(f"round {round_}: the form of E-{first} did not open ({answer})", flush=True)
        return
    slack.submit_view(user_id=ALICE, values=values)


def standup(runtime, slack: SlackEmulator) -> None:
    draft = standup_settings.SettingsDraft(
        weekdays=[str(d) for d in range(1, 8)],
        local_time="09:30",
        timezone_rule="team",
        timezone="UTC",
        participants_rule="picked",
        participants=[ALICE, BOB],
        questions="\n".join(standups.DEFAULT_QUESTIONS),
        reminder_minutes="0",
        cutoff_time="23:59",
        holidays="",
    )
    with runtime.db.transaction() as session:
        standup_settings.save(session, team_id=TEAM, channel_id=CHANNEL, user_id=ALICE, draft=draft)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", type=float, default=60.0, help="seconds Slack is down")
    parser.add_argument("--rounds", type=int, default=10, help="rounds of work in the outage")
    args = parser.parse_args(argv)

    db, cleanup = database()
    url = db.engine.url.render_as_string(hide_password=False)
    db.dispose()
    with SlackEmulator(signing_secret=SECRET) as slack:
        slack.add_workspace(team_id=TEAM, name="Outage Lab")
        for user, name in ((ALICE, "alice"), (BOB, "bob")):
            slack.add_user(team_id=TEAM, user_id=user, name=name)
        slack.add_channel(team_id=TEAM, channel_id=CHANNEL, name="ml", members=[ALICE, BOB])
        settings = load(
            {
                "SLACK_BOT_TOKEN": slack.workspace(TEAM).bot_token,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": slack.api_url,
                "DATABASE_URL": url,
            }
        )
        runtime = build(settings)
        server = InProcessServer(runtime.web).start()
        slack.app_url = f"{server.url}/slack/events"
        standup(runtime, slack)
        clock = RitualScheduler(db=runtime.db, client_factory=runtime.sender.client_for)
        clock.start()

        for method in DOWN:
            slack.inject(method, status=503, times=10**9)
        down = time.monotonic()
        slack.slash_command(
            team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/standup", text="now"
        )
        for n in range(args.rounds):
            work(slack, n)
            if n == args.rounds // 2:
                slack.slash_command(
                    team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/digest", text="now"
                )
            time.sleep(max(0.0, down + (n + 1) * args.outage / args.rounds - time.monotonic()))
        time.sleep(max(0.0, down + args.outage - time.monotonic()))
        slack.faults.clear()
        back = time.monotonic()

        while time.monotonic() - back < BAR_SECONDS + 90:
            with runtime.db.reading() as session:
                rows = list(session.scalars(select(OutboxMessage)))
            if rows and all(r.state in (OutboxState.SENT, OutboxState.FAILED) for r in rows):
                break
            time.sleep(1.0)
        last = time.monotonic() - back
        for r in rows:
            if r.state not in (OutboxState.SENT, OutboxState.FAILED):
                print(f"  not sent: {r.what} ({r.state}, {r.attempts} tries, {r.error})")
        clock.shutdown()
        server.stop()
        posts = Counter(
            (c.args.get("metadata") or {}).get("event_payload", {}).get("outbox_id")
            for c in slack.calls("chat.postMessage")
            if c.status == 200 and c.response.get("ok")
        )
        runtime.db.dispose()
    cleanup()

    owed, sent, twice, failed = Counter(), Counter(), Counter(), Counter()
    for row in rows:
        k = kind(row)
        owed[k] += 1
        sent[k] += row.state == OutboxState.SENT
        failed[k] += row.state == OutboxState.FAILED
        is_post = row.relation != Relation.EDIT and row.file is None
        twice[k] += is_post and posts[row.id] > 1
    engine = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(f"outage: Slack refusing posts, edits and uploads for {args.outage:g} s, {engine}")
    print(f"  {'kind':26} {'owed':>5} {'sent':>5} {'failed':>6} {'twice':>5}")
    for k in sorted(owed):
        print(f"  {k:26} {owed[k]:5} {sent[k]:5} {failed[k]:6} {twice[k]:5}")
    total, arrived, doubled = sum(owed.values()), sum(sent.values()), sum(twice.values())
    meets = arrived == total and doubled == 0 and last <= BAR_SECONDS
    print(f"the last arrived {last:.0f} s after Slack was back")
    print(
        f"bench outage: {arrived}/{total} messages sent, {doubled} twice, the last "
        f"{last:.0f} s after Slack's return -> {'meets' if meets else 'short of'} "
        f"each once within {BAR_SECONDS} s"
    )
    return 0 if meets else 1


if __name__ == "__main__":
    sys.exit(main())
