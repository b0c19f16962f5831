"""'You said, we did' end to end: a month with resolved recurring issues is drafted for the admin,
an item is rewritten and one dropped, and the bulletin goes to a channel and to subscribers in
three languages, telling the traders behind it; nothing published names anyone."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.sandbox import BotApiEmulator, BotMessage, SimUser
from handlers.bulletins.sending import send_out
from tests.conftest import SettingsFactory
from tests.e2e.conftest import ADMIN_ID, T, onboard, run_due_jobs, said, tap
from tests.fakes import Clock

PROMISE = "A second inspection lane now opens at 06:00 at the port."
NAMING = "Dmitri, we raised the upload limit of the portal for you."  # names its reporter
REWRITE = "The upload limit of the customs portal was raised to 20 MB."
DROPPED = "Fees at the airport can now be paid by card."


def _seed(database: Path, when: datetime, people: dict[str, SimUser]) -> dict[str, str]:
    """File last month's reports as the bot would have stored them; return what traders typed."""
    typed = {
        "R-2026-09001": (
            "release_delays",
            "PORT-MAIN",
            "lucia",
            "Lucía Andina waits 3 days at the port",
        ),
        "R-2026-09002": (
            "release_delays",
            "PORT-MAIN",
            "tom",
            "Trucks of Tom Baker Ltd stuck again",
        ),
        "R-2026-09003": ("it_systems", "HQ", "dmitri", "Dmitri Volkov: portal rejects 5 MB files"),
        "R-2026-09004": ("fees_payments", "AIRPORT-INTL", "pia", "Pia cannot pay the airport fee"),
        "R-2026-09005": ("fees_payments", "AIRPORT-INTL", "pia", "Pia again: fees only in cash"),
    }
    answers = {"R-2026-09001": PROMISE, "R-2026-09003": NAMING, "R-2026-09004": DROPPED}
    voices = [
        ("R-2026-09001", "dmitri", "same for us, Volkov Logistics"),
        ("R-2026-09003", "tom", "Tom here, same problem"),
        ("R-2026-09004", "ana", "Ana Quiet: same at the airport"),
    ]
    at = when.isoformat(timespec="seconds")
    with sqlite3.connect(database) as conn:
        ids = {}
        for reference, (topic, office, who, text) in typed.items():
            cursor = conn.execute(
                "INSERT INTO reports (reference, reporter_id, draft_key, kind, description, topic,"
                " office, language, status, created_at, updated_at)"
                " VALUES (?, ?, ?, 'issue', ?, ?, ?, 'en', 'resolved', ?, ?)",
                (reference, people[who].id, reference, text, topic, office, at, at),
            )
            ids[reference] = cursor.lastrowid
            conn.execute(
                "INSERT INTO report_events (report_id, status, at) VALUES (?, 'resolved', ?)",
                (ids[reference], at),
            )
            if reference in answers:
                conn.execute(
                    "INSERT INTO report_messages (report_id, author, author_id, body, created_at)"
                    " VALUES (?, 'officer', ?, ?, ?)",
                    (ids[reference], ADMIN_ID, answers[reference], at),
                )
        for reference, who, comment in voices:
            conn.execute(
                "INSERT INTO report_voices (report_id, user_id, comment, language, created_at)"
                " VALUES (?, ?, ?, 'en', ?)",
                (ids[reference], people[who].id, comment, at),
            )
    return {ref: text for ref, (*_, text) in typed.items()} | {
        f"voice{n}": comment for n, (_, _, comment) in enumerate(voices)
    }


def _bulletins(user: SimUser, lang: str) -> list[BotMessage]:
    return [m for m in user.messages if said(lang, "bulletin.intro") in m.content]


