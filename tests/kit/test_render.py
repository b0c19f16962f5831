"""Rendering: splitting long texts under Telegram's limit, escaping, keyboards."""

from __future__ import annotations

import pytest

from bot.core.i18n import Translator
from handlers.kit.render import (
    CALLBACK_DATA_LIMIT,
    MESSAGE_LIMIT,
    escape,
    keyboard,
    main_menu,
    split_message,
)


def test_short_text_is_one_piece() -> None:
    assert split_message("hello") == ["hello"]
    assert split_message("") == [""]


def test_long_text_splits_at_paragraphs_and_keeps_everything() -> None:
    paragraphs = [f"Paragraph {n}: " + "word " * 300 for n in range(12)]
    text = "\n\n".join(paragraphs)
    pieces = split_message(text)
    assert len(pieces) > 1
    assert all(len(piece) <= MESSAGE_LIMIT for piece in pieces)
    assert all(piece.startswith("Paragraph") for piece in pieces)  # cut between paragraphs
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())


def test_text_without_breaks_is_still_split() -> None:
    pieces = split_message("x" * 10_000)
    assert [len(piece) for piece in pieces] == [4096, 4096, 1808]


def test_escape_makes_user_text_inert() -> None:
    assert escape("<b>Pérez & Hijos</b>") == "&lt;b&gt;Pérez &amp; Hijos&lt;/b&gt;"
    assert escape(None) == ""


def test_keyboard_refuses_callback_data_telegram_would_reject() -> None:
    assert keyboard([[("ok", "x" * CALLBACK_DATA_LIMIT)]]).inline_keyboard[0][0].callback_data
    with pytest.raises(ValueError, match="callback_data"):
        keyboard([[("too long", "é" * 33)]])  # 66 bytes in UTF-8
    with pytest.raises(ValueError, match="callback_data"):
        keyboard([[("empty", "")]])


def test_main_menu_is_in_the_users_language() -> None:
    menu = main_menu(Translator.from_directory(), "ru")
    assert [button.text for button in menu.keyboard[0]] == [
        "📝 Новое обращение",
        "📋 Мои обращения",
    ]
