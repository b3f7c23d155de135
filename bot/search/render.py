"""Search results and similar past entries, with links to the messages they came from."""

from __future__ import annotations

import re
from typing import Any

from bot.blocks import clip, context, section
from bot.search.service import RESULTS_LIMIT, Found, Results
from bot.text import escape
from storage.search_index import Kind
from storage.search_matches import START, STOP

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
MARKED = re.compile(f"({START}[^{STOP}]*{STOP})")
# Marked words apart only by a space or a hyphen ("fine-tune", split by PostgreSQL): one run.
JOINED = re.compile(f"{STOP}([ -]){START}")
WORDS = re.compile(r"\w+")


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


def why(snippet: str) -> str:
    """A snippet in mrkdwn: its text escaped, the shared words in bold (neighbours in one run)."""
    text = JOINED.sub(r"\1", " ".join(snippet.split()))
    shown = []
    for part in MARKED.split(text):
        if part.startswith(START) and part.endswith(STOP):
            shown.append(f"*{escape(part[1:-1])}*")
        else:
            shown.append(escape(part.replace(START, "").replace(STOP, "")))
    return "".join(shown).strip()


def _marked(text: str, words: frozenset[str]) -> str:
    """`text` with each of `words` in it marked, as the index marks a snippet."""
    return WORDS.sub(lambda m: f"{START}{m[0]}{STOP}" if m[0].lower() in words else m[0], text)


def _suggestion(f: Found, *, domain: str | None) -> str:
    """One record tried before: its id and headline with the words it shares in bold, then
    the rest of its text around shared words it holds beyond its headline."""
    headline = why(_marked(clip(" ".join(f.headline.split()), 60), f.shared))
    entry = f"{ref(f, domain=domain)} {headline}"
    if f.detail:
        entry += f", {escape(f.detail)}"
    if f.snippet:
        entry += f": “{why(f.snippet)}”"
    return entry


def tried_before(found: tuple[Found, ...], *, domain: str | None) -> Blocks:
    """What was tried before like a new record, one line each with its shared words in bold;
    nothing when there is nothing alike."""
    if not found:
        return []
    return [
        context("*Tried before*, sharing the words in bold:"),
        *(context(_suggestion(f, domain=domain)) for f in found),
    ]


def tried_before_note(ref_: str, found: tuple[Found, ...], *, domain: str | None) -> Blocks:
    """A reply under a new problem's card: what the team tried that is like it."""
    return [
        section(f"Before you start on *{ref_}*: the team has tried something like it."),
        *tried_before(found, domain=domain),
    ]


def tried_before_text(ref_: str) -> str:
    """The note's notification text."""
    return f"Before you start on {ref_}: the team has tried something like it."


HELP = """*`/ritual`*: the team's memory and rituals.
• `/ritual search label noise`: past problems, experiments, error analyses (lessons, root causes, categories) and decisions, best match first
• `/ritual connect webhook`: a token for training scripts to log experiments (`ritualbot log`); again to rotate it, `/ritual disconnect webhook` to revoke it
• `/ritual export`: the team's lab notebook (Markdown per problem, CSV and JSON of every record) as a file in a DM; `/ritual export P-12` for one problem's notebook
• `/ritual connect mlflow https://mlflow.example.com [token]`: connect the team's MLflow (admins; the token is stored encrypted, never shown), so a pasted run's value is filled in
• `/ritual connect wandb &lt;api key&gt; [W&amp;B Server address]`: connect W&amp;B (admins; wandb.ai unless you run your own server)
• `/ritual connections`, `/ritual disconnect mlflow|wandb`
• `/ritual help`: this message"""
