"""Small pieces every handler module uses: who sent an update and in which language."""

from __future__ import annotations

from telegram import Chat, Update
from telegram import User as TgUser

from bot.core.users import Language, TelegramProfile, User
from handlers.kit.context import BotContext


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


async def registered_sender(update: Update, context: BotContext) -> User | None:
    """Return the sender's stored record, read at most once for all handlers of an update."""
    sender = update.effective_user
    if sender is None:
        return None
    if sender.id not in context.known_users:
        context.known_users[sender.id] = await context.services.users.get(sender.id)
    return context.known_users[sender.id]


async def language_for(update: Update, context: BotContext) -> Language:
    """Return the language to answer this update's sender in."""
    sender = update.effective_user
    users = context.services.users
    if sender is None:
        return users.default_language
    user = await registered_sender(update, context)
    return (
        user.language if user else Language.from_code(sender.language_code, users.default_language)
    )
