"""The Web API front door: parse, fault, authenticate, rate-limit, answer, record."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from sandbox import api_canvases, api_chat, api_directory, api_files, api_views
from sandbox.api import ApiError, ApiRequest
from sandbox.faults import Fault, Faults
from sandbox.ratelimits import POST_MESSAGE_PER_MINUTE, TIER_2, TIER_3, TIER_4, RateLimiter
from sandbox.records import Call
from sandbox.server import LOST
from sandbox.state import World

JSON_ARGS = ("blocks", "attachments", "view", "files", "metadata", "document_content", "changes")


@dataclass(frozen=True)
class Method:
    """A Web API method the emulator implements, with its rate-limit tier."""

    handler: Callable[[ApiRequest], dict[str, Any]]
    per_minute: int


METHODS: dict[str, Method] = {
    "auth.test": Method(api_directory.auth_test, TIER_4),
    "team.info": Method(api_directory.team_info, TIER_3),
    "users.info": Method(api_directory.users_info, TIER_4),
    "users.list": Method(api_directory.users_list, TIER_2),
    "conversations.open": Method(api_directory.conversations_open, TIER_3),
    "conversations.info": Method(api_directory.conversations_info, TIER_3),
    "conversations.members": Method(api_directory.conversations_members, TIER_2),
    "conversations.history": Method(api_directory.conversations_history, TIER_3),
    "conversations.replies": Method(api_directory.conversations_replies, TIER_3),
    "chat.postMessage": Method(api_chat.post_message, POST_MESSAGE_PER_MINUTE),
    "chat.postEphemeral": Method(api_chat.post_ephemeral, TIER_4),
    "chat.update": Method(api_chat.update, TIER_3),
    "chat.delete": Method(api_chat.delete, TIER_3),
    "chat.getPermalink": Method(api_chat.get_permalink, TIER_4),
    "views.open": Method(api_views.open_view, TIER_4),
    "views.push": Method(api_views.push_view, TIER_4),
    "views.update": Method(api_views.update_view, TIER_4),
    "views.publish": Method(api_views.publish_view, TIER_4),
    "files.getUploadURLExternal": Method(api_files.get_upload_url, TIER_4),
    "files.completeUploadExternal": Method(api_files.complete_upload, TIER_4),
    "canvases.create": Method(api_canvases.create, TIER_2),
    "canvases.edit": Method(api_canvases.edit, TIER_3),
}


@dataclass
class ApiAnswer:
    """An HTTP answer to a Web API call: JSON, or plain text for injected server errors."""

    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)


def parse_call(
    *, query: Mapping[str, str], headers: Mapping[str, str], body: bytes
) -> tuple[dict[str, Any], str | None]:
    """The arguments (JSON-string ones decoded) and token of a GET, form or JSON call."""
    args: dict[str, Any] = dict(query)
    if body:
        if "json" in headers.get("Content-Type", ""):
            args.update(json.loads(body))
        else:
            form = parse_qs(body.decode(), keep_blank_values=True)
            args.update({key: values[-1] for key, values in form.items()})
    for key in JSON_ARGS:
        if isinstance(args.get(key), str) and args[key][:1] in ("[", "{"):
            args[key] = json.loads(args[key])
    token = args.pop("token", None)
    authorization = headers.get("Authorization", "")
    if authorization.startswith("Bearer "):
        token = authorization.removeprefix("Bearer ")
    return args, token


class WebApi:
    """Answers Web API calls against the world and records every one of them."""

    def __init__(self, *, world: World, faults: Faults, limiter: RateLimiter) -> None:
        self.world = world
        self.faults = faults
        self.limiter = limiter

    def handle(
        self,
        *,
        method: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
        base_url: str,
    ) -> ApiAnswer:
        """Answer one HTTP call, after any injected delay, and record it."""
        fault = self.faults.take(method)
        if fault:
            time.sleep(fault.delay)
        try:
            args, token = parse_call(query=query, headers=headers, body=body)
        except ValueError:
            args, token = {}, None
            fault = Fault(method=method, error="invalid_json")
        with self.world.lock:
            workspace = self.world.workspace_for_token(token)
        team_id = workspace.team_id if workspace else None
        if fault and fault.answers:
            answer = _fault_answer(fault)
        elif method == "oauth.v2.access":
            with self.world.lock:
                answer = ApiAnswer(200, oauth_access(self.world, args, headers))
        elif method not in METHODS:
            answer = ApiAnswer(200, ApiError("unknown_method").body())
        elif not token:
            answer = ApiAnswer(200, ApiError("not_authed").body())
        elif workspace is None:
            answer = ApiAnswer(200, ApiError("invalid_auth").body())
        else:
            answer = self._answer(
                method=method, request=ApiRequest(self.world, workspace, args, base_url)
            )
        recorded = answer.body if isinstance(answer.body, dict) else {}
        call = Call(method, args, team_id, answer.status, recorded, time.time())
        with self.world.lock:
            self.world.calls.append(call)
        if fault and fault.lose_answer:
            return ApiAnswer(LOST, "")
        return answer

    def _answer(self, *, method: str, request: ApiRequest) -> ApiAnswer:
        """Rate-limit, then run the method's handler."""
        retry_after = self.limiter.check(
            team_id=request.workspace.team_id,
            method=method,
            per_minute=METHODS[method].per_minute,
            channel=request.text("channel") or None,
        )
        if retry_after is not None:
            return _ratelimited(retry_after)
        # Slack reports the token's scopes on every answer; `ritualbot doctor` reads them.
        scopes = {"X-OAuth-Scopes": ",".join(request.workspace.scopes)}
        with self.world.lock:
            try:
                return ApiAnswer(200, METHODS[method].handler(request), scopes)
            except ApiError as error:
                return ApiAnswer(200, error.body(), scopes)


def oauth_access(world: World, args: dict[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
    """oauth.v2.access: exchange an authorization code for the workspace's bot token."""
    client_id, secret = args.get("client_id"), args.get("client_secret")
    basic = headers.get("Authorization", "")
    if basic.startswith("Basic "):
        client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
    if client_id not in world.oauth_clients:
        return ApiError("invalid_client_id").body()
    if world.oauth_clients[client_id] != secret:
        return ApiError("bad_client_secret").body()
    granted = world.oauth_codes.pop(str(args.get("code", "")), None)
    if granted is None:
        return ApiError("invalid_code").body()
    team_id, user_id = granted
    ws = world.workspaces[team_id]
    return {
        "ok": True,
        "access_token": ws.bot_token,
        "token_type": "bot",
        "scope": ",".join(ws.scopes),
        "bot_user_id": ws.bot_user_id,
        "app_id": ws.app_id,
        "team": {"id": ws.team_id, "name": ws.name},
        "enterprise": None,
        "authed_user": {"id": user_id},
        "is_enterprise_install": False,
    }


def _ratelimited(retry_after: int) -> ApiAnswer:
    """Slack's 429 answer."""
    body = ApiError("ratelimited").body()
    return ApiAnswer(429, body, {"Retry-After": str(retry_after)})


def _fault_answer(fault: Fault) -> ApiAnswer:
    """The answer an injected fault stands for."""
    if fault.status == 429:
        return _ratelimited(fault.retry_after or 1)
    if fault.status not in (None, 200):
        return ApiAnswer(fault.status, f"emulated HTTP {fault.status}")
    return ApiAnswer(200, ApiError(fault.error or "fatal_error").body())
