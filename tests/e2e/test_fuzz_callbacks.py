"""Fuzzing the buttons and commands: random and mutated callback data of every registered
family, and odd command arguments, sent by a trader, a revoked officer and a user who never
started the bot. Nothing may be accepted (the database's shared state stays as it was), nothing
may reach the error handler, and nothing the bot sends may break a Telegram rule."""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import CallbackContext

from bot.accounts.roles import Role
from bot.container import Services
from bot.core.commands import COMMANDS as COMMAND_LIST
from bot.core.users import Access
from bot.sandbox import BotApiEmulator, SimChat, SimUser
from handlers.kit.callbacks import LIMIT, REGISTRY, SEPARATOR
from handlers.kit.context import SERVICES_KEY, BotApplication
from tests.e2e.conftest import ADMIN_ID, onboard, said
from tests.e2e.reporting import answer_until_summary, start_report, submit

pytestmark = pytest.mark.telegram_limits  # Telegram's limits on (issue #14)

SEED = 20261205
RANDOM_PER_ACTOR = 50
MUTATED_PER_ACTOR = 40
# What a modified client might put where the bot expects a number or a word.
ODD = (
    "",
    "0",
    "-1",
    "1e3",
    "0x10",
    " 1",
    "9" * 19,
    "9" * 40,
    "18446744073709551616",
    "١٢٣",  # Arabic-Indic digits
    "²",
    "１２",  # full-width digits
    "\u202e1",  # a right-to-left override
    "😀",
    "ü",
    "admin",
    "officer",
    "yes",
    "no",
    "es",
    "xx",
    "null",
    "../1",
)
WORDS = (
    "o", "p", "in", "rv", "cx", "open", "voice", "submit", "new", "kind", "topic", "office",
    "date", "edit", "back", "cancel", "offer", "ack", "r", "f", "x", "add", "page", "take",
    "status", "assign", "reply", "note", "attend", "maybe", "cannot", "done", "ics", "min",
    "issue", "release_delays", "BORDER-NORTH", "other", "none", "keep", "all", "mine",
)  # fmt: skip
DATES = ("0001-01-01", "9999-12-31", "0000-00-00", "1-1-1", "31.12.9999", "2026-W99", "9999-W52")
# Every command also gets no argument, a date in year 1 and one in 9999; then one more odd date,
# an odd word and an id (or a huge reference), picked at random.
COMMANDS = tuple(c.name for c in COMMAND_LIST if c.name not in ("stop", "deletemydata"))
# Tables that others' actions must never change; the actors' own drafts and forms
# (conversations), their language and subscriptions, and the audit log may change.
SHARED = (
    "reports", "report_attachments", "report_messages", "report_voices", "report_events",
    "report_notes", "sorting_corrections", "invites", "satisfaction", "notices",
    "notice_deliveries", "notice_comments", "meetings", "meeting_rsvps", "action_items",
    "action_item_reports", "claims",
)  # fmt: skip


@dataclass
class Tally:
    """What the fuzzing sent and how the bot took it."""

    presses: Counter[str] = field(default_factory=Counter)
    commands: Counter[str] = field(default_factory=Counter)
    unanswered: list[str] = field(default_factory=list)


def _dump(app: BotApplication, user_ids: list[int]) -> dict[str, list[tuple[Any, ...]]]:
    path = Path(app.bot_data["settings"].database_path)
    with sqlite3.connect(path) as conn:
        state = {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in SHARED
        }
        marks = ",".join("?" * len(user_ids))
        state["staff"] = conn.execute(
            f"SELECT id, staff_role FROM users WHERE id IN ({marks}) ORDER BY id",
            user_ids,
        ).fetchall()
    return state


def _seen_data(users: list[SimUser]) -> list[str]:
    """Return the callback data of every button the bot ever showed these users."""
    found = []
    for user in users:
        for message in user.messages:
            for version in (message, *message.edits):
                for row in (version.reply_markup or {}).get("inline_keyboard", []):
                    found += [b["callback_data"] for b in row if "callback_data" in b]
    return sorted(set(found))


def _fits(data: str) -> bool:
    return len(data.encode()) <= LIMIT


def _random_data(rng: random.Random, pool: list[str]) -> str:
    code = rng.choice(REGISTRY.declared()).code
    parts = [rng.choice(pool) for _ in range(rng.randint(0, 4))]
    return SEPARATOR.join([code, *parts])


def _mutated(rng: random.Random, seen: str, pool: list[str]) -> str:
    parts = seen.split(SEPARATOR)
    how = rng.randrange(5)
    if how == 0 and len(parts) > 1:  # another value in one place
        parts[rng.randrange(1, len(parts))] = rng.choice(pool)
    elif how == 1:  # one more part
        parts.append(rng.choice(pool))
    elif how == 2 and len(parts) > 1:  # one part fewer
        parts.pop()
    elif how == 3:  # another family's prefix
        parts[0] = rng.choice(REGISTRY.declared()).code
    else:  # another action
        parts[1:2] = [rng.choice(WORDS)]
    return SEPARATOR.join(parts)


async def _press(actor: SimUser, data: str, chat: SimChat | None, tally: Tally, role: str) -> None:
    await actor.press_forged(data, chat=chat)
    try:
        await actor.wait_for_callback_answer(timeout=3)
    except AssertionError:
        tally.unanswered.append(f"{role}: {data!r}")
    tally.presses[role] += 1


