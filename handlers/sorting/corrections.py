"""/correct: an officer fixes how a report was sorted, and the classifier learns from it."""

from __future__ import annotations

import logging

from telegram import Update

from bot.core.access import NotAllowed
from bot.core.errors import UserError
from bot.core.taxonomy import URGENCIES, Kind
from bot.reporting.model import Report, parse_reference
from bot.sorting.service import InvalidLabel
from handlers.kit import callbacks
from handlers.kit.callbacks import BadCallback, encode, parse
from handlers.kit.common import language_for
from handlers.kit.context import BotContext
from handlers.kit.render import Choice, escape, keyboard, send_text
from handlers.kit.replies import refusal_key, replace
from handlers.reporting.views import ReportViews

log = logging.getLogger(__name__)
FIELDS = ("kind", "topic", "urgency")
LABELS = {"kind": "field.kind", "topic": "field.topic", "urgency": "followup.field_urgency"}
CORRECT = callbacks.prefix("cor", "/correct's buttons: which label to fix, then its new value")
SOURCES = ("reporter", "classifier", "officer")


async def _views(update: Update, context: BotContext) -> ReportViews:
    services = context.services
    lang = (await language_for(update, context)).value
    return ReportViews(services.translate, services.reports.taxonomy, lang)


def choices(views: ReportViews, field: str) -> list[tuple[str, str]]:
    """Return the values a label may take, each (code, name in the officer's language)."""
    if field == "kind":
        return [(kind.value, views.say(f"kind.{kind}")) for kind in Kind]
    if field == "urgency":
        return [(code, views.say(f"urgency.{code}")) for code in URGENCIES]
    return [(topic.code, topic.name(views.lang)) for topic in views.taxonomy.topics]


def value_name(views: ReportViews, field: str, code: str | None) -> str:
    """Return a label's value by its name (a code nobody knows stays as it is)."""
    if code is None:
        return "—"
    return next((name for value, name in choices(views, field) if value == code), code)


def checked(views: ReportViews, changes: dict[str, str]) -> dict[str, str]:
    """Return typed changes with known fields and values, or raise UserError naming the
    allowed ones."""
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise UserError("correct.error_field", field=unknown[0], fields=", ".join(FIELDS))
    cleaned = {}
    for field, value in changes.items():
        allowed = choices(views, field)
        code = value.strip().lower() if field != "topic" else value.strip()
        if code not in {known for known, _ in allowed}:
            listed = ", ".join(f"{known} ({name})" for known, name in allowed)
            raise UserError(
                "correct.error_value", value=value, field=views.say(LABELS[field]), allowed=listed
            )
        cleaned[field] = code
    return cleaned


def current(views: ReportViews, report: Report, size: int) -> tuple[str, list[list[Choice]]]:
    """Return how a report is sorted, in names, with a button per label to correct."""
    source = report.topic_source
    text = views.say(
        "correct.current",
        reference=report.reference,
        kind=views.say(f"kind.{report.kind}"),
        topic=escape(views.topic_name(report.topic)),
        source=views.say(f"correct.source_{source}") if source in SOURCES else "—",
        urgency=value_name(views, "urgency", report.urgency),
        sentiment=f"{report.sentiment:+.2f}" if report.sentiment is not None else "—",
        confidence=f"{report.confidence:.2f}" if report.confidence is not None else "—",
        size=size,
    )
    rows = [[(views.say(LABELS[f]), encode(CORRECT, "f", report.reference, f)) for f in FIELDS]]
    return f"{text}\n\n{views.say('correct.choose')}", rows


def done_text(views: ReportViews, reference: str, changes: dict[str, str]) -> str:
    """Return the confirmation of a correction, with the labels' new values by name."""
    listed = ", ".join(
        f"{views.say(LABELS[field])} → {escape(value_name(views, field, value))}"
        for field, value in changes.items()
    )
    return views.say("correct.done", reference=reference, changes=listed)


async def correct_command(update: Update, context: BotContext) -> None:
    """Relabel a report: /correct R-2026-00042 topic=it_systems urgency=high, or by buttons."""
    chat, sender = update.effective_chat, update.effective_user
    if chat is None or sender is None:
        return
    views = await _views(update, context)
    args = context.args or []
    changes = dict(arg.split("=", 1) for arg in args[1:] if "=" in arg)
    typed = args[0].strip().upper() if args else ""
    reference = escape(typed)  # echoed back: whatever was typed stays text
    try:  # the service checks that the sender is an officer, and audits a refusal
        report = await context.services.sorting.report_for(sender.id, typed)
    except NotAllowed:
        await send_text(context.bot, chat.id, views.say("access.officers_only"))
        return
    if not args or parse_reference(args[0]) is None or len(changes) < len(args) - 1:
        await send_text(context.bot, chat.id, views.say("correct.usage"))
        return
    if report is None:
        await send_text(context.bot, chat.id, views.say("correct.not_found", reference=reference))
        return
    if not changes:  # how the report is sorted, and a button per label to correct
        text, rows = current(views, report, await context.services.reports.group_size(report.id))
        await send_text(context.bot, chat.id, text, keyboard(rows))
        return
    try:
        changes = checked(views, changes)
        await context.services.followup.correct(sender.id, report.id, **changes)  # audited
    except UserError as problem:
        params = {k: escape(v) if isinstance(v, str) else v for k, v in problem.params.items()}
        await send_text(context.bot, chat.id, views.say(problem.reason, **params))
        return
    except InvalidLabel:
        await send_text(context.bot, chat.id, views.say("correct.usage"))
        return
    await send_text(context.bot, chat.id, done_text(views, report.reference, changes))


async def on_button(update: Update, context: BotContext) -> None:
    """Show a label's values (cor:f:<reference>:<field>), or set one (cor:s:…:<field>:<code>)."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    views = await _views(update, context)
    try:
        pressed = parse(CORRECT, query.data)
        reference, field = pressed.text(1), pressed.text(2)
        code = pressed.text(3) if pressed.action == "s" else None
        if pressed.action not in ("f", "s") or field not in FIELDS:
            raise BadCallback(f"correct data {query.data!r} has the wrong shape")
    except BadCallback:
        await query.answer(views.say("button.stale"))
        return
    try:
        report = await context.services.sorting.report_for(query.from_user.id, reference)
        if report is None:
            raise UserError("correct.not_found", reference=reference)
        if code is None:
            await query.answer()
            rows = [
                [(name, encode(CORRECT, "s", report.reference, field, value))]
                for value, name in choices(views, field)
            ]
            question = views.say(
                "correct.ask_value", reference=report.reference, field=views.say(LABELS[field])
            )
            await replace(context, query.message, question, keyboard(rows))
            return
        changes = checked(views, {field: code})
        await context.services.followup.correct(query.from_user.id, report.id, **changes)
    except NotAllowed as refusal:
        await query.answer(views.say(refusal_key(refusal)), show_alert=True)
        return
    except (UserError, InvalidLabel):
        await query.answer(views.say("button.stale"), show_alert=True)
        return
    await query.answer()
    await replace(context, query.message, done_text(views, report.reference, changes), None)
