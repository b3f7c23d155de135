"""The sandbox page's files (plain HTML, CSS and JavaScript under sandbox/web/, no build step)."""

from __future__ import annotations

import mimetypes
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent / "web"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# Where the page loads the installed emoji font from (sandbox/fonts.py finds it).
EMOJI_FONT = "emoji-font"


def asset(name: str) -> tuple[bytes, str] | None:
    """A file of the page and its content type; None for anything outside sandbox/web/."""
    path = (ROOT / name).resolve()
    if not path.is_relative_to(ROOT) or not path.is_file():
        return None
    kind = (
        TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )
    if kind == "text/html":
        kind = "text/html; charset=utf-8"
    return path.read_bytes(), kind


def font(path: Path) -> tuple[bytes, str]:
    """An installed font file, served to the page."""
    return path.read_bytes(), mimetypes.guess_type(path.name)[0] or "application/octet-stream"


AVATAR_COLOURS = ("#4a154b", "#1264a3", "#2bac76", "#e8912d", "#cd2553", "#0b4c8c")


def avatar_svg(name: str, seed: str) -> bytes:
    """A person's picture as the emulator draws it: their initial on a colour of their own."""
    colour = AVATAR_COLOURS[sum(map(ord, seed)) % len(AVATAR_COLOURS)]
    initial = escape((name.strip()[:1] or "?").upper())
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 72 72">'
        f'<rect width="72" height="72" rx="8" fill="{colour}"/>'
        '<text x="36" y="48" font-family="sans-serif" font-size="36" fill="#fff" '
        f'text-anchor="middle">{initial}</text></svg>'
    ).encode()
