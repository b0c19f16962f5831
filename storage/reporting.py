"""ReportRepository: reports with their references, attachments and threads."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import aiosqlite

from bot.reporting.model import (
    DEFAULT_PREFIX,
    Attachment,
    Author,
    Correction,
    Follower,
    NewReport,
    Outcome,
    Report,
    Support,
    ThreadMessage,
    format_reference,
)
from storage.db import ERASED, Database, utcnow

_ATTACHMENT_COLUMNS = (
    "kind, file_id, file_unique_id, file_name, mime_type, file_size, width, height,"
    " caption, duration, latitude, longitude"
)
_ATTACHMENT_FIELDS = tuple(name.strip() for name in _ATTACHMENT_COLUMNS.split(","))


OFFICE_ONLY = ("assigned_to", "draft_key", "keywords")  # Customs' bookkeeping, not the user's


class ReportRepository:
    """Store and read reports."""

    def __init__(self, db: Database, prefix: str = DEFAULT_PREFIX) -> None:
        self._db = db
        self._prefix = prefix  # new references only; stored ones keep the prefix they got

    async def create(self, new: NewReport) -> tuple[Report, bool]:
        """Store a report, its reference and attachments in one transaction; (report, created).

        Submitting the same draft twice returns the report stored the first time.
        """
        existing = await self._by("draft_key", new.draft_key)
        if existing is not None:
            return existing, False
        try:
            report_id = await self._insert(new)
        except sqlite3.IntegrityError:
            again = await self._by("draft_key", new.draft_key)
            if again is None:
                raise
            return again, False
        report = await self.get(report_id)
        assert report is not None
        return report, True

    async def _insert(self, new: NewReport) -> int:
        now = utcnow()
        year = datetime.now(UTC).year
        async with self._db.transaction() as conn:
            counter = await conn.execute_fetchall(
                "INSERT INTO reference_counters (year, last) VALUES (?, 1)"
                " ON CONFLICT(year) DO UPDATE SET last = last + 1 RETURNING last",
                (year,),
            )
            number = next(iter(counter))[0]
            cursor = await conn.execute(
                "INSERT INTO reports (reference, reporter_id, draft_key, kind, description, topic,"
                " topic_source, office, office_other, incident_date, language, anonymous, status,"
                " urgency, sentiment, auto_kind, auto_topic, confidence, text_language, keywords,"
                " created_at, updated_at) VALUES"
                " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    format_reference(year, number, self._prefix),
                    new.reporter_id,
                    new.draft_key,
                    new.kind.value,
                    new.description,
                    new.topic,
                    new.topic_source,
                    new.office,
                    new.office_other,
                    new.incident_date.isoformat() if new.incident_date else None,
                    new.language,
                    int(new.anonymous),
                    new.urgency,
                    new.sentiment,
                    new.auto_kind,
                    new.auto_topic,
                    new.confidence,
                    new.text_language,
                    new.keywords,
                    now,
                    now,
                ),
            )
            report_id = cursor.lastrowid
            if new.attachments:
                await conn.executemany(
                    f"INSERT INTO report_attachments (report_id, position, {_ATTACHMENT_COLUMNS})"  # noqa: S608
                    f" VALUES (?, ?, {', '.join('?' * len(_ATTACHMENT_FIELDS))})",
                    [
                        (report_id, position, *_attachment_values(attachment))
                        for position, attachment in enumerate(new.attachments)
                    ],
                )
        return int(report_id or 0)

    async def get(self, report_id: int) -> Report | None:
        """Return the report with this id."""
        return await self._by("id", report_id)

    async def by_reference(self, reference: str) -> Report | None:
        """Return the report with this reference."""
        return await self._by("reference", reference)

    async def by_draft(self, draft_key: str) -> Report | None:
        """Return the report submitted from this draft, if it was."""
        return await self._by("draft_key", draft_key)

    async def for_reporter(
        self, reporter_id: int, offset: int, limit: int
    ) -> tuple[list[Report], int]:
        """Return a page of the reporter's reports, newest first, and how many there are."""
        rows = await self._db.fetch_all(
            "SELECT * FROM reports WHERE reporter_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
            (reporter_id, limit, offset),
        )
        total = await self._db.fetch_one(
            "SELECT COUNT(*) FROM reports WHERE reporter_id = ?", (reporter_id,)
        )
        return [await self._with_attachments(row) for row in rows], int(total[0]) if total else 0

    async def recent_offices(self, reporter_id: int, limit: int) -> list[str]:
        """Return the office codes of the reporter's reports, the most recently used first."""
        rows = await self._db.fetch_all(
            "SELECT office FROM reports WHERE reporter_id = ? AND office IS NOT NULL"
            " AND office NOT IN ('other', 'none')"
            " GROUP BY office ORDER BY MAX(id) DESC LIMIT ?",
            (reporter_id, limit),
        )
        return [str(row[0]) for row in rows]

    async def count_since(self, reporter_id: int, since: datetime) -> int:
        """Return how many reports the reporter filed since a moment."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM reports WHERE reporter_id = ? AND created_at >= ?",
            (reporter_id, since.isoformat(timespec="seconds")),
        )
        return int(row[0]) if row else 0

    async def oldest_since(self, reporter_id: int, since: datetime) -> datetime | None:
        """Return when the reporter's oldest report since a moment was filed."""
        row = await self._db.fetch_one(
            "SELECT MIN(created_at) FROM reports WHERE reporter_id = ? AND created_at >= ?",
            (reporter_id, since.isoformat(timespec="seconds")),
        )
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def add_message(
        self,
        report_id: int,
        author: Author,
        body: str,
        attachment: Attachment | None = None,
        author_id: int | None = None,
    ) -> ThreadMessage:
        """Append a message to a report's thread and touch the report."""
        now = utcnow()
        stored = attachment.model_dump_json() if attachment else None
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO report_messages (report_id, author, author_id, body, attachment,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (report_id, author.value, author_id, body, stored, now),
            )
            await conn.execute("UPDATE reports SET updated_at = ? WHERE id = ?", (now, report_id))
        return ThreadMessage(
            id=int(cursor.lastrowid or 0),
            report_id=report_id,
            author=author,
            body=body,
            attachment=attachment,
            created_at=datetime.fromisoformat(now),
        )

    async def thread(self, report_id: int) -> list[ThreadMessage]:
        """Return a report's thread, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT id, report_id, author, body, attachment, created_at FROM report_messages"
            " WHERE report_id = ? ORDER BY id",
            (report_id,),
        )
        return [
            ThreadMessage(
                id=row["id"],
                report_id=row["report_id"],
                author=Author(row["author"]),
                body=row["body"],
                attachment=Attachment.model_validate_json(row["attachment"])
                if row["attachment"]
                else None,
                created_at=datetime.fromisoformat(row["created_at"]),
            )
            for row in rows
        ]

    async def open_alike(
        self, topic: str, office: str | None, since: datetime, exclude_reporter: int
    ) -> list[Report]:
        """Return open reports of a topic and place since a moment, others' only, newest first.

        Attachments are left out: this is for comparing texts.
        """
        rows = await self._db.fetch_all(
            "SELECT * FROM reports WHERE topic = ? AND office IS ? AND created_at >= ?"
            " AND status IN ('new', 'acknowledged', 'in_progress')"
            " AND (reporter_id IS NULL OR reporter_id != ?) ORDER BY id DESC LIMIT 200",
            (topic, office, since.isoformat(timespec="seconds"), exclude_reporter),
        )
        return [_without_attachments(row) for row in rows]

    async def add_voice(
        self,
        report_id: int,
        user_id: int,
        comment: str | None,
        language: str,
        *,
        anonymous: bool = True,
        attachments: tuple[Attachment, ...] = (),
    ) -> bool:
        """Record a trader's "same here" with their files; False if they had already."""
        now = utcnow()
        async with self._db.transaction() as conn:
            rows = await conn.execute_fetchall(
                "INSERT INTO report_voices (report_id, user_id, comment, language, anonymous,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(report_id, user_id) DO NOTHING RETURNING id",
                (report_id, user_id, comment, language, int(anonymous), now),
            )
            added = list(rows)
            if not added:
                return False
            voice_id = added[0][0]
            await conn.executemany(
                "INSERT INTO report_voice_attachments (voice_id, position, attachment)"
                " VALUES (?, ?, ?)",
                [(voice_id, n, file.model_dump_json()) for n, file in enumerate(attachments)],
            )
            await conn.execute("UPDATE reports SET updated_at = ? WHERE id = ?", (now, report_id))
        return True

    async def voices(self, report_id: int) -> int:
        """Return how many other traders added their voice to a report."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM report_voices WHERE report_id = ?", (report_id,)
        )
        return int(row[0]) if row else 0

    async def supports(self, report_id: int, user_id: int | None = None) -> list[Support]:
        """Return a report's supports (or one user's), oldest first, with their files."""
        mine = " AND user_id = ?" if user_id is not None else ""
        rows = await self._db.fetch_all(
            "SELECT id, report_id, user_id, comment, language, anonymous, created_at"  # noqa: S608
            f" FROM report_voices WHERE report_id = ?{mine} ORDER BY id",
            (report_id,) if user_id is None else (report_id, user_id),
        )
        supports = []
        for row in rows:
            files = await self._db.fetch_all(
                "SELECT attachment FROM report_voice_attachments WHERE voice_id = ?"
                " ORDER BY position",
                (row["id"],),
            )
            data = {**dict(row), "anonymous": bool(row["anonymous"])}
            data["attachments"] = tuple(Attachment.model_validate_json(f[0]) for f in files)
            supports.append(Support.model_validate(data))
        return supports

    async def withdraw_voice(self, report_id: int, user_id: int) -> bool:
        """Remove a trader's support, its text and files; False if they had none."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM report_voices WHERE report_id = ? AND user_id = ?",
                (report_id, user_id),
            )
            if cursor.rowcount:
                await conn.execute(
                    "UPDATE reports SET updated_at = ? WHERE id = ?", (utcnow(), report_id)
                )
        return cursor.rowcount > 0

    async def followers(self, report_id: int) -> list[Follower]:
        """Return who hears of a report's public steps: its reporter, then its supporters."""
        rows = await self._db.fetch_all(
            "SELECT r.reporter_id, COALESCE(u.language, r.language), 'reporter' FROM reports r"
            " LEFT JOIN users u ON u.id = r.reporter_id"
            " WHERE r.id = ? AND r.reporter_id IS NOT NULL"
            " UNION ALL SELECT v.user_id, COALESCE(u.language, v.language, 'en'), 'supporter'"
            " FROM report_voices v JOIN users u ON u.id = v.user_id WHERE v.report_id = ?",
            (report_id, report_id),
        )
        return [Follower(user_id=row[0], language=row[1], following=row[2]) for row in rows]

    async def for_follower(
        self, user_id: int, offset: int, limit: int
    ) -> tuple[list[Report], int, frozenset[int]]:
        """Return a page of the reports a user filed or supports, newest first, how many there
        are, and which of the page's reports they support."""
        followed = (
            "SELECT id FROM reports WHERE reporter_id = ?1"
            " UNION SELECT report_id FROM report_voices WHERE user_id = ?1"
        )
        rows = await self._db.fetch_all(
            f"SELECT * FROM reports WHERE id IN ({followed})"  # noqa: S608 - constant SQL
            " ORDER BY id DESC LIMIT ?2 OFFSET ?3",
            (user_id, limit, offset),
        )
        total = await self._db.fetch_one(
            f"SELECT COUNT(*) FROM ({followed})",  # noqa: S608 - constant SQL
            (user_id,),
        )
        supported = frozenset(row["id"] for row in rows if row["reporter_id"] != user_id)
        reports = [await self._with_attachments(row) for row in rows]
        return reports, int(total[0]) if total else 0, supported

    async def follow_counts(self, user_id: int) -> tuple[int, int]:
        """Return how many reports the user filed, and how many they support."""
        row = await self._db.fetch_one(
            "SELECT (SELECT COUNT(*) FROM reports WHERE reporter_id = ?1),"
            " (SELECT COUNT(*) FROM report_voices WHERE user_id = ?1)",
            (user_id,),
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)

    async def story(self, report_id: int) -> tuple[str | None, str | None, list[Outcome]]:
        """Return a report's rejection reason, the reference it duplicates, and the outcomes
        of the done action items it is linked to (oldest first)."""
        row = await self._db.fetch_one(
            "SELECT r.reason, d.reference FROM reports r"
            " LEFT JOIN reports d ON d.id = r.duplicate_of WHERE r.id = ?",
            (report_id,),
        )
        outcomes = await self._db.fetch_all(
            "SELECT a.what, a.outcome, a.done_at FROM action_item_reports x"
            " JOIN action_items a ON a.id = x.action_id"
            " WHERE x.report_id = ? AND a.done_at IS NOT NULL AND a.outcome IS NOT NULL"
            " ORDER BY a.done_at, a.id",
            (report_id,),
        )
        done = [
            Outcome(what=o[0], outcome=o[1], done_at=datetime.fromisoformat(o[2])) for o in outcomes
        ]
        return (row[0], row[1], done) if row else (None, None, done)

    async def relabel(
        self, report_id: int, changes: dict[str, str], correction: Correction
    ) -> Report:
        """Apply an officer's correction to a report and store it, in one transaction."""
        columns = {key: changes[key] for key in ("kind", "topic", "urgency") if key in changes}
        assignments = ", ".join(f"{name} = ?" for name in columns)
        extra = ", topic_source = 'officer'" if "topic" in columns else ""
        async with self._db.transaction() as conn:
            if columns:
                await conn.execute(
                    f"UPDATE reports SET {assignments}{extra}, updated_at = ? WHERE id = ?",  # noqa: S608
                    (*columns.values(), utcnow(), report_id),
                )
            await conn.execute(
                "INSERT INTO sorting_corrections (report_id, officer_id, text, language, kind,"
                " topic, urgency, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    correction.report_id,
                    correction.officer_id,
                    correction.text,
                    correction.language,
                    correction.kind,
                    correction.topic,
                    correction.urgency,
                    utcnow(),
                ),
            )
        report = await self.get(report_id)
        assert report is not None
        return report

    async def corrections(self) -> list[Correction]:
        """Return every stored correction, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT report_id, officer_id, text, language, kind, topic, urgency"
            " FROM sorting_corrections ORDER BY id"
        )
        return [Correction.model_validate(dict(row)) for row in rows]

    async def export_for_reporter(self, reporter_id: int) -> list[dict[str, Any]]:
        """Return the reporter's reports and threads as plain data (for /mydata)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM reports WHERE reporter_id = ? ORDER BY id", (reporter_id,)
        )
        exported = []
        for row in rows:
            entry = {k: v for k, v in dict(row).items() if k not in OFFICE_ONLY}
            entry["thread"] = [
                {"author": m.author.value, "body": m.body, "created_at": m.created_at.isoformat()}
                for m in await self.thread(row["id"])
            ]
            exported.append(entry)
        return exported

    async def _by(self, column: str, value: object) -> Report | None:
        row = await self._db.fetch_one(f"SELECT * FROM reports WHERE {column} = ?", (value,))  # noqa: S608
        return await self._with_attachments(row) if row else None

    async def _with_attachments(self, row: aiosqlite.Row) -> Report:
        attachments = await self._db.fetch_all(
            f"SELECT {_ATTACHMENT_COLUMNS} FROM report_attachments"  # noqa: S608
            " WHERE report_id = ? ORDER BY position",
            (row["id"],),
        )
        files = tuple(Attachment.model_validate(dict(item)) for item in attachments)
        return _without_attachments(row).model_copy(update={"attachments": files})


