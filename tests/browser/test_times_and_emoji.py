"""The page shows every time by the sandbox clock, each date token in the viewer's own
timezone, and emoji in an installed emoji font, or says how to install one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from sandbox.fonts import INSTALL, EmojiFont
from sandbox.run import Sandbox

# A Monday morning, far from any real today: 03:00 in Toronto (Ada), 08:00 in London (Alan).
START = datetime(2025, 6, 2, 7, 0, tzinfo=UTC)
# Not an emoji font: any font file stands in for one, to check that the page loads the one served.
STAND_IN = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.fixture
def sandbox(database_url: str) -> Iterator[Sandbox]:
    with Sandbox(port=0, database_url=database_url, clock_start=START) as running:
        yield running


def send(page: Page, text: str) -> None:
    page.fill("#composer-text", text)
    page.press("#composer-text", "Enter")


def reload(page: Page) -> None:
    page.reload()
    page.wait_for_selector("body[data-ready]")


def test_stamps_and_date_tokens_are_sandbox_time_in_the_viewers_zone(page: Page):
    send(page, "morning")
    stamp = page.locator("#messages article.message:has-text('morning') time").first
    expect(stamp).to_contain_text("Mon")
    expect(stamp).to_contain_text("03:0")  # 07:0x UTC in Toronto

    send(page, "/digest schedule friday 16:00 europe/london")
    reply = page.locator("#messages article.message.ephemeral").last
    expect(reply).to_contain_text("Next: Jun 6, 2025 at 11:00 your time")

    page.click("button.channel-link:has-text('ritualbot')")
    expect(page.locator("#home")).to_contain_text("Weekly digest in #ml-team: Jun 6, 2025 at 11:00")
    page.select_option("#who", "U0ALAN")
    page.click("button.channel-link[data-channel='D0ALAN']")
    expect(page.locator("#home")).to_contain_text("Weekly digest in #ml-team: Jun 6, 2025 at 16:00")


def test_without_an_emoji_font_a_dismissible_note_says_how_to_install_one(
    page: Page, sandbox: Sandbox
):
    sandbox.emulator.page.emoji_font = None
    reload(page)

    note = page.locator("#emoji-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text(INSTALL)
    note.locator("button").click()
    expect(note).to_be_hidden()
    reload(page)
    expect(note).to_be_hidden()


def test_an_installed_emoji_font_is_served_and_drawn_with(page: Page, sandbox: Sandbox):
    sandbox.emulator.page.emoji_font = EmojiFont(family="Noto Color Emoji", path=STAND_IN)
    reload(page)

    expect(page.locator("#emoji-note")).to_be_hidden()
    page.wait_for_function(
        "[...document.fonts].some((f) => f.family.includes('Sandbox Emoji') && f.status === 'loaded')"
    )
    served = httpx.get(f"{sandbox.url}/static/emoji-font")
    assert served.status_code == 200 and served.content == STAND_IN.read_bytes()
    family = page.evaluate("getComputedStyle(document.documentElement).fontFamily")
    assert family.index("Sandbox Emoji") < family.index("Noto Color Emoji")


def test_after_a_fast_forward_the_board_shows_the_next_ritual_not_a_past_one(page: Page):
    send(page, "/digest schedule friday 16:00 europe/london")
    # Saved before the Home tab opens: the board is drawn when it opens.
    reply = page.locator("#messages article.message.ephemeral").last
    expect(reply).to_contain_text("Next: Jun 6, 2025 at 11:00 your time")
    page.click("button.channel-link:has-text('ritualbot')")
    expect(page.locator("#home")).to_contain_text("Weekly digest in #ml-team: Jun 6, 2025 at 11:00")

    page.click("#advance")

    expect(page.locator("#clock")).to_contain_text("2025-06-06 15:00")
    expect(page.locator("#home")).to_contain_text(
        "Weekly digest in #ml-team: Jun 13, 2025 at 11:00"
    )
