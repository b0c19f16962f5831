"""Small pieces every handler module uses: who sent an update and in which language."""

from __future__ import annotations

from telegram import Chat, Update
from telegram import User as TgUser

from bot.context import BotContext
from bot.domain.users import Language, TelegramProfile


def profile_of(user: TgUser) -> TelegramProfile:
    """Return the domain view of a Telegram user."""
    return TelegramProfile(
        id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )


def is_private(update: Update) -> bool:
    """Tell whether the update comes from a private chat with the bot."""
    chat = update.effective_chat
    return chat is not None and chat.type == Chat.PRIVATE


async def language_for(update: Update, context: BotContext) -> Language:
    """Return the language to answer this update's sender in."""
    sender = update.effective_user
    if sender is None:
        return context.services.users.default_language
    return await context.services.users.language_of(sender.id, sender.language_code)
