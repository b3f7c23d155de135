"""The emoji font the sandbox page draws emoji with: one installed here, found with fontconfig.

Slack draws emoji in every client; a browser draws them only with a colour emoji font, and a
bare Linux desktop or container often has none, so every :tada: the bot sends is a box. The
page serves the one it finds (so the browser need not find it itself), or says how to install
one.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Colour emoji families, most common first; the first one installed is served.
FAMILIES = ("Noto Color Emoji", "Twemoji", "Apple Color Emoji", "Segoe UI Emoji", "JoyPixels")
INSTALL = "sudo apt-get install fonts-noto-color-emoji"
LISTING_SECONDS = 5


@dataclass(frozen=True)
class EmojiFont:
    family: str
    path: Path


def installed_fonts() -> str:
    """fontconfig's `family<TAB>file` lines for every installed font; empty without fc-list."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ""
    try:
        listing = subprocess.run(
            [fc_list, "--format", "%{family}\t%{file}\n"],
            capture_output=True,
            text=True,
            timeout=LISTING_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return listing.stdout


def emoji_font(listing: Callable[[], str] = installed_fonts) -> EmojiFont | None:
    """The installed colour emoji font the page should use, or None when there is none."""
    found: dict[str, Path] = {}
    for line in listing().splitlines():
        families, _, file = line.partition("\t")
        for family in families.split(","):
            if family.strip() in FAMILIES and file:
                found.setdefault(family.strip(), Path(file))
    for family in FAMILIES:
        if family in found and found[family].is_file():
            return EmojiFont(family=family, path=found[family])
    return None
