"""Recipients' side of notices: "Understood", comments on a draft, and /subscribe."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.core.conversations import Conversation
from bot.core.errors import UserError
from bot.notices.model import SUBSCRIPTION_KINDS, Subscription
from handlers.kit import offices
from handlers.kit.callbacks import BadCallback, encode, parse
from handlers.kit.common import language_for, registered_sender
from handlers.kit.context import BotContext
from handlers.kit.render import Choice, escape, keyboard, send_text
from handlers.notices.buttons import NOTICE, SUBSCRIPTION

log = logging.getLogger(__name__)


async def on_button(update: Update, context: BotContext) -> None:
    """Handle "Understood", "Comment" and "Cancel" under a notice."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    t, notices = context.services.translate, context.services.notices
    lang = (await language_for(update, context)).value
    try:
        pressed = parse(NOTICE, query.data)
        action, number = pressed.action, pressed.number(1, 0)
    except BadCallback:
        await query.answer(t(lang, "button.stale"))
        return
    uid = query.from_user.id
    if action == "ack":
        if not await notices.acknowledge(number, uid):
            await query.answer(t(lang, "notice.not_recipient"), show_alert=True)
            return
        await query.answer(t(lang, "notice.acknowledged"))
        await _drop_button(query.message, encode(NOTICE, "ack", number))
        return
    if action == "nocmt":
        await notices.cancel_comment(uid)
        await query.answer()
        await send_text(context.bot, query.message.chat.id, t(lang, "consultation.cancelled"))
        return
    if action != "cmt":
        await query.answer(t(lang, "button.stale"))
        return
    try:
        notice = await notices.start_comment(number, uid)
    except UserError as problem:
        await query.answer(t(lang, problem.reason, **problem.params), show_alert=True)
        return
    await query.answer()
    cancel = keyboard([[(t(lang, "button.cancel"), encode(NOTICE, "nocmt"))]])
    await send_text(
        context.bot,
        query.message.chat.id,
        t(lang, "consultation.ask_comment", number=notice.id),
        cancel,
    )


async def _drop_button(message: object, data: str) -> None:
    """Take one button off a notice once it was used."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    rows = [
        [button for button in row if button.callback_data != data]
        for row in message.reply_markup.inline_keyboard
    ]
    kept = [row for row in rows if row]
    try:
        await message.edit_reply_markup(InlineKeyboardMarkup(kept) if kept else None)
    except BadRequest as problem:
        if "not modified" not in str(problem).lower():
            log.info("button kept", extra={"error": str(problem)})


async def cancel_form(update: Update, context: BotContext, conversation: Conversation) -> str:
    """/cancel while writing a comment: stop waiting for it."""
    await context.services.notices.cancel_comment(conversation.user_id)
    return "consultation.cancelled"


async def leave_form(update: Update, context: BotContext, conversation: Conversation) -> None:
    """Stop waiting for a comment from a user who sent another command."""
    await context.services.notices.cancel_comment(conversation.user_id)


async def on_message(update: Update, context: BotContext, conversation: Conversation) -> bool:
    """Take the comment of a user who pressed "Comment"; False once the wait expired."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return False
    notices, t = context.services.notices, context.services.translate
    notice_id = notices.comment_awaited(conversation)
    if notice_id is None:
        await context.services.forms.clear(conversation.user_id)
        return False  # the user went on to something else
    lang = (await language_for(update, context)).value
    if message.text is None:
        await send_text(context.bot, chat.id, t(lang, "consultation.error_text_expected"))
        return True
    try:
        comment = await notices.comment(conversation.user_id, message.text, lang, notice_id)
    except UserError as problem:
        await send_text(context.bot, chat.id, t(lang, problem.reason, **problem.params))
        return True
    log.info("comment stored", extra={"notice": comment.notice_id, "comment": comment.id})
    await send_text(context.bot, chat.id, t(lang, "consultation.thanks", number=comment.notice_id))
    return True


# --- /subscribe -------------------------------------------------------------------------------


NAMES_SHOWN = 10  # subscribed topics or offices named; more: "… (+290)"


def _names(context: BotContext, lang: str, kind: str, codes: tuple[str, ...]) -> str:
    """Return the names of the chosen topics or offices (the first ten, and how many more)."""
    taxonomy = context.services.notices.taxonomy
    found = [taxonomy.topic(c) if kind == "topic" else taxonomy.office(c) for c in codes]
    names = [escape(item.name(lang)) for item in found if item is not None]
    more = f"… (+{len(names) - NAMES_SHOWN})" if len(names) > NAMES_SHOWN else ""
    return ", ".join(names[:NAMES_SHOWN]) + more


def subscription_view(
    context: BotContext, lang: str, chosen: Subscription, stopped: bool, bulletin: bool = True
) -> tuple[str, list[list[Choice]]]:
    """Return what the user receives, and the buttons to change it."""
    t = context.services.translate
    every = t(lang, "subscribe.all")
    text = t(
        lang,
        "subscribe.current",
        topics=_names(context, lang, "topic", chosen.topics) or every,
        offices=_names(context, lang, "office", chosen.offices) or every,
    )
    if stopped:
        text += "\n\n" + t(lang, "subscribe.stopped")
    rows: list[list[Choice]] = [
        [
            (t(lang, "subscribe.topics"), encode(SUBSCRIPTION, "show", "topic")),
            (t(lang, "subscribe.offices"), encode(SUBSCRIPTION, "show", "office")),
        ],
        [(t(lang, "subscribe.everything"), encode(SUBSCRIPTION, "all"))],
        [
            (
                t(lang, f"subscribe.bulletin_{'on' if bulletin else 'off'}"),
                encode(SUBSCRIPTION, "bul"),
            )
        ],
    ]
    return text, rows


