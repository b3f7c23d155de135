"""The emulator's URL map: Web API, response_urls, file uploads, control endpoints."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING

from sandbox import assets, responses
from sandbox.api import ApiError
from sandbox.assets import avatar_svg
from sandbox.page import PageError
from sandbox.server import HttpAnswer, HttpRequest

if TYPE_CHECKING:
    from sandbox.slack import Slack


class Routes:
    """Routes each HTTP request to the part of the emulator that answers it."""

    def __init__(self, emulator: Slack) -> None:
        self.emulator = emulator

    def __call__(self, request: HttpRequest) -> HttpAnswer:
        """Answer one request."""
        section, _, rest = request.path.lstrip("/").partition("/")
        handler = {
            ("GET", "api"): self._api,
            ("POST", "api"): self._api,
            ("POST", "response"): self._response,
            ("POST", "upload"): self._upload,
            ("GET", "files"): self._file,
            ("GET", "avatars"): self._avatar,
            ("GET", "_emulator"): self._control,
            ("POST", "_emulator"): self._control,
            ("GET", ""): self._index,
            ("GET", "static"): self._static,
            ("GET", "_sandbox"): self._page,
            ("POST", "_sandbox"): self._page,
        }.get((request.method, section))
        if handler is None:
            return HttpAnswer.json({"ok": False, "error": "not_found"}, status=404)
        return handler(request, rest)

    def _api(self, request: HttpRequest, method: str) -> HttpAnswer:
        """A Web API call."""
        answer = self.emulator.webapi.handle(
            method=method,
            query=request.query,
            headers=request.headers,
            body=request.body,
            base_url=self.emulator.base_url,
        )
        if isinstance(answer.body, str):
            return HttpAnswer(answer.status, answer.body.encode(), headers=answer.headers)
        return HttpAnswer.json(answer.body, status=answer.status, headers=answer.headers)

    def _response(self, request: HttpRequest, response_id: str) -> HttpAnswer:
        """A message sent to a response_url."""
        try:
            body = json.loads(request.body or b"{}")
            responses.receive(
                world=self.emulator.world,
                url=f"{self.emulator.base_url}{request.path}",
                response_id=response_id,
                body=body,
            )
        except ValueError:
            return HttpAnswer.json({"ok": False, "error": "invalid_json"}, status=400)
        except ApiError as error:
            status = 404 if error.error == "expired_url" else 400
            return HttpAnswer.json(error.body(), status=status)
        return HttpAnswer.json({"ok": True})

    def _upload(self, request: HttpRequest, file_id: str) -> HttpAnswer:
        """The bytes of a file, sent to the URL files.getUploadURLExternal gave."""
        world = self.emulator.world
        with world.lock:
            stored = world.files.get(file_id)
            if stored is None:
                return HttpAnswer(404, b"unknown upload")
            stored.data = request.body
        return HttpAnswer(200, f"OK - {len(request.body)}".encode())

    def _file(self, request: HttpRequest, file_id: str) -> HttpAnswer:
        """An uploaded file's bytes."""
        stored = self.emulator.world.files.get(file_id)
        if stored is None or stored.data is None:
            return HttpAnswer(404, b"file not found")
        return HttpAnswer(200, stored.data, stored.mimetype)

    def _avatar(self, request: HttpRequest, name: str) -> HttpAnswer:
        """A person's picture: their initial on a colour of their own."""
        user_id = name.removesuffix(".svg")
        user = self.emulator.world.users.get(user_id)
        if user is None:
            return HttpAnswer(404, b"no such person")
        return HttpAnswer(200, avatar_svg(user.real_name or user.name, user.id), "image/svg+xml")

    def _control(self, request: HttpRequest, action: str) -> HttpAnswer:
        """Drive the emulator from another process."""
        emulator = self.emulator
        if (request.method, action) == ("GET", "calls"):
            calls = emulator.calls(
                request.query.get("method"), team_id=request.query.get("team_id")
            )
            return HttpAnswer.json([asdict(call) for call in calls])
        if (request.method, action) == ("GET", "messages"):
            messages = emulator.messages(request.query.get("channel", ""))
            return HttpAnswer.json([asdict(message) for message in messages])
        if (request.method, action) == ("POST", "inject"):
            try:
                emulator.inject(**json.loads(request.body or b"{}"))
            except (TypeError, ValueError) as error:
                return HttpAnswer.json({"ok": False, "error": str(error)}, status=400)
            return HttpAnswer.json({"ok": True})
        if (request.method, action) == ("POST", "reset"):
            emulator.reset()
            return HttpAnswer.json({"ok": True})
        return HttpAnswer.json({"ok": False, "error": "not_found"}, status=404)

    def _index(self, request: HttpRequest, rest: str) -> HttpAnswer:
        """The sandbox page."""
        return self._static(request, "index.html")

    def _static(self, request: HttpRequest, name: str) -> HttpAnswer:
        """One of the page's files, or the emoji font it draws with."""
        font = self.emulator.page.emoji_font
        found = assets.font(font.path) if font and name == assets.EMOJI_FONT else assets.asset(name)
        if found is None:
            return HttpAnswer(404, b"not found")
        body, content_type = found
        return HttpAnswer(200, body, content_type, {"Cache-Control": "no-cache"})

    def _page(self, request: HttpRequest, action: str) -> HttpAnswer:
        """The page's JSON API: GET state, POST act."""
        page = self.emulator.page
        try:
            if (request.method, action) == ("GET", "state"):
                return HttpAnswer.json(
                    page.state(
                        user_id=request.query.get("user", ""),
                        channel_id=request.query.get("channel", ""),
                        thread_ts=request.query.get("thread", ""),
                    )
                )
            if (request.method, action) == ("POST", "act"):
                # JSON only: a browser must then ask first (CORS preflight), which this server
                # never grants, so another site open in the same browser cannot act here.
                if not request.headers.get("Content-Type", "").startswith("application/json"):
                    return HttpAnswer.json(
                        {"ok": False, "error": "send application/json"}, status=415
                    )
                body = json.loads(request.body or b"{}")
                if not isinstance(body, dict):
                    raise PageError("send a JSON object")
                return HttpAnswer.json(page.act(body))
        except json.JSONDecodeError:
            return HttpAnswer.json({"ok": False, "error": "send a JSON object"}, status=400)
        except PageError as error:
            return HttpAnswer.json({"ok": False, "error": str(error)}, status=400)
        return HttpAnswer.json({"ok": False, "error": "not_found"}, status=404)
