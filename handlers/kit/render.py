"""Turning texts and choices into escaped, split Telegram messages and keyboards."""

from __future__ import annotations

import html
from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)
from telegram.ext import ExtBot

from bot.core.i18n import Translator
from handlers.kit.text import TEXT_LIMIT, clean, split_html, visible_length

MESSAGE_LIMIT = TEXT_LIMIT
CALLBACK_DATA_LIMIT = 64

Choice = tuple[str, str]  # (label, callback_data)
MENU_ITEMS = ("report", "myreports", "help")


def escape(text: str | None) -> str:
    """Escape user-supplied text for HTML parse mode."""
    return html.escape(clean(text or ""), quote=False)


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split Telegram HTML into valid pieces Telegram accepts (see handlers.kit.text)."""
    return split_html(text, limit)


def fits(text: str, limit: int = MESSAGE_LIMIT) -> bool:
    """Return whether Telegram HTML fits one message (counted as Telegram counts)."""
    return visible_length(text) <= limit


def keyboard(rows: Sequence[Sequence[Choice]]) -> InlineKeyboardMarkup:
    """Build an inline keyboard, refusing callback data Telegram would reject."""
    for row in rows:
        for _label, data in row:
            if not 0 < len(data.encode()) <= CALLBACK_DATA_LIMIT:
                raise ValueError(f"callback_data {data!r} is not 1-{CALLBACK_DATA_LIMIT} bytes")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def column(choices: Sequence[Choice]) -> InlineKeyboardMarkup:
    """Build an inline keyboard with one button a row."""
    return keyboard([[choice] for choice in choices])


async def send_text(
    bot: ExtBot[None],
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None,
) -> Message:
    """Send text split under Telegram's limit; the keyboard goes with the last piece."""
    pieces = split_message(text)
    message: Message | None = None
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        message = await bot.send_message(chat_id, piece, reply_markup=markup if last else None)
    assert message is not None
    return message


def reply_keyboard(rows: Sequence[Sequence[str]]) -> ReplyKeyboardMarkup:
    """Build a persistent reply keyboard (the main menu under the text field)."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(label) for label in row] for row in rows],
        resize_keyboard=True,
        is_persistent=True,
    )


def main_menu(translate: Translator, language: str) -> ReplyKeyboardMarkup:
    """Return the main-menu keyboard in a language."""
    labels = [translate(language, f"menu.{item}") for item in MENU_ITEMS]
    return reply_keyboard([labels[:2], labels[2:]])
