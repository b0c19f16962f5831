"""Send follow-up notifications: a catalog text in the recipient's language, with its buttons."""

from __future__ import annotations

import logging

from bot.container import Services
from bot.core.notifications import Notification
from handlers.followup.views import INBOX, SURVEY
from handlers.kit.callbacks import MY_REPORTS, encode
from handlers.kit.outbox import Rendered
from handlers.kit.render import Choice, escape, keyboard

log = logging.getLogger(__name__)
CODES = ("status", "kind")  # parameters that are codes with a catalog name ("status.new")


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
        return [
            [(t(lang, "inbox.open", reference=note.params["reference"]), encode(INBOX, "o", rid))]
        ]
    if note.key.startswith("followup.supporter."):  # the supporter's record, to withdraw too
        label = t(lang, "myreports.open", reference=note.params["reference"])
        return [[(label, encode(MY_REPORTS, "open", rid, 1))]]
    if note.key in ("followup.notice.reply", "followup.notice.info_request"):
        return [[(t(lang, "followup.btn.answer"), encode(MY_REPORTS, "add", rid))]]
    if note.key in ("followup.ask.fixed", "followup.ask.fixed_again"):
        return [
            [
                (t(lang, "survey.fixed_yes"), encode(SURVEY, "f", rid, "1")),
                (t(lang, "survey.fixed_no"), encode(SURVEY, "f", rid, "0")),
            ]
        ]
    return []


def render(services: Services, note: Notification) -> Rendered:
    """Return a follow-up notification's text and buttons (the kit's outbox sends it)."""
    lang, text = notification_text(services, note)
    rows = notification_buttons(services, note, lang)
    return text, keyboard(rows) if rows else None
