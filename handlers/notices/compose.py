"""/broadcast for admins: write a notice step by step (saved after every answer), preview it,
confirm it; its reach afterwards. Every command, button and typed answer checks the role."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import cast

from telegram import CallbackQuery, Message, Update

from bot.core.access import NotAllowed
from bot.core.conversations import Conversation, Flow
from bot.core.errors import UserError
from bot.core.forms import read_form
from bot.notices.composer import NoNoticeDraft, NoticeForm
from bot.notices.model import ComposeStep, Notice, NoticeDocument
from handlers.kit import offices
from handlers.kit.callbacks import Fields, encode, parse
from handlers.kit.common import language_for, registered_sender
from handlers.kit.context import BotApplication, BotContext
from handlers.kit.pacing import chat_turn
from handlers.kit.render import keyboard, send_text
from handlers.kit.replies import replace
from handlers.notices.buttons import NOTICE_DRAFT
from handlers.notices.sending import send_again, wake_sending
from handlers.notices.views import dimension_screen, office_search_screen, screen, show

log = logging.getLogger(__name__)


async def admin_language(update: Update, context: BotContext) -> str | None:
    """Return the sender's language if they are an admin; otherwise refuse politely, None."""
    sender = update.effective_user
    lang = (await language_for(update, context)).value
    try:  # the composer checks the sender's role, and audits a refusal
        await context.services.notice_composer.require_admin(sender.id if sender else 0)
        return lang
    except NotAllowed:
        pass
    refusal = context.services.translate(lang, "broadcast.admins_only")
    if update.callback_query is not None:
        await update.callback_query.answer(refusal, show_alert=True)
    elif update.effective_chat is not None:
        await send_text(context.bot, update.effective_chat.id, refusal)
    return None


async def broadcast_command(update: Update, context: BotContext) -> None:
    """Start writing a notice, or continue the one being written."""
    chat, sender = update.effective_chat, update.effective_user
    if chat is None or sender is None:
        return
    composer, t = context.services.notice_composer, context.services.translate
    user = await registered_sender(update, context)
    if user is None:  # even an admin by configuration registers first
        code = (await language_for(update, context)).value
        await send_text(context.bot, chat.id, t(code, "start.please_start"))
        return
    lang = await admin_language(update, context)
    if lang is None:
        return
    if not user.onboarded:
        await send_text(context.bot, chat.id, t(lang, "help.finish_onboarding"))
        return
    resumed = await composer.draft(sender.id) is not None
    draft = await composer.begin(sender.id)
    note = t(lang, "broadcast.resumed", number=draft.id) if resumed else ""
    await show(context, chat.id, lang, draft, note)


async def cancel_form(update: Update, context: BotContext, conversation: Conversation) -> str:
    """/cancel while writing a notice: drop the draft."""
    dropped = await context.services.notice_composer.cancel(conversation.user_id)
    return "broadcast.cancelled" if dropped else "broadcast.no_draft"


async def leave_form(update: Update, context: BotContext, conversation: Conversation) -> None:
    """Let another command take the admin's next messages (/broadcast gives them back)."""
    message = update.effective_message
    if message is None or (message.text or "").startswith("/broadcast"):
        return
    await context.services.notice_composer.rest(conversation.user_id)


async def on_message(update: Update, context: BotContext, conversation: Conversation) -> bool:
    """Take an admin's typed answer for the notice they are writing; False if not theirs."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return False
    form = read_form(conversation, Flow.NOTICE, NoticeForm)
    if form is None or form.resting:
        return False
    draft = await context.services.notice_composer.draft(conversation.user_id)
    if draft is None or draft.id != form.notice_id or draft.step is None:
        return False
    searching = draft.step is ComposeStep.AUDIENCE and bool(message.text)
    if not (draft.step.typed or searching):
        return False
    lang = await admin_language(update, context)
    if lang is None:
        return True
    if searching:  # part of an office's name: its matches, to tick
        text, rows = office_search_screen(context, lang, draft, message.text or "")
        await send_text(context.bot, chat.id, text, keyboard(rows))
        return True
    try:
        draft = await _answer(context, draft, message)
    except UserError as problem:
        text, rows = await screen(context, lang, draft)
        reason = context.services.translate(lang, problem.reason, **problem.params)
        await send_text(context.bot, chat.id, f"{reason}\n\n{text}", keyboard(rows))
        return True
    except NoNoticeDraft:
        return False
    await show(context, chat.id, lang, draft)
    return True


async def _answer(context: BotContext, draft: Notice, message: Message) -> Notice:
    composer, admin = context.services.notice_composer, draft.author_id
    if draft.step in (ComposeStep.TEXT, ComposeStep.VARIANT):
        if message.text is None:
            raise UserError("broadcast.error_text_expected")
        return await composer.write(admin, message.text_html, message.text)
    if draft.step is ComposeStep.DOCUMENT:
        if message.document is None:
            raise UserError("broadcast.error_document_expected")
        document = NoticeDocument(
            file_id=message.document.file_id,
            file_name=message.document.file_name,
            mime_type=message.document.mime_type,
        )
        return await composer.attach(admin, document)
    if draft.step is ComposeStep.PERIOD:
        return await composer.type_period(admin, message.text or "")
    return await composer.type_time(admin, message.text or "")


async def on_button(update: Update, context: BotContext) -> None:
    """Handle a button of the broadcast flow (admins only, whatever the button says)."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    lang = await admin_language(update, context)
    if lang is None:
        return
    pressed = parse(NOTICE_DRAFT, query.data)
    action, arg = pressed.action, pressed.text(1, "")
    t = context.services.translate
    try:
        if action == "reach":
            await query.answer()
            await chat_turn(context.services.notice_delivery.budget, query.message.chat.id)
            await send_reach(context, query.message.chat.id, lang, int(arg))
            return
        if action == "resend":  # the delivery report's "send again to the unconfirmed"
            await send_again(context, query, lang, int(arg))
            return
        if action == "cancel":
            dropped = await context.services.notice_composer.cancel(query.from_user.id)
            await query.answer()
            note = t(lang, "broadcast.cancelled" if dropped else "broadcast.no_draft")
            await replace(context, query.message, note, None)
            return
        if action == "confirm":
            await _confirm(context, query, lang)
            return
        if action in ("dim", "tog"):
            await _dimension(context, query, lang, pressed)
            return
        draft = await _step_button(context, query.from_user.id, action, arg)
    except NoNoticeDraft:
        await query.answer(t(lang, "broadcast.no_draft"), show_alert=True)
        return
    except UserError as problem:
        await query.answer(t(lang, problem.reason, **problem.params), show_alert=True)
        return
    except (ValueError, IndexError):
        await query.answer(t(lang, "button.stale"))
        return
    await query.answer()
    if draft.step is ComposeStep.CONFIRM:
        await replace(context, query.message, t(lang, "broadcast.preview_below"), None)
        await show(context, query.message.chat.id, lang, draft)
        return
    text, rows = await screen(context, lang, draft)
    await replace(context, query.message, text, keyboard(rows))