def _without_attachments(row: aiosqlite.Row) -> Report:
    data = dict(row)
    data["anonymous"] = bool(data["anonymous"])
    return Report.model_validate(data)


def _attachment_values(attachment: Attachment) -> tuple[Any, ...]:
    stored = attachment.model_dump(mode="json")
    return tuple(stored[field] for field in _ATTACHMENT_FIELDS)


async def erase_user(conn: aiosqlite.Connection, user_id: int, pseudonym: int) -> None:
    """Erase what the user wrote in threads and voices (and the files of their supports);
    their id as an officer is pseudonymised.

    Their reports stay (the reporter is removed when the user row goes), with the description;
    their supports stay counted, anonymous and without text (the user id goes with the row).
    """
    mine = "SELECT id FROM reports WHERE reporter_id = ?"
    await conn.execute(
        f"UPDATE report_messages SET body = ?, attachment = NULL"  # noqa: S608 - constant SQL
        f" WHERE author = 'reporter' AND report_id IN ({mine})",
        (ERASED, user_id),
    )
    await conn.execute(
        "UPDATE report_voices SET comment = ? WHERE user_id = ? AND comment IS NOT NULL",
        (ERASED, user_id),
    )
    await conn.execute(
        "DELETE FROM report_voice_attachments"
        " WHERE voice_id IN (SELECT id FROM report_voices WHERE user_id = ?)",
        (user_id,),
    )
    await conn.execute(
        "UPDATE report_messages SET author_id = ? WHERE author_id = ?", (pseudonym, user_id)
    )
    await conn.execute(
        "UPDATE sorting_corrections SET officer_id = ? WHERE officer_id = ?", (pseudonym, user_id)
    )
    await conn.execute("UPDATE reports SET assigned_to = NULL WHERE assigned_to = ?", (user_id,))
    for table in ("report_cards", "report_file_messages"):  # where the officer's chat showed cards
        await conn.execute(f"DELETE FROM {table} WHERE chat_id = ?", (user_id,))  # noqa: S608
