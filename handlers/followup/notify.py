"""Send follow-up notifications: a catalog text in the recipient's language, with its buttons."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram.ext import ExtBot

from bot.container import Services
from bot.followup.model import Notification
from handlers.followup.views import INBOX
from handlers.kit.outbox import delivered
from handlers.kit.render import Choice, escape, keyboard, send_text

log = logging.getLogger(__name__)
CODES = ("status", "kind")  # parameters that are codes with a catalog name ("status.new")
SURVEY_PREFIX = "sv"  # the satisfaction survey's buttons (handlers.followup.satisfaction)
REPLY_PREFIX = "myr"  # the reporter's own reports (handlers.reporting.myreports)


def notification_text(services: Services, note: Notification) -> tuple[str, str]:
    """Return the language and the text of a notification, user text escaped."""
    t = services.translate
    lang = note.language or t.default
    params: dict[str, object] = {}
    for name, value in note.params.items():
        if name in CODES and isinstance(value, str) and value:
            params[name] = t(lang, f"{name}.{value}")
        elif name == "fixed":
            params[name] = t(lang, "survey.fixed_yes" if value else "survey.fixed_no")
        elif name == "topic":
            topic = services.reports.taxonomy.topic(str(value))
            params[name] = escape(topic.name(lang) if topic else "—")
        elif name == "office":
            office = services.reports.taxonomy.office(str(value))
            params[name] = escape(office.name(lang) if office else "—")
        else:
            params[name] = escape(str(value)) if isinstance(value, str) else value
    return lang, t(lang, note.key, **params)


def notification_buttons(services: Services, note: Notification, lang: str) -> list[list[Choice]]:
    """Return the buttons that go with a notification: open, answer, or rate the report."""
    t, rid = services.translate, note.report_id
    if rid is None:
        return []
    if note.key.startswith("followup.officer."):
        return [[(t(lang, "inbox.open", reference=note.params["reference"]), f"{INBOX}:o:{rid}")]]
    if note.key in ("followup.notice.reply", "followup.notice.info_request"):
        return [[(t(lang, "followup.btn.answer"), f"{REPLY_PREFIX}:add:{rid}")]]
    if note.key in ("followup.ask.fixed", "followup.ask.fixed_again"):
        return [
            [
                (t(lang, "survey.fixed_yes"), f"{SURVEY_PREFIX}:f:{rid}:1"),
                (t(lang, "survey.fixed_no"), f"{SURVEY_PREFIX}:f:{rid}:0"),
            ]
        ]
    return []


async def send_notifications(
    bot: ExtBot[None], services: Services, notes: Iterable[Notification]
) -> int:
    """Send each notification; return how many arrived (unreachable chats are logged, skipped)."""
    sent = 0
    for note in notes:
        lang, text = notification_text(services, note)
        rows = notification_buttons(services, note, lang)
        sending = send_text(bot, note.chat_id, text, keyboard(rows) if rows else None)
        sent += await delivered(services, note.chat_id, sending, "notification", key=note.key)
    return sent
