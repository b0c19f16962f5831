"""Texts Telegram always accepts: hostile user text (3,500 `&`, emoji, RTL, NUL and zero-width
characters, HTML-like text) goes through the report summary, the reporter's card, the officer's
card and the duplicate-of prompt, with the emulator's limits on; absurd numbers and dates in
commands get a clear answer, never the generic apology."""

from __future__ import annotations

import pytest

from bot.sandbox import BotApiEmulator, BotMessage, SimUser
from handlers.kit.context import BotApplication
from tests.e2e.conftest import ADMIN_ID, T, onboard, said, tap
from tests.e2e.reporting import answer_until_summary, start_report, submit

pytestmark = pytest.mark.telegram_limits  # Telegram's limits on (issue #14)

HOSTILE = {
    "ampersands": "&" * 3500,
    "emoji": "😀" * 3500,
    "rtl": "مرحبا שלום hello " * 200,
    "invisible": "start\x00\u200b\u200d\u2060\ufeff" * 300 + " end",
    "html": "<b <i>x</i> &amp; </blockquote> <a href='x'>" * 70,
}
GENERIC = said("en", "error.generic")


def _shown(text: str) -> str:
    """Return a hostile text as it must arrive (NUL as a space), blanks aside (cuts trim them)."""
    return "".join(text.replace("\x00", " ").split())


def _times_shown(text: str, content: str) -> int:
    """Return how many times a text arrived whole in what the user read."""
    return "".join(content.split()).count(_shown(text))


async def _pieces(user: SimUser, first: BotMessage) -> str:
    """Wait for the last piece of a (split) message: only it may carry the buttons.

    Return the text of all its pieces.
    """
    if first.reply_markup is None:
        await user.wait_for_message(predicate=lambda message: message.reply_markup is not None)
    pieces = [message for message in user.messages if message.message_id >= first.message_id]
    while pieces[-1].reply_markup is None:  # a later, unrelated message without buttons
        pieces.pop()
    assert all(message.reply_markup is None for message in pieces[:-1])
    return "".join(message.content for message in pieces)


def _labels(message: BotMessage) -> list[str]:
    """Return the texts of a message's inline buttons."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


async def open_from_inbox(officer: SimUser, reference: str) -> None:
    """Open a report from the officer's inbox (its button ends with the reference)."""
    await officer.send("/inbox")
    page = await officer.wait_for_message(
        predicate=lambda message: any(label.endswith(reference) for label in _labels(message))
    )
    await tap(officer, next(label for label in _labels(page) if label.endswith(reference)))


def _before(lang: str, key: str) -> str:
    """Return a catalog text up to where the typed reference is echoed."""
    return said(lang, key, reference="\x01").split("\x01")[0][:25]


@pytest.fixture
def limited(emulator: BotApiEmulator) -> BotApiEmulator:
    """Add the group flood limit to Telegram's others (text, entity and keyboard rules are
    always on)."""
    emulator.limits.per_group_per_minute = 20
    return emulator


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_hostile_text_is_shown_whole_in_every_view(
    limited: BotApiEmulator, bot: BotApplication, name: str
) -> None:
    text = HOSTILE[name]
    trader = limited.add_user(first_name="Ana", language_code="en")
    officer = limited.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    await onboard(trader, "en")
    await onboard(officer, "en")

    await start_report(trader, "en", "question")
    summary = await answer_until_summary(trader, "en", "question", text)
    assert _times_shown(text, await _pieces(trader, summary)) == 1
    reference = await submit(trader, "en")

    await trader.send("/myreports")
    await trader.wait_for_message(said("en", "myreports.title", page=1, pages=1, total=1))
    await tap(trader, reference)
    card = await trader.wait_for_message(said("en", "myreports.card_title", reference=reference))
    assert _times_shown(text, await _pieces(trader, card)) == 1
    await tap(trader, T("en", "myreports.add_info"))
    await trader.wait_for_message(said("en", "myreports.ask_info", reference=reference))
    await trader.send(text)
    await trader.wait_for_message(said("en", "myreports.info_added", reference=reference))
    await trader.send("/myreports")
    await trader.wait_for_message(said("en", "myreports.title", page=1, pages=1, total=1))
    await tap(trader, reference)
    card = await trader.wait_for_message(said("en", "myreports.card_title", reference=reference))
    assert _times_shown(text, await _pieces(trader, card)) == 2  # description and added info

    await officer.send(f"/history {reference}")
    await officer.wait_for_message(reference)
    await open_from_inbox(officer, reference)
    card = await officer.wait_for_message(said("en", "followup.card_title", reference=reference))
    assert _times_shown(text, await _pieces(officer, card)) == 2
    await tap(officer, T("en", "followup.btn.duplicate"))
    await officer.wait_for_message(said("en", "followup.prompt_duplicate", reference=reference))
    await officer.send(text[:200])
    refused = await officer.wait_for_message(_before("en", "followup.error_duplicate_target"))
    assert GENERIC not in refused.content
    assert all(GENERIC not in message.content for message in trader.messages + officer.messages)
    assert limited.stats.rate_limited == 0


