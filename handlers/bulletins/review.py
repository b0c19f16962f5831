"""/bulletin for admins: a draft's preview in each language, edit or drop items, publish."""

from __future__ import annotations

from typing import cast

from telegram import Update

from bot.core.conversations import Conversation, Flow
from bot.core.errors import UserError
from handlers.bulletins.sending import send_out
from handlers.bulletins.views import BULLETIN, controls, send_draft
from handlers.kit.callbacks import parse
from handlers.kit.context import BotApplication, BotContext
from handlers.kit.render import escape, keyboard, send_text
from handlers.kit.replies import guarded, on_press, replace, speaker_for


async def bulletin_command(update: Update, context: BotContext) -> None:
    """Draft (or show) a month's bulletin: /bulletin [YYYY-MM], last month by default."""
    chat, sender = update.effective_chat, update.effective_user
    if chat is None or sender is None:
        return
    speaker = await speaker_for(update, context)
    month = " ".join(context.args or [])
    bulletin = await guarded(
        context, chat.id, speaker, context.services.bulletins.draft_for(sender.id, month)
    )
    if bulletin is None:
        return
    if bulletin.published_at is not None:
        await send_text(
            context.bot,
            chat.id,
            speaker.say("bulletin.already_published", month=bulletin.month.key),
        )
        return
    await send_draft(cast(BotApplication, context.application), chat.id, speaker, bulletin)


async def on_button(update: Update, context: BotContext) -> None:
    """Edit, drop, take back or publish (each checks the presser is an admin)."""
    query, sender = update.callback_query, update.effective_user
    if query is None or sender is None or query.message is None:
        return
    speaker = await speaker_for(update, context)
    bulletins, chat_id = context.services.bulletins, query.message.chat.id

    async def work() -> bool:
        pressed = parse(BULLETIN, query.data)
        action, bulletin_id = pressed.action, pressed.number(1)
        if action == "p":
            bulletin = await bulletins.publish(sender.id, bulletin_id)
            await query.answer()
            await send_text(
                context.bot,
                chat_id,
                speaker.say("bulletin.published", month=bulletin.month.key),
            )
            app = cast(BotApplication, context.application)
            app.create_task(send_out(app, bulletin.id, chat_id, speaker.lang))
            return True
        item_id = pressed.number(2)
        if action == "e":
            item = await bulletins.editable(sender.id, item_id, bulletin_id)
            await context.services.forms.save(sender.id, Flow.BULLETIN, f"{bulletin_id}:{item_id}")
            await query.answer()
            current = item.text_in(speaker.lang) or speaker.say("bulletin.no_outcome")
            await send_text(
                context.bot,
                chat_id,
                speaker.say("bulletin.ask_edit", text=escape(current)),
            )
            return True
        if action not in ("d", "u"):
            raise UserError("button.stale")
        bulletin = await bulletins.drop(sender.id, bulletin_id, item_id, dropped=action == "d")
        await query.answer()
        text, rows = controls(speaker, bulletin)
        await replace(context, query.message, text, keyboard(rows))
        return True

    await on_press(query, speaker, work, gone="bulletin.error_stale")


async def on_message(update: Update, context: BotContext, conversation: Conversation) -> bool:
    """Take an admin's rewrite of an item, then show the draft again."""
    message, sender = update.effective_message, update.effective_user
    if message is None or sender is None:
        return False
    speaker = await speaker_for(update, context)
    if not message.text:
        await send_text(context.bot, message.chat.id, speaker.say("bulletin.error_empty"))
        return True
    bulletin_id, _, item_id = conversation.data.partition(":")
    bulletin = await guarded(
        context,
        message.chat.id,
        speaker,
        context.services.bulletins.edit(sender.id, int(bulletin_id), int(item_id), message.text),
    )
    if bulletin is None:
        return True
    await context.services.forms.clear_flow(sender.id, Flow.BULLETIN)
    await send_text(context.bot, message.chat.id, speaker.say("bulletin.edited"))
    await send_draft(cast(BotApplication, context.application), message.chat.id, speaker, bulletin)
    return True
