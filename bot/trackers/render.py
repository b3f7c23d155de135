"""What `/ritual connect`, `connections` and `disconnect` answer. A token is never shown."""

from __future__ import annotations

from bot.blocks import day_of, user
from bot.text import escape
from bot.trackers.service import Connection
from storage.trackers import TrackerKind

NAMES = {TrackerKind.MLFLOW: "MLflow", TrackerKind.WANDB: "Weights & Biases"}
CONNECT_EXAMPLE = "`/ritual connect mlflow https://mlflow.example.com [token]`"


def checking(kind: TrackerKind, url: str) -> str:
    return f"Checking {NAMES[kind]} at {escape(url)}…"


def connected(kind: TrackerKind, url: str, *, with_token: bool, entity: str | None = None) -> str:
    token = " with the token you gave (stored encrypted, never shown again)" if with_token else ""
    scope = f", for the runs of `{escape(entity)}`" if entity else ""
    return (
        f"Connected {NAMES[kind]} at {escape(url)}{token}{scope}. Paste a run's link in "
        "`/experiment P-12 <run link> <note>` and its value is filled from the problem's "
        "metric key (`/problem P-12 metric-key val/recall@10`)."
    )


def connections(found: list[Connection]) -> str:
    if not found:
        return f"No tracker is connected. Connect one with {CONNECT_EXAMPLE}."
    lines = ["*Connected trackers*"]
    for c in found:
        token = "with a token" if c.has_token else "without a token"
        scope = f" for the runs of `{escape(c.entity)}`" if c.entity else ""
        lines.append(
            f"• {NAMES[c.kind]} at {escape(c.url)}, {token}{scope}, by {user(c.connected_by)} "
            f"on {day_of(c.connected_at)}"
        )
    lines.append(f"Disconnect one with `/ritual disconnect {found[0].kind.value}`.")
    return "\n".join(lines)


def disconnected(kind: TrackerKind, *, was_connected: bool) -> str:
    if not was_connected:
        return f"{NAMES[kind]} was not connected; nothing changed."
    return (
        f"Disconnected {NAMES[kind]}: its address and token are deleted. Run links stay on "
        "the experiments that have them."
    )