async def test_typed_html_is_echoed_as_text(limited: BotApiEmulator, bot: BotApplication) -> None:
    trader = limited.add_user(first_name="Ana", language_code="en")
    officer = limited.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    await onboard(trader, "en")
    await onboard(officer, "en")
    await start_report(trader, "en", "question")
    await answer_until_summary(trader, "en", "question", "Where do I find the tariff schedule?")
    reference = await submit(trader, "en")
    await officer.send(f"/history {reference}")
    await officer.wait_for_message(reference)
    await open_from_inbox(officer, reference)
    await officer.wait_for_message(said("en", "followup.card_title", reference=reference))
    await tap(officer, T("en", "followup.btn.duplicate"))
    await officer.wait_for_message(said("en", "followup.prompt_duplicate", reference=reference))
    for typed in ("<i>R-2026-1</i>", "<b", "a & b", "R-2026-" + "9" * 20, "R-٢٠٢٦-00001"):
        await officer.send(typed)
        refused = await officer.wait_for_message(
            said("en", "followup.error_duplicate_target", reference="\x01").split("\x01")[1]
        )
        assert refused.content.startswith(typed)  # echoed as typed, not as markup
        assert all(entity["type"] != "italic" for entity in refused.entities)
    await officer.send("/correct <b>R-1</b>")
    await officer.wait_for_message(said("en", "correct.usage")[:20])


@pytest.mark.parametrize(
    ("command", "key"),
    [
        ("/digest 9999-12-25..9999-12-31", "period.out_of_range"),
        ("/digest 0001-01-01..0001-01-07", "period.out_of_range"),
        ("/digest ٢٠٢٦-١١-٠١..٢٠٢٦-١١-٠٢", "period.bad_format"),
        ("/digest 2026-11-01..2026-11-0１", "period.bad_format"),
    ],
)
async def test_absurd_digest_periods_get_a_clear_answer(
    limited: BotApiEmulator, bot: BotApplication, command: str, key: str
) -> None:
    officer = limited.add_user(first_name="Olga", language_code="es", id=ADMIN_ID)
    await onboard(officer, "es")
    await officer.send(command)
    first = said("es", key, earliest="{e}", latest="{l}", days=366).split("{")[0]
    answer = await officer.wait_for_message(first)
    assert said("es", "digest.usage")[:20] in answer.content


@pytest.mark.parametrize(
    ("command", "key"),
    [
        ("/history " + "9" * 20, "followup.not_found"),
        ("/history ٤٢", "followup.not_found"),
        ("/history R-2026-" + "9" * 20, "followup.not_found"),
        ("/history <b>x</b>", "followup.not_found"),
        ("/correct R-٢٠٢٦-00001", "correct.usage"),
        ("/correct R-2026-" + "9" * 20, "correct.usage"),
    ],
)
async def test_absurd_ids_get_a_clear_answer(
    limited: BotApiEmulator, bot: BotApplication, command: str, key: str
) -> None:
    officer = limited.add_user(first_name="Olga", language_code="ru", id=ADMIN_ID)
    await onboard(officer, "ru")
    await officer.send(command)
    typed = command.split(" ", 1)[1]
    answer = await officer.wait_for_message(_before("ru", key))
    assert key != "followup.not_found" or typed in answer.content
    assert all(said("ru", "error.generic") not in m.content for m in officer.messages)


async def test_absurd_meeting_dates_get_a_clear_answer(
    limited: BotApiEmulator, bot: BotApplication
) -> None:
    officer = limited.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    await onboard(officer, "en")
    await officer.send("/newmeeting")
    await officer.wait_for_message(said("en", "meeting.ask_title"))
    await officer.send("Scanner <b queues & <i>fees</i>")
    await officer.wait_for_message(
        said("en", "meeting.ask_when", zone="\x01", example="").split("\x01")[0]
    )
    for typed in ("9999-12-31 23:59", "0001-01-01 00:00", "٢٠٢٧-٠١-١٥ 10:00", "2027-01-15 ２:00"):
        await officer.send(typed)
        await officer.wait_for_message(said("en", "meeting.error_when_format")[:30])
    assert all(GENERIC not in message.content for message in officer.messages)
