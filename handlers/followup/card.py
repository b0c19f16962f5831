"""A report's card in a chat: sent once, then edited in place by every action; its files sent
when it is first shown (and again on "📎 Files"), each with the text typed with it."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message
from telegram.error import BadRequest

from bot.core.users import display_name
from bot.followup.model import OfficerReportView
from bot.reporting.model import Attachment, AttachmentKind
from handlers.followup.views import OfficerViews
from handlers.kit.context import BotContext
from handlers.kit.render import fits, keyboard, split_message
from handlers.kit.replies import guarded
from handlers.kit.text import CAPTION_LIMIT, split_html

log = logging.getLogger(__name__)
NOT_MODIFIED = "message is not modified"


async def staff_name(context: BotContext, user_id: int) -> str:
    """Return an officer's display name, or a dash if they are not registered."""
    user = await context.services.users.get(user_id)
    return display_name(user.first_name, user.last_name, user.username) if user else "—"


async def card_of(
    context: BotContext, chat_id: int, officer_id: int, views: OfficerViews, key: int | str
) -> tuple[OfficerReportView, str, InlineKeyboardMarkup] | None:
    """Return a report's view, its card text and buttons (None, told why, if refused)."""
    services = context.services
    view = await guarded(context, chat_id, views, services.inbox.open_report(officer_id, key))
    if view is None:
        return None
    assignee = None if view.assigned_to is None else await staff_name(context, view.assigned_to)
    return view, views.officer_card(view, assignee), keyboard(views.actions(view))


async def show_report(
    context: BotContext,
    chat_id: int,
    officer_id: int,
    views: OfficerViews,
    key: int | str,
    *,
    thread_id: int | None = None,
) -> None:
    """Send a report's card as a new message; its files the first time it is shown here."""
    shown = await card_of(context, chat_id, officer_id, views, key)
    if shown is None:
        return
    view, text, markup = shown
    first = await context.services.cards.place(chat_id, view.id) is None
    await send_card(context, chat_id, view.id, text, markup, thread_id=thread_id)
    if first:
        await send_files(context, chat_id, views, view, thread_id)


async def refresh_card(
    context: BotContext,
    chat_id: int,
    officer_id: int,
    views: OfficerViews,
    report_id: int,
    *,
    message_id: int | None = None,
) -> None:
    """Edit the report's card in place (the message given, or the one last shown here); a new
    card when there is none, or it can no longer be edited (too old, deleted)."""
    shown = await card_of(context, chat_id, officer_id, views, report_id)
    if shown is None:
        return
    _, text, markup = shown
    cards = context.services.cards
    place = await cards.place(chat_id, report_id)
    target = message_id if message_id is not None else place.message_id if place else None
    thread_id = place.thread_id if place else None
    if target is not None and fits(text):
        try:
            await context.bot.edit_message_text(
                text, chat_id=chat_id, message_id=target, reply_markup=markup
            )
        except BadRequest as problem:
            if NOT_MODIFIED not in problem.message.lower():
                log.info("card not edited, sent again", extra={"error": problem.message})
                await send_card(context, chat_id, report_id, text, markup, thread_id=thread_id)
                return
        if place is None or place.message_id != target:
            await cards.shown(chat_id, report_id, target, thread_id)
        return
    await send_card(context, chat_id, report_id, text, markup, thread_id=thread_id)


async def send_card(
    context: BotContext,
    chat_id: int,
    report_id: int,
    text: str,
    markup: InlineKeyboardMarkup,
    *,
    thread_id: int | None = None,
) -> Message:
    """Send a card (split under the limit, the buttons on its last piece) and remember it."""
    pieces = split_message(text)
    message: Message | None = None
    for index, piece in enumerate(pieces):
        message = await context.bot.send_message(
            chat_id,
            piece,
            reply_markup=markup if index == len(pieces) - 1 else None,
            message_thread_id=thread_id,
        )
    assert message is not None
    await context.services.cards.shown(chat_id, report_id, message.message_id, thread_id)
    return message


async def send_files(
    context: BotContext,
    chat_id: int,
    views: OfficerViews,
    view: OfficerReportView,
    thread_id: int | None = None,
) -> None:
    """Send the report's files (then its supporters'), each once, captioned with the reference
    and the text typed with it (a caption too long goes on in a reply to the file); locations
    are in the card."""
    files = [(n, a) for n, a in enumerate(view.files) if a.kind is not AttachmentKind.LOCATION]
    for position, attachment in files:
        caption = views.file_caption(view.reference, position, len(view.files), attachment)
        first, *rest = split_html(caption, CAPTION_LIMIT)
        sent = await _send_file(context, chat_id, attachment, first, thread_id)
        await context.services.cards.file_shown(chat_id, sent.message_id, view.id, position)
        for piece in rest:
            await context.bot.send_message(
                chat_id,
                piece,
                reply_to_message_id=sent.message_id,
                message_thread_id=thread_id,
            )


async def _send_file(
    context: BotContext,
    chat_id: int,
    attachment: Attachment,
    caption: str,
    thread_id: int | None,
) -> Message:
    """Send one file as what it is (photo, voice note, document)."""
    bot = context.bot
    if attachment.kind is AttachmentKind.PHOTO:
        return await bot.send_photo(
            chat_id, attachment.file_id, caption=caption, message_thread_id=thread_id
        )
    if attachment.kind is AttachmentKind.VOICE:
        return await bot.send_voice(
            chat_id,
            attachment.file_id,
            caption=caption,
            duration=attachment.duration,
            message_thread_id=thread_id,
        )
    return await bot.send_document(
        chat_id, attachment.file_id, caption=caption, message_thread_id=thread_id
    )
