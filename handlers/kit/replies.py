"""How the bot answers one user: in their language, politely when it refuses, in place."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.core.access import NotAllowed
from bot.core.errors import NoDraft, UserError
from bot.core.i18n import Translator
from handlers.kit.common import language_for
from handlers.kit.context import BotContext
from handlers.kit.render import escape, fits, send_text

log = logging.getLogger(__name__)
T = TypeVar("T")


class Speaker:
    """Say catalog texts in one user's language."""

    def __init__(self, translate: Translator, language: str) -> None:
        self.t = translate
        self.lang = language

    def say(self, key: str, **params: object) -> str:
        """Return a catalog text in the user's language."""
        return self.t(self.lang, key, **params)


async def speaker_for(update: Update, context: BotContext) -> Speaker:
    """Return a speaker in the sender's language."""
    lang = (await language_for(update, context)).value
    return Speaker(context.services.translate, lang)


async def guarded(
    context: BotContext, chat_id: int, speaker: Speaker, work: Awaitable[T]
) -> T | None:
    """Run a service call; answer a refusal or bad input politely and return None."""
    try:
        return await work
    except NotAllowed as refusal:
        log.warning("refused", extra={"action": refusal.action})
        await send_text(context.bot, chat_id, speaker.say(refusal_key(refusal)))
    except UserError as problem:
        params = {k: escape(v) if isinstance(v, str) else v for k, v in problem.params.items()}
        await send_text(context.bot, chat_id, speaker.say(problem.reason, **params))
    return None


def refusal_key(refusal: NotAllowed) -> str:
    """Return the catalog key that tells a user who is refused what it takes."""
    admin = refusal.needed is not None and refusal.needed.value == "admin"
    return "access.admins_only" if admin else "access.officers_only"


async def on_press(
    query: CallbackQuery, speaker: Speaker, work: Callable[[], Awaitable[T]], *, gone: str
) -> T | None:
    """Run a button's work; answer a refusal, bad input, a finished form or a stale button.

    Returns None when the work returned None (it answered itself) or was answered here.
    """
    try:
        return await work()
    except NotAllowed as refusal:
        await query.answer(speaker.say(refusal_key(refusal)), show_alert=True)
    except NoDraft:
        await query.answer(speaker.say(gone), show_alert=True)
    except UserError as problem:
        await query.answer(speaker.say(problem.reason, **problem.params), show_alert=True)
    except ValueError:  # data no button of ours carries (BadCallback, an unknown step)
        await query.answer(speaker.say("button.stale"))
    return None


async def replace(
    context: BotContext, message: object, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Turn the message whose button was pressed into the next question (one API call)."""
    if not isinstance(message, Message) or not fits(text):
        chat_id = message.chat.id if isinstance(message, Message) else None
        if chat_id is not None:
            await send_text(context.bot, chat_id, text, markup)
        return
    if message.text_html == text and message.reply_markup == markup:
        return  # pressed again: it already says so (Telegram refuses an edit that changes nothing)
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as problem:
        if "not modified" not in str(problem).lower():
            raise
