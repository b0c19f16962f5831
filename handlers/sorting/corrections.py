"""/correct: an officer fixes how a report was sorted, and the classifier learns from it."""

from __future__ import annotations

import logging

from telegram import Update

from bot.core.access import NotAllowed
from bot.reporting.model import parse_reference
from bot.sorting.service import InvalidLabel
from handlers.kit.common import language_for
from handlers.kit.context import BotContext
from handlers.kit.render import escape, send_text

log = logging.getLogger(__name__)
FIELDS = ("kind", "topic", "urgency")


async def correct_command(update: Update, context: BotContext) -> None:
    """Relabel a report: /correct R-2026-00042 topic=it_systems urgency=high."""
    chat, sender = update.effective_chat, update.effective_user
    if chat is None or sender is None:
        return
    t, lang = context.services.translate, (await language_for(update, context)).value
    args = context.args or []
    changes = dict(arg.split("=", 1) for arg in args[1:] if "=" in arg)
    typed = args[0].strip().upper() if args else ""
    reference = escape(typed)  # echoed back: whatever was typed stays text
    try:  # the service checks that the sender is an officer, and audits a refusal
        report = await context.services.sorting.report_for(sender.id, typed)
    except NotAllowed:
        await send_text(context.bot, chat.id, t(lang, "access.officers_only"))
        return
    if not args or parse_reference(args[0]) is None or set(changes) - set(FIELDS):
        await send_text(context.bot, chat.id, t(lang, "correct.usage"))
        return
    if report is None:
        await send_text(context.bot, chat.id, t(lang, "correct.not_found", reference=reference))
        return
    if not changes:  # just look: how the report is sorted, and how many traders are behind it
        size = await context.services.reports.group_size(report.id)
        text = t(
            lang,
            "correct.current",
            reference=reference,
            kind=report.kind.value,
            topic=report.topic or "—",
            source=report.topic_source or "—",
            urgency=report.urgency or "—",
            sentiment=f"{report.sentiment:+.2f}" if report.sentiment is not None else "—",
            confidence=f"{report.confidence:.2f}" if report.confidence is not None else "—",
            size=size,
        )
        await send_text(context.bot, chat.id, f"{text}\n\n{t(lang, 'correct.usage')}")
        return
    try:
        await context.services.followup.correct(sender.id, report.id, **changes)  # audited
    except InvalidLabel:
        await send_text(context.bot, chat.id, t(lang, "correct.usage"))
        return
    listed = ", ".join(f"{name} → {escape(value)}" for name, value in changes.items())
    await send_text(
        context.bot, chat.id, t(lang, "correct.done", reference=reference, changes=listed)
    )
