"""Setting the emulated Slack up: the app installed in workspaces, their people and channels."""

from __future__ import annotations

import time
from zoneinfo import ZoneInfo

from sandbox import lookups
from sandbox.records import Channel, User, Workspace
from sandbox.state import World

APP_ID = "A0EMULATOR"
BOT_NAME = "ritualbot"
# What a typical install grants; tests can install with fewer to see `ritualbot doctor` object.
DEFAULT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "chat:write.customize",
    "im:write",
    "users:read",
    "channels:read",
    "groups:read",
    "files:write",
    "canvases:write",
    "channels:history",
    "groups:history",
    "im:history",
)


class WorkspaceSetup:
    """Installs, people, channels, and the OAuth side of installing."""

    world: World

    def add_workspace(
        self,
        *,
        team_id: str,
        name: str = "Ritual Lab",
        domain: str | None = None,
        bot_token: str | None = None,
        scopes: tuple[str, ...] = DEFAULT_SCOPES,
    ) -> Workspace:
        """Install the app in a workspace, with its bot user and token."""
        suffix = team_id[1:]
        workspace = Workspace(
            team_id=team_id,
            name=name,
            domain=domain or team_id.lower(),
            bot_token=bot_token or f"xoxb-{team_id}-emulator",
            bot_user_id=f"U{suffix}BOT",
            bot_id=f"B{suffix}BOT",
            app_id=APP_ID,
            scopes=tuple(scopes),
        )
        with self.world.lock:
            self.world.workspaces[team_id] = workspace
            self.world.tokens[workspace.bot_token] = team_id
        self.add_user(team_id=team_id, user_id=workspace.bot_user_id, name=BOT_NAME, is_bot=True)
        return workspace

    def add_user(
        self,
        *,
        team_id: str,
        user_id: str,
        name: str,
        real_name: str | None = None,
        tz: str = "UTC",
        is_admin: bool = False,
        is_bot: bool = False,
        deleted: bool = False,
    ) -> User:
        """Add a member to a workspace; tz_offset and tz_label are those of now."""
        lookups.workspace(self.world, team_id)
        local = self.world.now().astimezone(ZoneInfo(tz))
        offset = local.utcoffset()
        user = User(
            team_id=team_id,
            id=user_id,
            name=name,
            real_name=real_name or name,
            tz=tz,
            tz_offset=int(offset.total_seconds()) if offset else 0,
            tz_label=local.tzname() or tz,
            is_admin=is_admin,
            is_bot=is_bot,
            deleted=deleted,
        )
        with self.world.lock:
            self.world.users[user_id] = user
        return user

    def add_channel(
        self,
        *,
        team_id: str,
        channel_id: str,
        name: str,
        members: list[str] | tuple[str, ...] = (),
        bot_is_member: bool = True,
        is_private: bool = False,
        is_archived: bool = False,
    ) -> Channel:
        """Add a channel; the bot is a member unless told otherwise."""
        workspace = lookups.workspace(self.world, team_id)
        bot = [workspace.bot_user_id] if bot_is_member else []
        channel = Channel(
            team_id=team_id,
            id=channel_id,
            name=name,
            members=[*members, *bot],
            is_private=is_private,
            is_archived=is_archived,
            created=int(self.world.seconds()),
        )
        with self.world.lock:
            self.world.channels[channel_id] = channel
            self.world.history[channel_id] = []
        return channel

    def workspace(self, team_id: str) -> Workspace:
        """A workspace added with add_workspace."""
        return self.world.workspaces[team_id]

    def register_oauth_client(self, *, client_id: str, client_secret: str) -> None:
        """Let an app with these credentials exchange codes at oauth.v2.access."""
        with self.world.lock:
            self.world.oauth_clients[client_id] = client_secret

    def approve_install(self, *, team_id: str, user_id: str) -> str:
        """A user approves the app on Slack's consent page: the code Slack redirects with."""
        code = f"code-{team_id}-{len(self.world.oauth_codes)}-{int(time.time() * 1000)}"
        with self.world.lock:
            self.world.oauth_codes[code] = (team_id, user_id)
        return code

    def revoke_token(self, token: str) -> None:
        """Make later calls with the token fail with invalid_auth."""
        with self.world.lock:
            self.world.tokens.pop(token, None)