def kind_view(
    context: BotContext, lang: str, kind: str, chosen: Subscription, page: int = 0
) -> tuple[str, list[list[Choice]]]:
    """Return the topics (or a page of the offices) with a tick on those the user receives."""
    t, notices = context.services.translate, context.services.notices
    codes = notices.codes(kind)
    picked = getattr(chosen, f"{kind}s") or codes
    taxonomy = notices.taxonomy
    text = t(lang, f"subscribe.choose_{kind}")
    if kind == "office":
        screen = offices.browse(taxonomy.offices, page)
        rows = _office_rows(context, lang, screen, picked)
        paging = offices.paging_row(screen, lambda n: encode(SUBSCRIPTION, "show", kind, n))
        if paging:
            rows.append(paging)
            text += offices.page_note(screen) + "\n\n" + t(lang, "subscribe.search_hint")
    else:
        rows = []
        for index, code in enumerate(codes):
            item = taxonomy.topic(code)
            name = item.name(lang) if item else code
            mark = "✅ " if code in picked else "▫️ "
            rows.append([(mark + name, encode(SUBSCRIPTION, "tog", kind, index))])
    rows.append([(t(lang, "subscribe.done"), encode(SUBSCRIPTION, "back"))])
    return text, rows


def _office_rows(
    context: BotContext, lang: str, screen: offices.OfficeScreen, picked: tuple[str, ...]
) -> list[list[Choice]]:
    """Return a tick-box button for each office of a screen."""
    index = {code: n for n, code in enumerate(context.services.notices.codes("office"))}
    return offices.office_rows(
        screen,
        lang,
        lambda office: encode(SUBSCRIPTION, "tog", "office", index[office.code]),
        lambda office: "✅ " if office.code in picked else "▫️ ",
    )


def search_view(
    context: BotContext, lang: str, search: str, chosen: Subscription
) -> tuple[str, list[list[Choice]]]:
    """Return the offices matching typed text, with a tick on those the user receives."""
    t, notices = context.services.translate, context.services.notices
    screen = offices.find(notices.taxonomy, search, lang)
    if not screen.offices:
        text = t(lang, "offices.no_match")
    else:
        text = t(lang, "offices.matches", search=escape(search), count=screen.total)
        if screen.more:
            text += "\n" + t(lang, "offices.more", count=screen.more)
        text += "\n\n" + t(lang, "subscribe.choose_office")
    picked = chosen.offices or notices.codes("office")
    rows = _office_rows(context, lang, screen, picked)
    rows.append([(t(lang, "offices.browse"), encode(SUBSCRIPTION, "show", "office"))])
    rows.append([(t(lang, "subscribe.done"), encode(SUBSCRIPTION, "back"))])
    return text, rows


async def subscribe_command(update: Update, context: BotContext) -> None:
    """Show which topics and offices the user gets notices about."""
    chat, sender = update.effective_chat, update.effective_user
    if chat is None or sender is None:
        return
    lang = (await language_for(update, context)).value
    user = await registered_sender(update, context)
    if user is None or not user.onboarded:
        await send_text(
            context.bot, chat.id, context.services.translate(lang, "help.finish_onboarding")
        )
        return
    chosen = await context.services.notices.subscription(sender.id)
    search = " ".join(context.args or ())
    if search:  # "/subscribe brest": the offices matching what was typed
        text, rows = search_view(context, lang, search, chosen)
    else:
        bulletin = await context.services.bulletins.subscribed(sender.id)
        text, rows = subscription_view(context, lang, chosen, not user.notices_enabled, bulletin)
    await send_text(context.bot, chat.id, text, keyboard(rows))


async def on_subscribe_button(update: Update, context: BotContext) -> None:
    """Show, tick or untick topics and offices."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    notices, t = context.services.notices, context.services.translate
    lang = (await language_for(update, context)).value
    user = await registered_sender(update, context)
    if user is None:
        await query.answer(t(lang, "start.please_start"), show_alert=True)
        return
    pressed = parse(SUBSCRIPTION, query.data)
    action, kind = pressed.action, pressed.text(1, "")
    if kind not in SUBSCRIPTION_KINDS:
        kind = ""
    try:
        if action == "tog" and kind:
            code = notices.codes(kind)[pressed.number(2)]
            chosen = await notices.toggle_subscription(user.id, kind, code)
            page = offices.page_holding(notices.taxonomy.offices, code) if kind == "office" else 0
            text, rows = kind_view(context, lang, kind, chosen, page)
        elif action == "show" and kind:
            chosen = await notices.subscription(user.id)
            text, rows = kind_view(context, lang, kind, chosen, pressed.number(2, 0))
        elif action in ("all", "back", "bul"):
            if action == "all":
                chosen = await notices.subscribe_everything(user.id)
            else:
                chosen = await notices.subscription(user.id)
            bulletins = context.services.bulletins
            if action == "bul":
                bulletin = await bulletins.toggle(user.id)
            else:
                bulletin = await bulletins.subscribed(user.id)
            stopped = not user.notices_enabled
            text, rows = subscription_view(context, lang, chosen, stopped, bulletin)
        else:
            raise UserError("subscribe.stale")
    except UserError as problem:
        await query.answer(t(lang, problem.reason, **problem.params), show_alert=True)
        return
    except (IndexError, ValueError):
        await query.answer(t(lang, "button.stale"))
        return
    await query.answer()
    try:
        await query.edit_message_text(text, reply_markup=keyboard(rows))
    except BadRequest as problem:
        if "not modified" not in str(problem).lower():
            raise
