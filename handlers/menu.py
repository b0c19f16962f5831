"""The main menu: a reply keyboard with New report, My reports and Help."""

from __future__ import annotations

from telegram import Update

from bot.core.i18n import Translator
from handlers.accounts import account
from handlers.kit.context import BotContext
from handlers.kit.render import MENU_ITEMS
from handlers.reporting import flow as reports
from handlers.reporting import myreports


def item_of(translate: Translator, text: str) -> str | None:
    """Return which menu item a text is (in any language), if any."""
    for language in translate.languages:
        for item in MENU_ITEMS:
            if text == translate(language, f"menu.{item}"):
                return item
    return None


async def on_message(update: Update, context: BotContext) -> bool:
    """Run the menu item the user pressed; False if the text is no menu item."""
    message = update.effective_message
    if message is None or message.text is None:
        return False
    item = item_of(context.services.translate, message.text)
    if item is None:
        return False
    if item == "report":
        await reports.report_command(update, context)
    elif item == "myreports":
        await myreports.myreports_command(update, context)
    else:
        await account.help_command(update, context)
    return True
