"""What the app declares in its manifest: commands, shortcuts, subscribed events."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# At the project root in a checkout (or `pip install -e`); pyproject's data-files puts a
# copy under <prefix>/share/ritualbot/ when installed.
MANIFESTS = (
    Path(__file__).resolve().parents[1] / "manifest.yml",
    Path(sys.prefix) / "share" / "ritualbot" / "manifest.yml",
)


@dataclass(frozen=True)
class AppSurface:
    """The parts of the app a person can reach from Slack's UI."""

    commands: tuple[dict[str, str], ...] = ()
    message_shortcuts: tuple[dict[str, str], ...] = ()
    global_shortcuts: tuple[dict[str, str], ...] = ()
    bot_events: frozenset[str] = field(default_factory=frozenset)
    # The app's Messages tab: people can read what it sends but not type to it.
    messages_read_only: bool = False

    def to_page(self) -> dict[str, Any]:
        """The surface as the page reads it."""
        return {
            "commands": list(self.commands),
            "message_shortcuts": list(self.message_shortcuts),
            "global_shortcuts": list(self.global_shortcuts),
            "messages_read_only": self.messages_read_only,
        }


def from_manifest(manifest: dict[str, Any]) -> AppSurface:
    """The surface a parsed manifest declares."""
    features = manifest.get("features") or {}
    commands = tuple(
        {
            "command": c["command"],
            "description": c.get("description", ""),
            "usage_hint": c.get("usage_hint", ""),
        }
        for c in features.get("slash_commands") or []
    )
    shortcuts = features.get("shortcuts") or []

    def of_type(kind: str) -> tuple[dict[str, str], ...]:
        return tuple(
            {"callback_id": s["callback_id"], "name": s["name"]}
            for s in shortcuts
            if s.get("type") == kind
        )

    events = ((manifest.get("settings") or {}).get("event_subscriptions") or {}).get("bot_events")
    return AppSurface(
        commands=commands,
        message_shortcuts=of_type("message"),
        global_shortcuts=of_type("global"),
        bot_events=frozenset(events or ()),
        messages_read_only=bool(
            (features.get("app_home") or {}).get("messages_tab_read_only_enabled")
        ),
    )


def load(paths: tuple[Path, ...] = MANIFESTS) -> AppSurface:
    """The surface of the first manifest found; an empty one when there is none."""
    found = next((path for path in paths if path.is_file()), None)
    if found is None:
        return AppSurface()
    return from_manifest(yaml.safe_load(found.read_text()))
