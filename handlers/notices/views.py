"""The screens of /broadcast: each step's question and buttons, the audience in words, the
previews of a notice as recipients will see it, and the confirmation."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Message

from bot.core.durations import format_duration
from bot.notices.model import Audience, ComposeStep, DeliveryKind, Notice, Outgoing
from handlers.kit import offices
from handlers.kit.callbacks import encode
from handlers.kit.context import BotContext
from handlers.kit.pacing import chat_turn
from handlers.kit.render import Choice, escape, keyboard, send_text
from handlers.notices.buttons import NOTICE_DRAFT

Rows = list[list[Choice]]


def _language_name(context: BotContext, code: str) -> str:
    return context.services.translate(code, "language.name")


def value_name(context: BotContext, lang: str, dimension: str, code: str) -> str:
    """Return how a role, topic, office or language is called in a language."""
    taxonomy = context.services.notice_composer.taxonomy
    if dimension == "roles":
        return context.services.translate(lang, f"role.{code}")
    if dimension == "topics":
        topic = taxonomy.topic(code)
        return topic.name(lang) if topic else code
    if dimension == "offices":
        office = taxonomy.office(code)
        return office.name(lang) if office else code
    return _language_name(context, code)


def describe(context: BotContext, lang: str, audience: Audience) -> str:
    """Return an audience in words, one dimension a line."""
    t, lines = context.services.translate, []
    for dimension in ("roles", "topics", "offices", "languages"):
        chosen = getattr(audience, dimension)
        names = ", ".join(value_name(context, lang, dimension, c) for c in chosen)
        lines.append(
            t(
                lang,
                f"broadcast.dimension_{dimension}",
                values=escape(names) or t(lang, "broadcast.all"),
            )
        )
    return "\n".join(lines)


async def screen(context: BotContext, lang: str, draft: Notice) -> tuple[str, Rows]:
    """Return the question of a draft's current step and its buttons."""
    t, composer = context.services.translate, context.services.notice_composer
    cancel = [(t(lang, "button.cancel"), encode(NOTICE_DRAFT, "cancel"))]
    step = draft.step or ComposeStep.TEXT
    default = _language_name(context, composer.default_language)
    if step is ComposeStep.TEXT:
        return t(lang, "broadcast.ask_text", language=default), [cancel]
    if step is ComposeStep.DOCUMENT:
        return t(lang, "broadcast.ask_document"), [
            [(t(lang, "button.skip"), encode(NOTICE_DRAFT, "skipdoc"))],
            cancel,
        ]
    if step is ComposeStep.VARIANT:
        name = _language_name(context, draft.variant_language or composer.default_language)
        back = [(t(lang, "button.back"), encode(NOTICE_DRAFT, "go", ComposeStep.LANGUAGES))]
        return t(lang, "broadcast.ask_variant", language=name), [back, cancel]
    if step is ComposeStep.LANGUAGES:
        written = ", ".join(
            _language_name(context, c) for c in composer.languages if c in draft.texts
        )
        rows: Rows = [
            [
                (
                    (("✏️ " if code in draft.texts else "➕ ") + _language_name(context, code)),
                    encode(NOTICE_DRAFT, "lang", code),
                )
            ]
            for code in composer.languages
        ]
        rows += [
            [(t(lang, "button.next"), encode(NOTICE_DRAFT, "go", ComposeStep.AUDIENCE))],
            cancel,
        ]
        return t(lang, "broadcast.ask_languages", languages=written, default=default), rows
    if step is ComposeStep.AUDIENCE:
        count = await composer.count(draft.audience)
        text = t(
            lang,
            "broadcast.audience",
            audience=describe(context, lang, draft.audience),
            count=count,
        )
        dims = [
            (t(lang, f"broadcast.choose_button_{d}"), encode(NOTICE_DRAFT, "dim", d))
            for d in ("roles", "topics", "offices", "languages")
        ]
        return text, [
            dims[:2],
            dims[2:],
            [(t(lang, "broadcast.everyone"), encode(NOTICE_DRAFT, "everyone"))],
            [(t(lang, "button.next"), encode(NOTICE_DRAFT, "go", ComposeStep.PERIOD))],
            cancel,
        ]
    if step is ComposeStep.PERIOD:
        rows = [[(t(lang, "broadcast.no_comments"), encode(NOTICE_DRAFT, "period", "0"))]]
        rows += [
            [
                (
                    t(lang, "broadcast.comment_for", period=format_duration(period)),
                    encode(NOTICE_DRAFT, "period", int(period.total_seconds())),
                )
            ]
            for period in composer.periods
        ]
        return t(lang, "broadcast.ask_period"), [*rows, cancel]
    if step is ComposeStep.WHEN:
        quiet = context.services.notices.quiet
        note = t(lang, "broadcast.quiet_note", hours=str(quiet)) if quiet else ""
        rows = [
            [
                (t(lang, "broadcast.send_now"), encode(NOTICE_DRAFT, "now")),
                (t(lang, "broadcast.send_later"), encode(NOTICE_DRAFT, "later")),
            ],
            cancel,
        ]
        return f"{t(lang, 'broadcast.ask_when')}\n{note}".strip(), rows
    if step is ComposeStep.TIME:
        return t(lang, "broadcast.ask_time", zone=composer.zone.key), [cancel]
    return await _confirmation(context, lang, draft)


