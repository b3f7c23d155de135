"""What `/ritual <text>` asks for: search the team's memory, export it, connect a tracker
or the experiments webhook, and help."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.commands import Help, parse_ref
from bot.errors import UsageError
from storage.trackers import TrackerKind


@dataclass(frozen=True)
class Search:
    words: str


@dataclass(frozen=True)
class Export:
    """The workspace's export (one problem's notebook with a `number`), as a file by DM."""

    number: int | None


@dataclass(frozen=True)
class Connect:
    kind: TrackerKind
    url: str
    token: str | None
    entity: str | None = None  # W&B: the user or team whose runs get the key


@dataclass(frozen=True)
class Connections:
    pass


@dataclass(frozen=True)
class Disconnect:
    kind: TrackerKind


# `/ritual connect webhook`, `/ritual disconnect webhook`: the experiments webhook's token.
@dataclass(frozen=True)
class ConnectWebhook:
    pass


@dataclass(frozen=True)
class DisconnectWebhook:
    pass


WEBHOOK_VERBS = {"connect": ConnectWebhook, "disconnect": DisconnectWebhook}

RitualCommand = (
    Help | Search | Export | Connect | Connections | Disconnect | ConnectWebhook | DisconnectWebhook
)
SEARCH_EXAMPLE = "`/ritual search label noise`"
CONNECT_EXAMPLE = "`/ritual connect mlflow https://mlflow.example.com [token]`"
WANDB_EXAMPLE = "`/ritual connect wandb <api key> [entity]`"
# A W&B entity (user or team) name, as W&B allows it.
ENTITY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
DEFAULT_WANDB_API = "https://api.wandb.ai"


def parse_ritual(text: str) -> RitualCommand:
    """What `/ritual <text>` asks for."""
    word, _, rest = text.strip().partition(" ")
    word, rest = word.lower(), rest.strip()
    if word in ("", "help") and not rest:
        return Help()
    if word == "search":
        if not rest:
            raise UsageError(f"Say what to search for, e.g. {SEARCH_EXAMPLE}.")
        return Search(rest)
    if word == "export":
        if len(rest.split()) > 1:
            raise UsageError(
                "`/ritual export` takes one problem id or nothing: `/ritual export P-12` for "
                "that problem's notebook, `/ritual export` for the whole workspace."
            )
        return Export(parse_ref(rest, kind="P") if rest else None)
    if word in WEBHOOK_VERBS and rest.lower() == "webhook":
        return WEBHOOK_VERBS[word]()
    if word == "connect":
        return _connect(rest)
    if word == "connections" and not rest:
        return Connections()
    if word == "disconnect":
        return Disconnect(_tracker_kind(rest, verb="disconnect"))
    raise UsageError(
        f"`/ritual` doesn't know '{text.strip()[:40]}'. "
        f"To search the team's history, type e.g. {SEARCH_EXAMPLE}."
    )


def _connect(rest: str) -> Connect:
    """`/ritual connect <what> …`: one case per thing a workspace connects."""
    kind, _, args = rest.partition(" ")
    match kind.lower():
        case "mlflow":
            return connect_mlflow(args.split())
        case "wandb":
            return connect_wandb(args.split())
        case _:
            raise UsageError(
                f"`/ritual connect` connects an MLflow tracking server or W&B, not "
                f"'{kind[:30]}'. Example: {CONNECT_EXAMPLE}, {WANDB_EXAMPLE}, or "
                "`/ritual connect webhook` for training scripts."
            )


def connect_mlflow(args: list[str]) -> Connect:
    if not args or len(args) > 2:
        raise UsageError(
            "Give the MLflow server's address, and a token if it needs one (Databricks: a "
            f"personal access token). Example: {CONNECT_EXAMPLE}."
        )
    url = _web_address(args[0], example=CONNECT_EXAMPLE, what="The MLflow address")
    return Connect(TrackerKind.MLFLOW, url, args[1] if len(args) == 2 else None)


def connect_wandb(args: list[str]) -> Connect:
    """`/ritual connect wandb <api key> [entity] [W&B Server address]` (wandb.ai by default):
    with an entity, the key is sent only for that user's or team's runs."""
    if not args or len(args) > 3:
        raise UsageError(
            "Give your W&B API key (wandb.ai/authorize), then if you like the entity (your "
            "W&B user or team) whose runs it reads, and your W&B Server's address if you run "
            f"your own. Example: {WANDB_EXAMPLE}."
        )
    key, rest = args[0], args[1:]
    addresses = [a for a in rest if "://" in a or a.startswith("<")]
    entities = [a for a in rest if a not in addresses]
    if len(addresses) > 1 or len(entities) > 1:
        raise UsageError(
            f"Give one entity and one W&B Server address at most. Example: {WANDB_EXAMPLE}."
        )
    return wandb_connection(
        key, entity=entities[0] if entities else None, server=addresses[0] if addresses else None
    )


def wandb_connection(key: str, *, entity: str | None, server: str | None) -> Connect:
    """W&B with `key`, for `entity`'s runs when given, at `server` (else wandb.ai)."""
    if entity and not ENTITY.fullmatch(entity):
        raise UsageError(
            f"'{entity[:40]}' is not a W&B entity name (letters, digits, '-', '_' and "
            f"'.', as in your runs' links: wandb.ai/<entity>/<project>). Example: {WANDB_EXAMPLE}."
        )
    url = _web_address(
        server or DEFAULT_WANDB_API, example=WANDB_EXAMPLE, what="The W&B Server address"
    )
    return Connect(TrackerKind.WANDB, url, key, entity)


def _web_address(typed: str, *, example: str, what: str) -> str:
    url = typed.strip("<>").split("|", 1)[0]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            f"{what} must be a web address starting with https:// (or http://). Example: {example}."
        )
    return url


def _tracker_kind(text: str, *, verb: str) -> TrackerKind:
    try:
        return TrackerKind(text.strip().lower())
    except ValueError:
        raise UsageError(
            f"Say which tracker to {verb}: `/ritual {verb} mlflow` or `/ritual {verb} wandb` "
            "(`/ritual connections` lists what is connected)."
        ) from None
