"""Search results and similar past entries, with links to the messages they came from."""

from __future__ import annotations

import re
from typing import Any

from bot.blocks import clip, context, section
from bot.search.service import RESULTS_LIMIT, Found, Results
from bot.text import escape
from storage.search_index import Kind

Blocks = list[dict[str, Any]]

DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
TS = re.compile(r"^\d{1,12}\.\d{1,8}$")
CHANNEL = re.compile(r"^[A-Z0-9]{1,32}$")
KIND_LABEL = {
    Kind.PROBLEM: "problem",
    Kind.EXPERIMENT: "experiment",
    Kind.ANALYSIS: "error analysis",
    Kind.DECISION: "decision",
}
EXAMPLE = "`/ritual search label noise`"


def permalink(
    domain: str | None, channel: str | None, ts: str | None, thread_ts: str | None = None
) -> str | None:
    """Slack's permalink for a message, built from stored refs; None when one is missing."""
    if not (domain and channel and ts) or not (
        DOMAIN.match(domain) and CHANNEL.match(channel) and TS.match(ts)
    ):
        return None
    link = f"https://{domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts and TS.match(thread_ts):
        link += f"?thread_ts={thread_ts}&cid={channel}"
    return link


def ref(found: Found, *, domain: str | None) -> str:
    """The record's id in bold, linked to its Slack message when it has one."""
    link = permalink(domain, found.channel, found.ts, found.thread_ts)
    return f"*<{link}|{found.ref}>*" if link else f"*{found.ref}*"


def line(found: Found, *, domain: str | None) -> str:
    parts = [ref(found, domain=domain), escape(clip(" ".join(found.headline.split()), 140))]
    if found.detail:
        parts.append(f"_{escape(found.detail)}_")
    if found.kind != Kind.PROBLEM:
        parts.append(f"{found.problem_ref} {escape(clip(found.problem_title, 60))}")
    return f"{KIND_LABEL[found.kind]} · " + " · ".join(parts)


def results(result: Results, *, query: str, domain: str | None) -> Blocks:
    shown = escape(clip(" ".join(query.split()), 80))
    if not result.words:
        return [
            section(
                f"*{shown}* has only very common words, which match everything. "
                f"Search for something specific, e.g. {EXAMPLE}."
            )
        ]
    if not result.found:
        return [
            section(
                f"Nothing in this workspace matches *{shown}*. Try fewer or other words, "
                "e.g. `/ritual search augmentation`."
            )
        ]
    count = len(result.found)
    if count == RESULTS_LIMIT:
        title = f"*The {count} best matches for {shown}*"
    else:
        title = f"*{count} {'match' if count == 1 else 'matches'} for {shown}*"
    blocks: Blocks = [section(title)]
    blocks += [section(line(found, domain=domain)) for found in result.found]
    blocks.append(
        context("Best first: records with every word, then with some; titles count most.")
    )
    return blocks


def results_text(result: Results, *, query: str) -> str:
    """Notification text for the results."""
    return f"{len(result.found)} matches for {escape(clip(query, 80))}"


def tried_before(found: tuple[Found, ...], *, domain: str | None) -> Blocks:
    """The "tried before" line under a new problem; nothing when there is nothing alike."""
    if not found:
        return []
    entries = []
    for f in found:
        entry = f"{ref(f, domain=domain)} {escape(clip(' '.join(f.headline.split()), 60))}"
        if f.detail:
            entry += f", {escape(f.detail)}"
        entries.append(entry)
    return [context("Tried before: " + " · ".join(entries))]


def tried_before_note(ref_: str, found: tuple[Found, ...], *, domain: str | None) -> Blocks:
    """A note to the author of a new problem, after its ack: what the team tried like it."""
    return [
        section(f"Before you start on *{ref_}*: the team has tried something like it."),
        *tried_before(found, domain=domain),
    ]


def tried_before_text(ref_: str) -> str:
    """The note's notification text."""
    return f"Before you start on {ref_}: the team has tried something like it."


HELP = """*`/ritual`*: the team's memory and rituals.
• `/ritual search label noise`: past problems, experiments, error analyses (lessons, root causes, categories) and decisions, best match first
• `/ritual help`: this message"""
