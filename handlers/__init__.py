"""Telegram I/O: register(app) adds every handler, in the order they are tried."""

from __future__ import annotations

from telegram import BotCommand
from telegram.ext import CallbackQueryHandler, CommandHandler, ExtBot, MessageHandler, filters

from bot.context import BotApplication
from bot.domain.commands import commands_for
from bot.domain.users import Access
from bot.services import Services
from handlers import account, onboarding
from handlers.errors import on_error

PRIVATE = filters.ChatType.PRIVATE


def register(app: BotApplication) -> None:
    """Add all handlers to the application, in the order they are tried."""
    # Group 0: commands and buttons. Commands work at any step, so they come first.
    app.add_handler(CommandHandler("start", onboarding.start))
    app.add_handler(CommandHandler("help", account.help_command, filters=PRIVATE))
    app.add_handler(CommandHandler("help", onboarding.start))  # in groups: point to a private chat
    app.add_handler(CommandHandler("language", account.language_command, filters=PRIVATE))
    app.add_handler(CommandHandler("stop", account.stop_command, filters=PRIVATE))
    app.add_handler(CommandHandler("mydata", account.mydata_command, filters=PRIVATE))
    app.add_handler(CommandHandler("deletemydata", account.deletemydata_command, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(onboarding.on_button, pattern=rf"^{onboarding.PREFIX}:"))
    app.add_handler(
        CallbackQueryHandler(account.on_language, pattern=rf"^{account.LANGUAGE_PREFIX}:")
    )
    app.add_handler(CallbackQueryHandler(account.on_erase, pattern=rf"^{account.ERASE_PREFIX}:"))
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, account.unknown_command))
    app.add_handler(CallbackQueryHandler(account.stale_button))  # buttons nothing handles any more

    # Group 1: messages of users who are still onboarding (stops the chain when it answers).
    app.add_handler(MessageHandler(PRIVATE & ~filters.COMMAND, onboarding.on_message), group=1)

    # Group 9: whatever no feature took gets a polite pointer to /help.
    app.add_handler(MessageHandler(PRIVATE & ~filters.COMMAND, account.fallback), group=9)

    app.add_error_handler(on_error)


async def set_default_menus(bot: ExtBot[None], services: Services) -> None:
    """Set the everyone-menu in each language (and the default one) with setMyCommands."""
    t = services.translate
    commands = [c for c in commands_for(Access.USER) if c.in_menu]
    for lang in t.languages:
        menu = [BotCommand(c.name, t(lang, f"command.{c.name}")) for c in commands]
        await bot.set_my_commands(menu, language_code=lang)
        if lang == t.default:
            await bot.set_my_commands(menu)