async def _confirmation(context: BotContext, lang: str, draft: Notice) -> tuple[str, Rows]:
    t, services = context.services.translate, context.services
    count = await services.notice_composer.count(draft.audience)
    now = datetime.now(UTC)
    start = services.notices.start_time(draft, now)
    when = t(lang, "broadcast.when_now") if start <= now else services.notices.local(start)
    period = draft.comment_period
    comments = (
        t(
            lang,
            "broadcast.comments_yes",
            period=format_duration(period),
            reminder=format_duration(services.settings.comment_reminder),
        )
        if period
        else t(lang, "broadcast.comments_no")
    )
    languages = ", ".join(_language_name(context, c) for c in sorted(draft.texts))
    document = escape(draft.document.file_name or "📎") if draft.document else "—"
    text = t(
        lang,
        "broadcast.confirm",
        number=draft.id,
        count=count,
        audience=describe(context, lang, draft.audience),
        languages=languages,
        document=document,
        comments=comments,
        when=when,
    )
    return text, [
        [(t(lang, "broadcast.send", count=count), encode(NOTICE_DRAFT, "confirm"))],
        [(t(lang, "broadcast.change_audience"), encode(NOTICE_DRAFT, "go", ComposeStep.AUDIENCE))],
        [(t(lang, "button.cancel"), encode(NOTICE_DRAFT, "cancel"))],
    ]


async def send_outgoing(context: BotContext, message: Outgoing) -> Message:
    """Send a notice as a recipient would get it, in one message (used for previews)."""
    markup = keyboard(message.buttons) if message.buttons else None
    if message.document is not None:
        return await context.bot.send_document(
            message.chat_id, message.document.file_id, caption=message.text, reply_markup=markup
        )
    return await context.bot.send_message(message.chat_id, message.text, reply_markup=markup)


async def show(context: BotContext, chat_id: int, lang: str, draft: Notice, note: str = "") -> None:
    """Send the draft's current question (with previews first when it is time to confirm)."""
    if draft.step is ComposeStep.CONFIRM:
        await _previews(context, chat_id, lang, draft)
    text, rows = await screen(context, lang, draft)
    await chat_turn(context.services.notice_delivery.budget, chat_id)
    await send_text(context.bot, chat_id, f"{note}\n\n{text}" if note else text, keyboard(rows))


async def _previews(context: BotContext, chat_id: int, lang: str, draft: Notice) -> None:
    services, t = context.services, context.services.translate
    period = draft.comment_period
    until = services.notices.start_time(draft, datetime.now(UTC)) + period if period else None
    for code in sorted(draft.texts):
        label = t(lang, "broadcast.preview", language=_language_name(context, code))
        copy = services.notices.message(draft, DeliveryKind.NOTICE, code, chat_id, until)
        await chat_turn(services.notice_delivery.budget, chat_id)
        await send_outgoing(context, copy.model_copy(update={"text": f"{label}\n\n{copy.text}"}))


def dimension_screen(
    context: BotContext, lang: str, draft: Notice, dimension: str, page: int = 0
) -> tuple[str, Rows]:
    """Return the values of one audience dimension (offices a page at a time), ticked if
    chosen, and Done."""
    t, codes = context.services.translate, context.services.notice_composer.choices(dimension)
    chosen = getattr(draft.audience, dimension)
    text = f"{t(lang, f'broadcast.choose_{dimension}')}\n{t(lang, 'broadcast.none_means_all')}"
    if dimension == "offices":
        screen = offices.browse(context.services.notice_composer.taxonomy.offices, page)
        rows = _office_rows(context, lang, draft, screen)
        paging = offices.paging_row(screen, lambda n: encode(NOTICE_DRAFT, "dim", dimension, n))
        if paging:
            rows.append(paging)
            text += offices.page_note(screen) + "\n\n" + t(lang, "offices.type_hint")
    else:
        rows = [
            [
                (
                    ("✅ " if code in chosen else "▫️ ")
                    + value_name(context, lang, dimension, code),
                    encode(NOTICE_DRAFT, "tog", dimension, index),
                )
            ]
            for index, code in enumerate(codes)
        ]
    rows.append([(t(lang, "broadcast.done"), encode(NOTICE_DRAFT, "go", ComposeStep.AUDIENCE))])
    return text, rows


def office_search_screen(
    context: BotContext, lang: str, draft: Notice, search: str
) -> tuple[str, Rows]:
    """Return the offices matching typed text, ticked if in the audience, and Done."""
    t = context.services.translate
    screen = offices.find(context.services.notice_composer.taxonomy, search, lang)
    if not screen.offices:
        text = t(lang, "offices.no_match")
    else:
        text = t(lang, "offices.matches", search=escape(search), count=screen.total)
        if screen.more:
            text += "\n" + t(lang, "offices.more", count=screen.more)
    rows = _office_rows(context, lang, draft, screen)
    rows.append([(t(lang, "offices.browse"), encode(NOTICE_DRAFT, "dim", "offices"))])
    rows.append([(t(lang, "broadcast.done"), encode(NOTICE_DRAFT, "go", ComposeStep.AUDIENCE))])
    return text, rows


def _office_rows(
    context: BotContext, lang: str, draft: Notice, screen: offices.OfficeScreen
) -> Rows:
    """Return a tick-box button for each office of a screen."""
    index = {code: n for n, code in enumerate(context.services.notice_composer.choices("offices"))}
    return offices.office_rows(
        screen,
        lang,
        lambda office: encode(NOTICE_DRAFT, "tog", "offices", index[office.code]),
        lambda office: "✅ " if office.code in draft.audience.offices else "▫️ ",
    )