async def test_a_month_drafted_reviewed_published_and_told(
    emulator: BotApiEmulator,
    make_settings: SettingsFactory,
    start_bot: Callable[..., Any],
    clock: Clock,
) -> None:
    channel = emulator.add_channel("Customs: you said, we did", username="customs_said_did")
    settings = make_settings(
        bot_api_url=emulator.base_url,
        admin_ids=str(ADMIN_ID),
        public_channel_id=str(channel.id),
        digest_schedule="",
        overdue_summary="",
        backup_schedule="",
    )
    app = await start_bot(settings)
    admin = emulator.add_user("Sam", "Admin", "sam_customs", "en", id=ADMIN_ID)
    people = {
        "tom": emulator.add_user("Tom", "Baker", "tombaker", "en"),
        "lucia": emulator.add_user("Lucía", "Andina", "lucia_andina", "es"),
        "dmitri": emulator.add_user("Dmitri", "Volkov", "dvolkov", "ru"),
        "pia": emulator.add_user("Pia", "Lind", "pialind", "en"),
        "ana": emulator.add_user("Ana", "Quiet", "anaquiet", "en"),
    }
    organisations = {
        "tom": "Tom Baker Ltd",
        "lucia": "Andina Comercial",
        "dmitri": "Volkov Logistics",
        "pia": "Lind Freight",
        "ana": "Quiet Imports",
    }
    languages = {"tom": "en", "lucia": "es", "dmitri": "ru", "pia": "en", "ana": "en"}
    await onboard(admin, "en")
    for key, person in people.items():
        await onboard(person, languages[key], organisation=organisations[key])

    # Ana turns the monthly bulletin off in /subscribe (it is on by default).
    ana = people["ana"]
    await ana.send("/subscribe")
    await tap(ana, T("en", "subscribe.bulletin_on"))
    await ana.wait_for_message(
        predicate=lambda m: T("en", "subscribe.bulletin_off") in str(m.reply_markup)
    )

    # Last month: three issues resolved, each raised by more than one trader.
    now = clock.now
    typed = _seed(settings.database_path, now - timedelta(hours=1), people)
    month_start = (now.replace(day=1) + timedelta(days=32)).replace(day=1)
    clock.now = month_start.replace(hour=9, minute=0, second=1, tzinfo=UTC)
    assert any(name.startswith("bulletin:") for name in await run_due_jobs(app, clock))

    # The draft reaches the admin in English: a preview per language, then the items.
    await admin.wait_for_message(said("en", "bulletin.draft_intro", month=f"{now:%Y-%m}"))
    for lang in ("en", "es", "ru"):
        await admin.wait_for_message(said(lang, "bulletin.intro"))
    await admin.wait_for_message(said("en", "bulletin.controls", month=f"{now:%Y-%m}"))
    assert not channel.messages and not _bulletins(people["tom"], "en")  # nothing out yet

    # Items, largest first: 1 the port (3 traders), 2 the airport fees, 3 the portal.
    await tap(admin, "🗑 2")
    await admin.wait_for_message(said("en", "bulletin.dropped_mark"))
    await tap(admin, T("en", "bulletin.publish"))
    refused = await admin.wait_for_callback_answer()
    assert refused.text == T("en", "bulletin.error_identifying", number=3)  # names Dmitri
    await tap(admin, "✏️ 3")
    await admin.wait_for_message(said("en", "bulletin.ask_edit", text=NAMING))
    await admin.send(REWRITE)
    await admin.wait_for_message(said("en", "bulletin.edited"))
    await admin.wait_for_message(said("en", "bulletin.controls", month=f"{now:%Y-%m}"))
    await tap(admin, T("en", "bulletin.publish"))
    await admin.wait_for_message(said("en", "bulletin.published", month=f"{now:%Y-%m}"))
    await admin.wait_for_message(
        said("en", "bulletin.sent", month=f"{now:%Y-%m}", count=8)
    )  # 3 posts, 5 subscribers

    # The channel: one post per language, the default one first.
    posts = [
        await channel.wait_for_message(said(lang, "bulletin.intro")) for lang in ("en", "es", "ru")
    ]
    assert [p.content for p in channel.messages] == [p.content for p in posts]
    assert PROMISE in posts[0].content and REWRITE in posts[0].content
    assert (
        DROPPED not in posts[0].content and said("en", "bulletin.traders_few") in posts[0].content
    )

    # Subscribers, each in their language; not Ana, who turned it off.
    for key, person in people.items():
        lang = languages[key]
        if key == "ana":
            assert not _bulletins(person, lang)
        else:
            await person.wait_for_message(said(lang, "bulletin.intro"))
    # The traders behind a published item are told; Pia's item was dropped.
    told = {
        "tom": ["R-2026-09002", "R-2026-09003"],
        "lucia": ["R-2026-09001"],
        "dmitri": ["R-2026-09001", "R-2026-09003"],
    }
    for key, references in told.items():
        for reference in references:
            await people[key].wait_for_message(
                said(languages[key], "bulletin.mention", reference=reference)
            )
    assert not [m for m in people["pia"].messages if "R-2026-0900" in m.content]

    # Sending again (as after a restart) sends nothing twice: every copy was claimed.
    assert await send_out(app, 1) == 0
    assert len(channel.messages) == 3 and len(_bulletins(people["tom"], "en")) == 1

    # Nothing published names anyone: names, usernames, ids, organisations, typed texts.
    published = [m.content for m in channel.messages]
    for key, person in people.items():
        published += [m.content for m in _bulletins(person, languages[key])]
    forbidden: list[str] = [*typed.values(), *organisations.values(), str(admin.id), "sam_customs"]
    for person in people.values():
        forbidden += [
            person.first_name,
            person.state.last_name or "",
            person.username or "",
            str(person.id),
        ]
    for text in published:
        leaks = [
            word for word in forbidden if word and re.search(rf"\b{re.escape(word)}\b", text, re.I)
        ]
        assert not leaks, f"{leaks} in {text!r}"
