"""Telegram HTML measured and split as Telegram counts: every piece parses and fits."""

from __future__ import annotations

import pytest

from bot.sandbox.errors import utf16_len as emulator_utf16_len
from bot.sandbox.formatting import parse_html
from handlers.kit.render import escape
from handlers.kit.text import TEXT_LIMIT, clean, split_html, utf16_len, visible_length

HOSTILE = {
    "ampersands": "&" * 3500,
    "emoji": "😀" * 4096,
    "rtl": ("שלום عربي mixed \u200fltr\u200e " * 300),
    "invisible": ("a\x00b\u200b\u200d\u2060c\ufeff " * 600),
    "html": ("<b>bold</b> <i>it <b oops & &amp; </pre> " * 250),
}


def _parsed_length(piece: str) -> int:
    """Return the length Telegram checks for a piece (and fail if it does not parse)."""
    plain, _entities = parse_html(piece)
    return emulator_utf16_len(plain.strip())


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_escaped_user_text_splits_into_pieces_telegram_accepts(name: str) -> None:
    text = f"<b>Description:</b>\n<blockquote>{escape(HOSTILE[name])}</blockquote>\n\n<i>end</i>"
    pieces = split_html(text)
    for piece in pieces:
        assert 0 < _parsed_length(piece) <= TEXT_LIMIT
    rebuilt = "".join(parse_html(piece)[0] for piece in pieces)
    original = parse_html(text)[0]
    assert rebuilt.replace("\n", "").replace(" ", "") == original.replace("\n", "").replace(
        " ", ""
    ).replace("\x00", "")


def test_a_tag_open_at_a_cut_is_closed_and_reopened() -> None:
    text = "<b>" + "word " * 2000 + "</b>"
    pieces = split_html(text)
    assert len(pieces) == 3
    assert all(piece.startswith("<b>") and piece.endswith("</b>") for piece in pieces)


def test_lengths_are_counted_in_utf16_units_after_parsing() -> None:
    assert utf16_len("😀") == 2
    assert visible_length("<b>&amp;</b>") == 1
    assert visible_length("  x  ") == 1
    assert len(split_html("😀" * 2048)) == 1
    assert len(split_html("😀" * 2049)) == 2


def test_clean_drops_what_telegram_refuses_but_keeps_lines() -> None:
    assert clean("a\x00b\r\nc\td\x7f") == "a b\nc\td "