def _command_cases(
    rng: random.Random, ids: list[str], names: tuple[str, ...] = COMMANDS
) -> list[str]:
    years = ("", " 0001-01-01", " 9999-12-31")
    cases = [f"/{name}{argument}" for name in names for argument in years]
    for name in names:
        odd = (rng.choice(DATES), rng.choice(ODD), rng.choice([*ids, "R-" + "9" * 30]))
        cases += [f"/{name} {argument}" for argument in odd]
    cases += ["/start join_" + "A" * 24, "/start join_", "/start " + "x" * 64, "/start report"]
    return cases


async def _cast(
    emulator: BotApiEmulator, app: BotApplication
) -> tuple[list[SimUser], SimChat, list[str]]:
    """Set up the victims (a named and an anonymous report, staff buttons) and the three actors."""
    services: Services = app.bot_data[SERVICES_KEY]
    admin = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    vera = emulator.add_user(first_name="Vera", language_code="es")
    trader = emulator.add_user(first_name="Tom", language_code="en")
    revoked = emulator.add_user(first_name="Rex", language_code="ru")
    stranger = emulator.add_user(first_name="Nora", language_code="en", started=False)
    for user, lang in ((admin, "en"), (vera, "es"), (trader, "en"), (revoked, "ru")):
        await onboard(user, lang)
    text = "El contenedor lleva nueve días retenido en el puerto norte sin ninguna explicación."
    for anonymous in (False, True):
        await start_report(vera, "es", "issue")
        await answer_until_summary(vera, "es", "issue", text, anonymous=anonymous)
        await submit(vera, "es", anonymous=anonymous)
    await start_report(trader, "en", "question")
    await answer_until_summary(trader, "en", "question", "Where can I find the tariff rules?")
    await submit(trader, "en")
    await start_report(trader, "en", "issue")  # a draft left open at its description
    invite = await services.team.create_invite(ADMIN_ID, Role.OFFICER)
    await revoked.send(f"/start {invite.payload}")
    await revoked.wait_for_message(said("ru", "team.joined", role="")[:20])
    await admin.send("/team")
    await admin.wait_for_message(said("en", "team.title"))
    await admin.send("/inbox")
    await admin.wait_for_message("R-")
    await services.team.revoke(ADMIN_ID, revoked.id)
    group = emulator.add_group(title="Brokers", members=[trader, stranger])
    await trader.send("/report", chat=group)
    await emulator.idle(quiet=0.05)
    seen = _seen_data([admin, vera, trader, revoked])
    return [admin, vera, trader, revoked, stranger], group, seen


async def test_forged_buttons_and_odd_commands_change_nothing(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    rng = random.Random(SEED)
    errors: list[object] = []

    async def record(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
        errors.append(context.error)

    bot.add_error_handler(record)
    cast, group, seen = await _cast(emulator, bot)
    trader, revoked, stranger = cast[2:]
    user_ids = sorted(user.id for user in cast)
    with sqlite3.connect(Path(bot.bot_data["settings"].database_path)) as conn:
        report_ids = [str(row[0]) for row in conn.execute("SELECT id FROM reports")]
        keys = [str(row[0]) for row in conn.execute("SELECT draft_key FROM reports")]
    ids = [*report_ids, *(str(i) for i in user_ids), "1", "2", "3"]
    pool = [*ODD, *WORDS, *ids, *keys, *(f"{k}-{r}" for k in keys for r in report_ids)]
    before = _dump(bot, user_ids)
    tally = Tally()
    actors = (
        ("trader", trader, None),
        ("revoked officer", revoked, None),
        ("never started", stranger, group),
    )
    for role, actor, chat in actors:
        own = set(_seen_data([actor]))
        cases = [_random_data(rng, pool) for _ in range(RANDOM_PER_ACTOR)]
        cases += [_mutated(rng, rng.choice(seen), pool) for _ in range(MUTATED_PER_ACTOR)]
        cases += [data for data in seen if data not in own]  # others' buttons, replayed as is
        for data in cases:
            if _fits(data) and data not in own and data != "erase:yes":  # one's own erasure
                await _press(actor, data, chat, tally, role)
    staff_only = tuple(c.name for c in COMMAND_LIST if c.access is not Access.USER)
    for role, actor, names in (
        ("trader", trader, COMMANDS),
        ("revoked officer", revoked, staff_only),
    ):
        for text in _command_cases(rng, ids, names):
            await actor.send(text)
            await emulator.idle(quiet=0.02)
            tally.commands[role] += 1
    for text in _command_cases(rng, ids)[::4]:
        newcomer = emulator.add_user(first_name="Nemo", language_code="es")  # never started
        await newcomer.send(text)
        await emulator.idle(quiet=0.02)
        tally.commands["never started"] += 1
    await emulator.idle(quiet=0.1)
    after = _dump(bot, user_ids)
    changed = {name: (rows, after[name]) for name, rows in before.items() if rows != after[name]}
    print(  # the case count and results, for the record (pytest -s)
        f"\nfuzz: {sum(tally.presses.values())} presses {dict(tally.presses)}, "
        f"{sum(tally.commands.values())} commands {dict(tally.commands)}; "
        f"changed tables: {sorted(changed)}; errors: {len(errors)}; "
        f"unanswered: {len(tally.unanswered)}; violations: {len(emulator.violations)}"
    )
    assert sum(tally.presses.values()) + sum(tally.commands.values()) >= 300
    assert changed == {}
    assert errors == []
    assert tally.unanswered == []
    assert emulator.violations == []
