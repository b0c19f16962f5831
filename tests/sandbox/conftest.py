"""Fixtures for the Bot API emulator tests: the emulator, a PTB Bot and a small demo app."""

from __future__ import annotations

import datetime as dtm
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.sandbox import BotApiEmulator

TOKEN = "123456:TEST-token_abc"


def seconds(value: int | dtm.timedelta) -> float:
    """Normalise PTB's int-or-timedelta time periods (e.g. RetryAfter.retry_after)."""
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """Yield a running emulator on a free port."""
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    """Yield an initialised python-telegram-bot ``Bot`` pointed at the emulator."""
    client = Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.file_base_url)
    async with client:
        yield client


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("English", callback_data="lang:en"),
                InlineKeyboardButton("Español", callback_data="lang:es"),
            ]
        ]
    )
    await update.effective_message.reply_html(
        "<b>Welcome!</b> Choose a language:", reply_markup=keyboard
    )


async def _language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    code = query.data.split(":", 1)[1]
    await query.answer(f"Language set to {code}")
    await query.edit_message_text(f"Language: <i>{code}</i>", parse_mode="HTML")


async def _document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    file = await message.document.get_file()
    data = bytes(await file.download_as_bytearray())
    await message.reply_text(f"Got {len(data)} bytes")
    await message.reply_document(data, filename=f"echo-{message.document.file_name}")


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(update.effective_message.text)


def build_demo_app(emu: BotApiEmulator) -> Application:  # type: ignore[type-arg]
    """Build a tiny PTB application: /start with buttons, echo, document round-trip."""
    app = ApplicationBuilder().token(TOKEN).base_url(emu.base_url)
    app = app.base_file_url(emu.file_base_url)
    application = app.build()
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(_language, pattern=r"^lang:"))
    application.add_handler(MessageHandler(filters.Document.ALL, _document))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    return application


@pytest.fixture
async def demo_app(emu: BotApiEmulator) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Run the demo application with long polling against the emulator."""
    application = build_demo_app(emu)
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=5))
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
