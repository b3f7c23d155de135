"""Which installed font the sandbox page draws emoji with, read from fontconfig's listing."""

from __future__ import annotations

from pathlib import Path

from sandbox.fonts import EmojiFont, emoji_font, installed_fonts

# Any font file stands in for the emoji fonts a listing names: only its path is checked.
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def test_a_colour_emoji_font_is_found_among_the_installed_ones():
    listing = f"DejaVu Sans\t{FONT}\nNoto Color Emoji\t{FONT}\n"

    assert emoji_font(lambda: listing) == EmojiFont(family="Noto Color Emoji", path=Path(FONT))


def test_a_family_listed_with_its_aliases_is_found_by_any_of_them():
    listing = f"Twitter Color Emoji,Twemoji\t{FONT}\n"

    assert emoji_font(lambda: listing) == EmojiFont(family="Twemoji", path=Path(FONT))


def test_without_one_or_without_its_file_there_is_none():
    assert emoji_font(lambda: f"DejaVu Sans\t{FONT}\nLiberation Mono\t{FONT}\n") is None
    assert emoji_font(lambda: "Noto Color Emoji\t/nowhere/NotoColorEmoji.ttf\n") is None
    assert emoji_font(lambda: "") is None


def test_fontconfigs_listing_names_each_installed_font_and_its_file():
    listed = installed_fonts().splitlines()

    assert f"DejaVu Sans\t{FONT}" in listed
