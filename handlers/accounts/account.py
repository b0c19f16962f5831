"""/help, /language, /stop, /mydata, /deletemydata and the reply to messages nobody took."""

from __future__ import annotations

import json

from telegram import Update

from bot.core.commands import commands_for
from bot.core.users import Language
from handlers.accounts.onboarding import language_choices, set_chat_menu
from handlers.kit import callbacks
from handlers.kit.callbacks import encode, parse
from handlers.kit.common import language_for, registered_sender
from handlers.kit.context import BotContext
from handlers.kit.render import column, send_text
from handlers.kit.replies import replace

LANGUAGE = callbacks.prefix("lang", "/language's choices")
ERASE = callbacks.prefix("erase", "/deletemydata's confirmation")


async def help_command(update: Update, context: BotContext) -> None:
    """List what this user can do, in their language and for their access level."""
    chat, sender = update.effective_chat, update.effective_user
    if chat is None or sender is None:
        return
    users, t = context.services.users, context.services.translate
    user = await registered_sender(update, context)
    lang = (await language_for(update, context)).value
    access = users.access_of(user)
    lines = [t(lang, f"help.intro_{access}")]
    lines += [f"/{c.name} — {t(lang, f'command.{c.name}')}" for c in commands_for(access)]
    if user is None or not user.onboarded:
        lines += ["", t(lang, "help.finish_onboarding")]
    await send_text(context.bot, chat.id, "\n".join(lines))


async def language_command(update: Update, context: BotContext) -> None:
    """Offer the languages the bot speaks."""
    chat, sender = update.effective_chat, update.effective_user
    if chat is None or sender is None:
        return
    t = context.services.translate
    user = await registered_sender(update, context)
    if user is None:
        await _ask_to_start(update, context)
        return
    choices = language_choices(context, user.language, LANGUAGE)
    await send_text(
        context.bot, chat.id, t(user.language.value, "language.choose"), column(choices)
    )


async def on_language(update: Update, context: BotContext) -> None:
    """Switch the user's language and their command menu."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    await query.answer()
    code = parse(LANGUAGE, query.data, parts=1).action
    if code not in context.services.translate.languages:
        return
    user = await context.services.users.set_language(query.from_user.id, Language(code))
    t = context.services.translate
    await query.edit_message_text(t(code, "language.changed", language=t(code, "language.name")))
    if user.onboarded:
        await set_chat_menu(context, user)


async def stop_command(update: Update, context: BotContext) -> None:
    """Turn off all notices for this user."""
    chat, sender = update.effective_chat, update.effective_user
    if chat is None or sender is None:
        return
    if await registered_sender(update, context) is None:
        await _ask_to_start(update, context)
        return
    user = await context.services.users.stop_notices(sender.id)
    await send_text(
        context.bot, chat.id, context.services.translate(user.language.value, "notices.stopped")
    )


async def mydata_command(update: Update, context: BotContext) -> None:
    """Send the user everything stored about them as a JSON file."""
    chat, sender = update.effective_chat, update.effective_user
    if chat is None or sender is None:
        return
    lang = (await language_for(update, context)).value
    t = context.services.translate
    data = await context.services.users.export(sender.id)
    data.update(await context.services.my_reports.export_of(sender.id))
    payload = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
    await context.bot.send_document(
        chat.id, payload, filename="my-data.json", caption=t(lang, "mydata.caption")
    )


async def deletemydata_command(update: Update, context: BotContext) -> None:
    """Ask the user to confirm erasing their personal data."""
    chat, sender = update.effective_chat, update.effective_user
    if chat is None or sender is None:
        return
    t = context.services.translate
    if await registered_sender(update, context) is None:
        await _ask_to_start(update, context)
        return
    lang = (await language_for(update, context)).value
    choices = [
        (t(lang, "erase.confirm"), encode(ERASE, "yes")),
        (t(lang, "erase.keep"), encode(ERASE, "no")),
    ]
    filed, supported = await context.services.my_reports.counts(sender.id)
    story = t(lang, "erase.what_happens", reports=filed, supports=supported)
    question = f"{story}\n\n{t(lang, 'erase.question')}"
    await send_text(context.bot, chat.id, question, column(choices))


async def on_erase(update: Update, context: BotContext) -> None:
    """Erase the user's personal data once they confirmed, or keep it."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    lang = (await language_for(update, context)).value
    t = context.services.translate
    if query.data not in (encode(ERASE, "yes"), encode(ERASE, "no")):
        await query.answer(t(lang, "button.stale"))  # forged: the two answers only
        return
    await query.answer()
    if query.data != encode(ERASE, "yes"):
        await replace(context, query.message, t(lang, "erase.kept"), None)
        return
    await context.services.users.erase(query.from_user.id)
    await replace(context, query.message, t(lang, "erase.done"), None)


async def fallback(update: Update, context: BotContext) -> bool:
    """Answer a private message that no feature took."""
    chat = update.effective_chat
    if chat is None:
        return False
    lang = (await language_for(update, context)).value
    await send_text(
        context.bot, chat.id, context.services.translate(lang, "fallback.not_understood")
    )
    return True


async def unknown_command(update: Update, context: BotContext) -> None:
    """Answer a command the bot does not know."""
    chat = update.effective_chat
    assert chat is not None
    lang = (await language_for(update, context)).value
    await send_text(
        context.bot, chat.id, context.services.translate(lang, "fallback.unknown_command")
    )


async def stale_button(update: Update, context: BotContext) -> None:
    """Answer a press on a button that no longer does anything."""
    query = update.callback_query
    if query is None:
        return
    lang = (await language_for(update, context)).value
    await query.answer(context.services.translate(lang, "button.stale"))


async def _ask_to_start(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    lang = (await language_for(update, context)).value
    await send_text(context.bot, chat.id, context.services.translate(lang, "start.please_start"))