async def _step_button(context: BotContext, admin: int, action: str, arg: str) -> Notice:
    composer = context.services.notice_composer
    if action == "skipdoc":
        return await composer.skip_document(admin)
    if action == "lang":
        return await composer.write_language(admin, arg)
    if action == "go":
        return await composer.go_to(admin, ComposeStep(arg))
    if action == "everyone":
        return await composer.everyone(admin)
    if action == "period":
        return await composer.set_period(admin, int(arg))
    if action == "now":
        return await composer.send_now(admin)
    if action == "later":
        return await composer.ask_time(admin)
    raise ValueError(action)


async def _dimension(context: BotContext, query: CallbackQuery, lang: str, pressed: Fields) -> None:
    """Show the choices of one audience dimension, toggling one first if pressed."""
    composer = context.services.notice_composer
    dimension = pressed.text(1, "")
    codes = composer.choices(dimension)
    page = pressed.number(2, 0) if pressed.action == "dim" else 0
    if pressed.action == "tog":
        code = codes[pressed.number(2)]
        draft = await composer.toggle(query.from_user.id, dimension, code)
        if dimension == "offices":  # back to the page showing the office
            page = offices.page_holding(composer.taxonomy.offices, code)
    else:
        found = await composer.draft(query.from_user.id)
        if found is None:
            raise NoNoticeDraft
        draft = found
    if draft.step is not ComposeStep.AUDIENCE:
        raise UserError("broadcast.stale")
    await query.answer()
    text, rows = dimension_screen(context, lang, draft, dimension, page)
    await replace(context, query.message, text, keyboard(rows))


async def _confirm(context: BotContext, query: CallbackQuery, lang: str) -> None:
    services, t = context.services, context.services.translate
    assert query.message is not None
    notice = await services.notice_composer.confirm(
        query.from_user.id, query.message.chat.id, query.message.message_id
    )
    count = await services.notice_composer.count(notice.audience)
    now = datetime.now(UTC)
    start = services.notices.start_time(notice, now)
    when = t(lang, "broadcast.when_now") if start <= now else services.notices.local(start)
    await query.answer()
    text = t(lang, "broadcast.confirmed", number=notice.id, count=count, when=when)
    await replace(context, query.message, text, None)
    log.info("notice confirmed", extra={"notice": notice.id, "recipients": count})
    wake_sending(cast(BotApplication, context.application))  # it may be due at once


async def send_reach(context: BotContext, chat_id: int, lang: str, notice_id: int) -> None:
    """Send how far a notice got: delivered, acknowledged, blocked, failed, comments."""
    services, t = context.services, context.services.translate
    if await services.notices.get(notice_id) is None:
        await send_text(context.bot, chat_id, t(lang, "broadcast.stale"))
        return
    reach = await services.notices.reach(notice_id)
    text = t(
        lang,
        "broadcast.reach",
        number=notice_id,
        total=reach.total,
        sent=reach.sent,
        acknowledged=reach.acknowledged,
        blocked=reach.blocked,
        failed=reach.failed + reach.unconfirmed,
        comments=reach.comments,
        commenters=reach.commenters,
    )
    button = [[(t(lang, "broadcast.reach_button"), encode(NOTICE_DRAFT, "reach", notice_id))]]
    await send_text(context.bot, chat_id, text, keyboard(button))
