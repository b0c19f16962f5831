"""BulletinRepository: monthly bulletins and their items, what they draw on, who receives them."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime
from typing import Any

import aiosqlite

from bot.bulletins.model import (
    MAX_ITEMS,
    Bulletin,
    Headline,
    Item,
    ItemKind,
    Month,
    Status,
    first_line,
)
from storage.audit import stamp
from storage.claims import Claims
from storage.db import Database

ACTIVE = (
    "u.notices_enabled = 1 AND u.blocked_bot = 0 AND u.privacy_accepted_at IS NOT NULL"
    " AND u.onboarding_step IS NULL"
)
RESOLVED_SQL = """
SELECT r.id, r.topic, r.office, r.reporter_id FROM reports r
WHERE r.status = 'resolved' AND EXISTS (
    SELECT 1 FROM report_events e
    WHERE e.report_id = r.id AND e.status = 'resolved' AND e.at >= ? AND e.at < ?
)
ORDER BY r.id
"""


def _marks(count: int) -> str:
    return ", ".join("?" * count)


async def supporters_of(db: Database, report_ids: tuple[int, ...]) -> dict[int, list[int]]:
    """Return who supports each report (its "voices"), the one read of supporters here."""
    found: dict[int, list[int]] = defaultdict(list)
    if not report_ids:
        return found
    rows = await db.fetch_all(
        "SELECT report_id, user_id FROM report_voices"  # noqa: S608
        f" WHERE report_id IN ({_marks(len(report_ids))}) AND user_id IS NOT NULL ORDER BY id",
        report_ids,
    )
    for report_id, user_id in rows:
        found[int(report_id)].append(int(user_id))
    return found


def _item(row: aiosqlite.Row) -> Item:
    return Item(
        id=row["id"],
        kind=ItemKind(row["kind"]),
        topic=row["topic"],
        office=row["office"],
        traders=row["traders"],
        outcome=row["outcome"],
        texts=json.loads(row["texts"] or "{}"),
        edited=bool(row["edited"]),
        dropped=bool(row["dropped"]),
        report_ids=tuple(json.loads(row["report_ids"] or "[]")),
    )


class BulletinRepository:
    """Bulletins in SQLite: drafts, items, publication, opt-outs and claims."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._claims = Claims(db)

    # --- bulletins ------------------------------------------------------------------------

    async def _load(self, row: aiosqlite.Row | None) -> Bulletin | None:
        if row is None:
            return None
        items = await self._db.fetch_all(
            "SELECT * FROM bulletin_items WHERE bulletin_id = ? ORDER BY position, id", (row["id"],)
        )
        published = row["published_at"]
        return Bulletin(
            id=row["id"],
            month=Month(first=date.fromisoformat(row["first_day"])),
            status=Status(row["status"]),
            figures=Headline.model_validate_json(row["figures"] or "{}"),
            items=tuple(_item(item) for item in items),
            created_at=datetime.fromisoformat(row["created_at"]),
            published_at=datetime.fromisoformat(published) if published else None,
        )

    async def find(self, month: str) -> Bulletin | None:
        """Return the bulletin of a month (YYYY-MM), if drafted."""
        return await self._load(
            await self._db.fetch_one("SELECT * FROM bulletins WHERE period = ?", (month,))
        )

    async def get(self, bulletin_id: int) -> Bulletin | None:
        """Return a bulletin by id."""
        return await self._load(
            await self._db.fetch_one("SELECT * FROM bulletins WHERE id = ?", (bulletin_id,))
        )

    async def create(
        self, month: Month, figures: Headline, items: list[Item], at: datetime
    ) -> Bulletin:
        """Store a month's draft with its items (once: a second draft of a month is ignored)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO bulletins (period, first_day, last_day, figures, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(period) DO NOTHING",
                (
                    month.key,
                    month.first.isoformat(),
                    month.last.isoformat(),
                    figures.model_dump_json(),
                    stamp(at),
                ),
            )
            if cursor.rowcount == 1 and cursor.lastrowid is not None:
                await conn.executemany(
                    "INSERT INTO bulletin_items (bulletin_id, position, kind, topic, office,"
                    " traders, outcome, texts, report_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            cursor.lastrowid,
                            position,
                            item.kind.value,
                            item.topic,
                            item.office,
                            item.traders,
                            item.outcome,
                            json.dumps(item.texts, ensure_ascii=False),
                            json.dumps(list(item.report_ids)),
                        )
                        for position, item in enumerate(items)
                    ],
                )
        found = await self.find(month.key)
        assert found is not None
        return found

    async def change_item(
        self, item_id: int, *, outcome: str | None = None, dropped: bool | None = None
    ) -> int | None:
        """Rewrite or drop an item of a draft; return its bulletin's id (None: not a draft's)."""
        sets: list[str] = []
        params: list[Any] = []
        if outcome is not None:
            sets.append("outcome = ?, edited = 1")
            params.append(outcome)
        if dropped is not None:
            sets.append("dropped = ?")
            params.append(int(dropped))
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE bulletin_items SET {', '.join(sets)} WHERE id = ? AND bulletin_id IN"  # noqa: S608
                " (SELECT id FROM bulletins WHERE status = 'draft') RETURNING bulletin_id",
                (*params, item_id),
            )
            row = await cursor.fetchone()
        return int(row[0]) if row else None

    async def publish(self, bulletin_id: int, admin_id: int, at: datetime) -> bool:
        """Mark a draft published (committed before anything is sent); False if it was not one."""
        changed = await self._db.execute(
            "UPDATE bulletins SET status = 'published', published_at = ?, published_by = ?"
            " WHERE id = ? AND status = 'draft'",
            (stamp(at), admin_id, bulletin_id),
        )
        return changed == 1

    async def published(self, limit: int = 24) -> list[Bulletin]:
        """Return published bulletins, newest month first."""
        rows = await self._db.fetch_all(
            "SELECT * FROM bulletins WHERE status = 'published' ORDER BY period DESC LIMIT ?",
            (limit,),
        )
        return [b for b in [await self._load(row) for row in rows] if b is not None]

    async def published_since(self, since: datetime) -> list[Bulletin]:
        """Return bulletins published since a moment, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT * FROM bulletins WHERE status = 'published' AND published_at >= ?"
            " ORDER BY published_at",
            (stamp(since),),
        )
        return [b for b in [await self._load(row) for row in rows] if b is not None]

    # --- what a draft draws on ------------------------------------------------------------

    async def candidates(self, start: str, end: str) -> list[Item]:
        """Return a month's items: resolved recurring issues, action items done, notices sent."""
        return [
            *await self._issues(start, end),
            *await self._actions(start, end),
            *await self._notices(start, end),
        ]

    async def _issues(self, start: str, end: str) -> list[Item]:
        """Reports resolved in the month, by topic and office, raised by more than one trader."""
        groups: dict[tuple[str | None, str | None], list[tuple[int, int | None]]] = defaultdict(
            list
        )
        for report_id, topic, office, reporter_id in await self._db.fetch_all(
            RESOLVED_SQL, (start, end)
        ):
            groups[(topic, office)].append((report_id, reporter_id))
        items = []
        for (topic, office), reports in groups.items():
            ids = tuple(report_id for report_id, _ in reports)
            people = {
                f"r{report_id}" if reporter is None else str(reporter)
                for report_id, reporter in reports
            }
            for supporters in (await supporters_of(self._db, ids)).values():
                people.update(str(user) for user in supporters)
            if len(people) < 2:
                continue
            items.append(
                Item(
                    kind=ItemKind.ISSUE,
                    topic=topic,
                    office=office,
                    traders=len(people),
                    outcome=await self._what_was_done(ids),
                    report_ids=ids,
                )
            )
        items.sort(key=lambda item: (-item.traders, item.topic or "", item.office or ""))
        return items[:MAX_ITEMS]

    async def _what_was_done(self, ids: tuple[int, ...]) -> str:
        """Return the public outcome of an action item on these reports, else the last answer
        an officer gave on them (what the reporters were told)."""
        marks = _marks(len(ids))
        row = await self._db.fetch_one(
            "SELECT a.outcome FROM action_items a JOIN action_item_reports ar"  # noqa: S608
            f" ON ar.action_id = a.id WHERE ar.report_id IN ({marks}) AND a.done_at IS NOT NULL"
            " AND COALESCE(a.outcome, '') <> '' ORDER BY a.done_at DESC LIMIT 1",
            ids,
        )
        if row is None:
            row = await self._db.fetch_one(
                f"SELECT body FROM report_messages WHERE report_id IN ({marks})"  # noqa: S608
                " AND author = 'officer' AND body <> '' ORDER BY id DESC LIMIT 1",
                ids,
            )
        return " ".join(str(row[0]).split()) if row else ""

    async def _actions(self, start: str, end: str) -> list[Item]:
        rows = await self._db.fetch_all(
            "SELECT a.id, a.what, a.outcome, group_concat(ar.report_id) FROM action_items a"
            " LEFT JOIN action_item_reports ar ON ar.action_id = a.id"
            " WHERE a.done_at >= ? AND a.done_at < ? GROUP BY a.id ORDER BY a.done_at LIMIT ?",
            (start, end, MAX_ITEMS),
        )
        items = []
        for _, what, outcome, reports in rows:
            text = " — ".join(part for part in (what, outcome) if part)
            ids = tuple(int(n) for n in str(reports).split(",")) if reports else ()
            items.append(Item(kind=ItemKind.ACTION, outcome=text, report_ids=ids))
        return items

    async def _notices(self, start: str, end: str) -> list[Item]:
        rows = await self._db.fetch_all(
            "SELECT texts FROM notices WHERE started_at >= ? AND started_at < ?"
            " AND status IN ('sending', 'sent') ORDER BY started_at LIMIT ?",
            (start, end, MAX_ITEMS),
        )
        items = []
        for (texts,) in rows:
            lines = {lang: first_line(text) for lang, text in json.loads(texts or "{}").items()}
            fallback = next(iter(lines.values()), "")
            items.append(Item(kind=ItemKind.NOTICE, outcome=fallback, texts=lines))
        return items

    # --- the people behind reports (never published) --------------------------------------

    async def _people(self, report_ids: tuple[int, ...]) -> dict[int, list[int]]:
        """Return each report's reporter (first) and supporters."""
        people: dict[int, list[int]] = defaultdict(list)
        if not report_ids:
            return people
        rows = await self._db.fetch_all(
            f"SELECT id, reporter_id FROM reports WHERE id IN ({_marks(len(report_ids))})"  # noqa: S608
            " AND reporter_id IS NOT NULL",
            report_ids,
        )
        for report_id, reporter_id in rows:
            people[int(report_id)].append(int(reporter_id))
        for report_id, supporters in (await supporters_of(self._db, report_ids)).items():
            people[report_id].extend(supporters)
        return people

    async def names_behind(self, report_ids: tuple[int, ...]) -> tuple[str, ...]:
        """Return the names, usernames and organisations of those behind some reports."""
        ids = sorted(
            {user for users in (await self._people(report_ids)).values() for user in users}
        )
        if not ids:
            return ()
        rows = await self._db.fetch_all(
            "SELECT first_name, last_name, username, organisation FROM users"  # noqa: S608
            f" WHERE id IN ({_marks(len(ids))})",
            ids,
        )
        return tuple(str(value) for row in rows for value in row if value)

    async def typed_behind(self, report_ids: tuple[int, ...]) -> tuple[str, ...]:
        """Return what traders typed on some reports: descriptions, voices' comments, answers."""
        if not report_ids:
            return ()
        marks = _marks(len(report_ids))
        rows = await self._db.fetch_all(
            f"SELECT description FROM reports WHERE id IN ({marks})"  # noqa: S608
            f" UNION ALL SELECT office_other FROM reports WHERE id IN ({marks})"
            f" UNION ALL SELECT comment FROM report_voices WHERE report_id IN ({marks})"
            f" UNION ALL SELECT body FROM report_messages WHERE report_id IN ({marks})"
            " AND author = 'reporter'",
            report_ids * 4,
        )
        return tuple(str(row[0]) for row in rows if row[0])

    async def people_behind(self, report_ids: tuple[int, ...]) -> list[tuple[int, str, str]]:
        """Return (user, language, reference) of reporters and supporters who can be told."""
        people = await self._people(report_ids)
        if not people:
            return []
        rows = await self._db.fetch_all(
            f"SELECT id, reference FROM reports WHERE id IN ({_marks(len(people))})",  # noqa: S608
            tuple(people),
        )
        references = {int(row[0]): str(row[1]) for row in rows}
        users = sorted({user for users in people.values() for user in users})
        reachable = {
            int(row[0]): str(row[1])
            for row in await self._db.fetch_all(
                f"SELECT id, language FROM users WHERE id IN ({_marks(len(users))})"  # noqa: S608
                " AND blocked_bot = 0",
                users,
            )
        }
        return [
            (user, reachable[user], references[report_id])
            for report_id, users_of in people.items()
            for user in users_of
            if user in reachable and report_id in references
        ]

    # --- who receives it ------------------------------------------------------------------

    async def audience(self) -> list[tuple[int, str]]:
        """Return every subscriber who has not turned bulletins off, with their language."""
        rows = await self._db.fetch_all(
            f"SELECT u.id, u.language FROM users u WHERE {ACTIVE} AND NOT EXISTS"  # noqa: S608
            " (SELECT 1 FROM bulletin_optouts o WHERE o.user_id = u.id) ORDER BY u.id"
        )
        return [(int(row[0]), str(row[1])) for row in rows]

    async def admins(self, configured: frozenset[int]) -> list[tuple[int, str]]:
        """Return the admins (configured or promoted) who can be written to, with their language."""
        ids = sorted(configured)
        rows = await self._db.fetch_all(
            "SELECT id, language FROM users WHERE blocked_bot = 0 AND onboarding_step IS NULL"  # noqa: S608
            f" AND (staff_role = 'admin' OR id IN ({_marks(len(ids))})) ORDER BY id",
            ids,
        )
        return [(int(row[0]), str(row[1])) for row in rows]

    async def opted_out(self, user_id: int) -> bool:
        """Tell whether a user turned the monthly bulletin off."""
        row = await self._db.fetch_one(
            "SELECT 1 FROM bulletin_optouts WHERE user_id = ?", (user_id,)
        )
        return row is not None

    async def set_opted_out(self, user_id: int, out: bool, at: datetime) -> None:
        """Turn a user's monthly bulletin off (or back on)."""
        if out:
            await self._db.execute(
                "INSERT INTO bulletin_optouts (user_id, at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (user_id, stamp(at)),
            )
        else:
            await self._db.execute("DELETE FROM bulletin_optouts WHERE user_id = ?", (user_id,))

    async def claim(self, kind: str, key: str, recipient_id: int, at: datetime) -> bool:
        """Claim one send before making it; False if it was claimed before."""
        return await self._claims.claim(kind, key, recipient_id, at)


async def erase_user(conn: aiosqlite.Connection, user_id: int, pseudonym: int) -> None:
    """Forget which admin published a bulletin (their switch goes with their user row)."""
    await conn.execute(
        "UPDATE bulletins SET published_by = ? WHERE published_by = ?", (pseudonym, user_id)
    )
