"""Steps of the report flow as a simulated user takes them."""

from __future__ import annotations

from bot.sandbox import BotMessage, SimUser
from config.reference_data import load_taxonomy
from tests.e2e.conftest import T, said, tap

TAXONOMY = load_taxonomy()


def topic_label(lang: str, code: str) -> str:
    """Return a topic button's text."""
    topic = TAXONOMY.topic(code)
    assert topic is not None
    return topic.name(lang)


def office_label(lang: str, code: str) -> str:
    """Return an office button's text."""
    office = TAXONOMY.office(code)
    assert office is not None
    return office.name(lang)


async def start_report(user: SimUser, lang: str, kind: str) -> None:
    """Open the flow with /report and choose the kind."""
    await user.send("/report")
    await user.wait_for_message(said(lang, "report.ask_kind"))
    await tap(user, T(lang, f"kind.action_{kind}"))
    await user.wait_for_message(said(lang, f"report.ask_description_{kind}"))


async def answer_until_summary(
    user: SimUser,
    lang: str,
    kind: str,
    description: str,
    *,
    topic: str | None = "release_delays",
    office: str = "BORDER-NORTH",
    anonymous: bool = False,
    files: int = 0,
) -> BotMessage:
    """Answer description .. anonymity and return the summary message."""
    await user.send(description)
    await user.wait_for_message(said(lang, "report.ask_topic"))
    await tap(user, topic_label(lang, topic) if topic else T(lang, "report.topic_not_sure"))
    await user.wait_for_message(said(lang, "report.ask_office"))
    await tap(user, office_label(lang, office))
    if kind == "issue":
        await user.wait_for_message(said(lang, "report.ask_date"))
        await tap(user, T(lang, "report.date_yesterday"))
    await user.wait_for_message(said(lang, "report.ask_attachments", maximum=5)[:30])
    for number in range(1, files + 1):
        await user.send_photo(caption=None)
        await user.wait_for_message(said(lang, "report.attachment_saved", count=number))
    done = (
        T(lang, "report.attachments_done", count=files)
        if files
        else T(lang, "report.attachments_none")
    )
    await tap(user, done)
    await user.wait_for_message(said(lang, "report.ask_anonymity")[:25])
    await tap(user, T(lang, "report.anonymity_yes" if anonymous else "report.anonymity_no"))
    return await user.wait_for_message(said(lang, "report.summary_title"))


async def submit(user: SimUser, lang: str, *, anonymous: bool = False) -> str:
    """Press submit and return the reference the bot confirmed."""
    await tap(user, T(lang, "report.submit"))
    key = "report.confirm_anonymous" if anonymous else "report.confirm"
    prefix = said(lang, key, reference="{r}", status="{s}").split("{r}")[0]
    confirmation = await user.wait_for_message(prefix)
    reference = next(word for word in confirmation.content.split() if word.startswith("R-"))
    return reference.rstrip(".")
