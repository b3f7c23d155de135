"""What the emulator knows: the Slack world, and what the app did in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Workspace:
    """A workspace with the app installed, and the app's bot user in it."""

    team_id: str
    name: str
    domain: str
    bot_token: str
    bot_user_id: str
    bot_id: str
    app_id: str
    scopes: tuple[str, ...] = ()
    # Whether the workspace's plan and admins allow canvases (canvas_disabled_user_team).
    canvases: bool = True

    def team_ref(self) -> dict[str, Any]:
        """The `team` object Slack puts in interaction payloads."""
        return {"id": self.team_id, "domain": self.domain}


# The picture sizes Slack gives in a profile (image_24 … image_512).
AVATAR_SIZES = (24, 32, 48, 72, 192, 512)


@dataclass
class User:
    """A member of a workspace, human or bot."""

    team_id: str
    id: str
    name: str
    real_name: str
    tz: str
    tz_offset: int
    tz_label: str
    is_admin: bool = False
    is_bot: bool = False
    deleted: bool = False

    def avatar(self, base_url: str, size: int) -> str:
        """Where the emulator serves this person's picture (their initial), at `size` px."""
        return f"{base_url}/avatars/{self.id}.svg?s={size}"

    def to_api(self, *, base_url: str = "") -> dict[str, Any]:
        """The user object as users.info and users.list return it."""
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": self.tz_label,
            "tz_offset": self.tz_offset,
            "is_admin": self.is_admin,
            "is_owner": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "profile": {
                "real_name": self.real_name,
                "real_name_normalized": self.real_name,
                "display_name": self.name,
                "display_name_normalized": self.name,
                "team": self.team_id,
                **{f"image_{n}": self.avatar(base_url, n) for n in AVATAR_SIZES},
            },
        }

    def user_ref(self) -> dict[str, Any]:
        """The `user` object Slack puts in interaction payloads."""
        return {"id": self.id, "username": self.name, "name": self.name, "team_id": self.team_id}


@dataclass
class Channel:
    """A public or private channel, or a direct message with one user (`im_user`)."""

    team_id: str
    id: str
    name: str
    members: list[str] = field(default_factory=list)
    is_private: bool = False
    is_archived: bool = False
    im_user: str | None = None
    created: int = 0

    def to_api(self, *, bot_user_id: str) -> dict[str, Any]:
        """The channel object as conversations.info returns it."""
        info: dict[str, Any] = {
            "id": self.id,
            "created": self.created,
            "is_channel": self.im_user is None and not self.is_private,
            "is_group": self.im_user is None and self.is_private,
            "is_im": self.im_user is not None,
            "is_private": self.is_private or self.im_user is not None,
            "is_archived": self.is_archived,
            "is_member": bot_user_id in self.members,
            "context_team_id": self.team_id,
        }
        if self.im_user is None:
            info |= {"name": self.name, "num_members": len(self.members)}
        else:
            info["user"] = self.im_user
        return info


@dataclass
class Message:
    """A message in a channel's history (or an ephemeral one)."""

    ts: str
    channel: str
    user: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    edited: bool = False
    files: list[dict[str, Any]] = field(default_factory=list)
    bot_id: str | None = None
    # What the app attached with chat.postMessage's `metadata` (event_type, event_payload).
    metadata: dict[str, Any] | None = None
    # The name and picture the app posted it under (chat:write.customize), if it chose one.
    username: str | None = None
    icon_url: str | None = None

    def to_api(self, *, team_id: str) -> dict[str, Any]:
        """The message object as the history methods return it."""
        message: dict[str, Any] = {
            "type": "message",
            "user": self.user,
            "text": self.text,
            "ts": self.ts,
            "team": team_id,
        }
        if self.blocks:
            message["blocks"] = self.blocks
        if self.bot_id:
            message["bot_id"] = self.bot_id
        if self.thread_ts:
            message["thread_ts"] = self.thread_ts
        if self.edited:
            message["edited"] = {"user": self.user, "ts": self.ts}
        if self.files:
            message["files"] = self.files
        if self.username:
            message["username"] = self.username
        if self.icon_url:
            message["icons"] = {"image_48": self.icon_url}
        return message


@dataclass
class View:
    """A modal as the emulator shows it to one user."""

    id: str
    team_id: str
    user_id: str
    view: dict[str, Any]
    hash: str
    closed: bool = False
    errors: dict[str, str] | None = None


@dataclass
class Call:
    """One Web API call the app made, and what the emulator answered."""

    method: str
    args: dict[str, Any]
    team_id: str | None
    status: int
    response: dict[str, Any]
    at: float


@dataclass
class Response:
    """One POST the app made to a response_url."""

    url: str
    body: dict[str, Any]
    at: float


@dataclass
class Delivery:
    """The app's answer to one signed request the emulator delivered."""

    status: int
    body: dict[str, Any] | str | None
    headers: dict[str, str]
    trigger_id: str | None = None
    response_url: str | None = None
    others: list[Delivery] = field(default_factory=list)
    # What was sent, so the same request can be delivered again as Slack retries it.
    request: tuple[str, bytes, str] | None = None


@dataclass
class Trigger:
    """A trigger_id handed to the app with one delivery."""

    team_id: str
    user_id: str
    issued_at: float
    used: bool = False


@dataclass
class ResponseTarget:
    """Where a response_url's messages go."""

    team_id: str
    channel_id: str | None
    user_id: str
    message_ts: str | None = None


@dataclass
class StoredFile:
    """A file uploaded through files.getUploadURLExternal."""

    id: str
    team_id: str
    name: str
    length: int
    mimetype: str
    title: str = ""
    data: bytes | None = None

    def to_api(self, *, base_url: str) -> dict[str, Any]:
        """The file object as files.completeUploadExternal returns it."""
        return {
            "id": self.id,
            "name": self.name,
            "title": self.title or self.name,
            "mimetype": self.mimetype,
            "size": len(self.data or b""),
            "url_private": f"{base_url}/files/{self.id}",
        }


@dataclass
class Canvas:
    """A canvas the app created (canvases.create), its content as Markdown."""

    id: str
    team_id: str
    title: str
    markdown: str
    # The channel it is a tab of; None for a standalone canvas.
    channel_id: str | None = None
    edits: int = 0
