"""NoticeRepository: notices from draft to sent, their audience, comments and subscriptions."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite

from bot.notices.model import (
    Audience,
    Comment,
    Notice,
    NoticeTimes,
    Subscription,
    stored,
)
from storage.claims import NOTICE_SUMMARY, Claims
from storage.db import ERASED, Database, utcnow
from storage.notices.queue import at

UPDATABLE = frozenset(
    {
        "status", "step", "variant_language", "texts", "document", "audience", "comment_seconds",
        "send_at", "chat_id", "progress_message_id", "confirmed_at",
    }
)  # fmt: skip
ACTIVE = (
    "u.notices_enabled = 1 AND u.blocked_bot = 0 AND u.privacy_accepted_at IS NOT NULL"
    " AND u.onboarding_step IS NULL"
)


def _notice(row: aiosqlite.Row) -> Notice:
    data = dict(row)
    data["texts"] = json.loads(data["texts"] or "{}")
    data["document"] = json.loads(data["document"]) if data["document"] else None
    data["audience"] = json.loads(data["audience"] or "{}")
    return Notice.model_validate(data)


def _moment(value: str | None, now: datetime) -> datetime | None:
    """Read a stored moment ('' is a notice to send at once)."""
    if value is None:
        return None
    return datetime.fromisoformat(value) if value else now


def _earliest(*moments: datetime | None) -> datetime | None:
    """Return the earliest of some moments (None if there is none)."""
    present = [moment for moment in moments if moment is not None]
    return min(present) if present else None


def _json(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return json.dumps(value.model_dump(), ensure_ascii=False)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return stored(value)


def audience_filter(audience: Audience) -> tuple[str, list[Any]]:
    """Return the SQL condition on users `u` who are in the audience, and its parameters."""
    clauses, params = [ACTIVE], []
    for column, values in (("u.business_role", audience.roles), ("u.language", audience.languages)):
        if values:
            clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
            params += list(values)
    for kind, values in (("topic", audience.topics), ("office", audience.offices)):
        if values:
            marks = ", ".join("?" * len(values))
            chosen = f"s.user_id = u.id AND s.kind = '{kind}'"
            picked = f"SELECT 1 FROM notice_subscriptions s WHERE {chosen}"  # noqa: S608
            clauses.append(f"(NOT EXISTS ({picked}) OR EXISTS ({picked} AND s.code IN ({marks})))")
            params += list(values)
    return " AND ".join(clauses), params


def _names(row: Any) -> tuple[str, ...]:
    """Return a commenter's names (to mask in quotes), those the row has."""
    names = (row["author_first"], row["author_last"], row["author_username"])
    return tuple(str(name) for name in names if name)


class NoticeRepository:
    """Store and read notices, their recipients, comments and users' subscriptions."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- notices ------------------------------------------------------------------------

    async def get(self, notice_id: int) -> Notice | None:
        """Return the notice with this id."""
        row = await self._db.fetch_one("SELECT * FROM notices WHERE id = ?", (notice_id,))
        return _notice(row) if row else None

    async def draft_of(self, author_id: int) -> Notice | None:
        """Return the notice this admin is writing, if any."""
        row = await self._db.fetch_one(
            "SELECT * FROM notices WHERE author_id = ? AND status = 'draft' ORDER BY id DESC",
            (author_id,),
        )
        return _notice(row) if row else None

    async def create_draft(self, author_id: int, step: str) -> Notice:
        """Start a new draft for this admin."""
        now = utcnow()
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO notices (author_id, status, step, created_at, updated_at)"
                " VALUES (?, 'draft', ?, ?, ?)",
                (author_id, step, now, now),
            )
            notice_id = cursor.lastrowid
        notice = await self.get(int(notice_id or 0))
        assert notice is not None
        return notice

    async def update(self, notice_id: int, changes: dict[str, Any]) -> Notice:
        """Change some fields of a notice and return it."""
        unknown = set(changes) - UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        columns = ", ".join(f"{name} = ?" for name in changes)
        await self._db.execute(
            f"UPDATE notices SET {columns}, updated_at = ? WHERE id = ?",  # noqa: S608 - whitelisted
            (*(_json(value) for value in changes.values()), utcnow(), notice_id),
        )
        notice = await self.get(notice_id)
        if notice is None:
            raise LookupError(f"no notice {notice_id}")
        return notice

    async def count_audience(self, audience: Audience) -> int:
        """Return how many active users the audience reaches now."""
        where, params = audience_filter(audience)
        row = await self._db.fetch_one(
            f"SELECT COUNT(*) FROM users u WHERE {where}",  # noqa: S608 - built from fixed parts
            params,
        )
        return int(row[0]) if row else 0

    async def due(self, now: datetime) -> list[Notice]:
        """Return confirmed notices whose time to go out has come."""
        rows = await self._db.fetch_all(
            "SELECT * FROM notices WHERE status = 'scheduled' AND (send_at IS NULL OR send_at <= ?)"
            " ORDER BY id",
            (stored(now),),
        )
        return [_notice(row) for row in rows]

    async def start_sending(
        self,
        notice: Notice,
        now: datetime,
        comment_until: datetime | None,
        remind_at: datetime | None,
    ) -> Notice | None:
        """Fix the recipients (one queued copy each) and start; None if another start won."""
        where, params = audience_filter(notice.audience)
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE notices SET status = 'sending', started_at = ?, comment_until = ?,"
                " remind_at = ?, updated_at = ? WHERE id = ? AND status = 'scheduled'",
                (stored(now), stored(comment_until), stored(remind_at), stored(now), notice.id),
            )
            if cursor.rowcount != 1:
                return None
            await conn.execute(
                "INSERT INTO notice_deliveries (notice_id, kind, user_id, language, state,"  # noqa: S608
                " next_try_at, updated_at) SELECT ?, 'notice', u.id, u.language, 'pending', ?, ?"
                f" FROM users u WHERE {where} ORDER BY u.id",
                (notice.id, at(now), at(now), *params),
            )
            await conn.execute(
                "UPDATE notices SET total = (SELECT COUNT(*) FROM notice_deliveries"
                " WHERE notice_id = ? AND kind = 'notice') WHERE id = ?",
                (notice.id, notice.id),
            )
        return await self.get(notice.id)

    async def sending(self) -> list[Notice]:
        """Return the notices going out now."""
        rows = await self._db.fetch_all("SELECT * FROM notices WHERE status = 'sending'")
        return [_notice(row) for row in rows]

    async def finish(self, notice_id: int, now: datetime) -> bool:
        """Mark a notice whose copies are all settled as sent; tell whether this call did."""
        changed = await self._db.execute(
            "UPDATE notices SET status = 'sent', finished_at = ?, updated_at = ? WHERE id = ?"
            " AND status = 'sending' AND NOT EXISTS (SELECT 1 FROM notice_deliveries d"
            " WHERE d.notice_id = notices.id AND d.kind = 'notice'"
            " AND d.state IN ('pending', 'sending'))",
            (stored(now), stored(now), notice_id),
        )
        return changed == 1

    async def queue_reminders(self, now: datetime) -> list[int]:
        """Queue the one reminder of each consultation now due; return the notices' ids."""
        queued = []
        rows = await self._db.fetch_all(
            "SELECT id FROM notices WHERE status IN ('sending', 'sent') AND remind_at <= ?"
            " AND comment_until > ? AND reminders_queued_at IS NULL",
            (stored(now), stored(now)),
        )
        for row in rows:
            async with self._db.transaction() as conn:
                cursor = await conn.execute(
                    "UPDATE notices SET reminders_queued_at = ? WHERE id = ?"
                    " AND reminders_queued_at IS NULL",
                    (stored(now), row["id"]),
                )
                if cursor.rowcount != 1:
                    continue
                await conn.execute(
                    "INSERT INTO notice_deliveries (notice_id, kind, user_id, language, state,"
                    " next_try_at, updated_at) SELECT d.notice_id, 'reminder', d.user_id,"
                    " d.language, 'pending', ?, ? FROM notice_deliveries d"
                    " WHERE d.notice_id = ? AND d.kind = 'notice' AND d.state = 'sent'"
                    " AND NOT EXISTS (SELECT 1 FROM notice_comments c WHERE c.notice_id ="
                    " d.notice_id AND c.user_id = d.user_id)",
                    (at(now), at(now), row["id"]),
                )
            queued.append(int(row["id"]))
        return queued

    async def next_due(self, now: datetime) -> NoticeTimes:
        """Return when the notices' rows next fall due (one read, on the covering indexes)."""
        row = await self._db.fetch_one(
            "SELECT (SELECT MIN(COALESCE(send_at, '')) FROM notices WHERE status = 'scheduled'),"
            " (SELECT MIN(next_try_at) FROM notice_deliveries WHERE state = 'pending'),"
            " (SELECT MIN(remind_at) FROM notices WHERE status IN ('sending', 'sent')"
            "  AND reminders_queued_at IS NULL AND remind_at IS NOT NULL AND comment_until > ?),"
            " (SELECT MIN(comment_until) FROM notices WHERE summary_at IS NULL"
            "  AND status IN ('sending', 'sent')),"
            " EXISTS (SELECT 1 FROM notices WHERE status = 'sending')",
            (stored(now),),
        )
        assert row is not None
        start, copy, remind, close = (_moment(row[i], now) for i in range(4))
        return NoticeTimes(
            send=_earliest(start, copy),
            bookkeeping=_earliest(remind, close),
            sending=bool(row[4]),
        )

    async def closed_comment_periods(self, now: datetime) -> list[Notice]:
        """Return consultations past their deadline whose summary has not been started."""
        rows = await self._db.fetch_all(
            "SELECT * FROM notices WHERE comment_until <= ? AND summary_at IS NULL"
            " AND status IN ('sending', 'sent')",
            (stored(now),),
        )
        return [_notice(row) for row in rows]

    async def start_summary(self, notice_id: int, now: datetime) -> bool:
        """Claim the summary of a closed consultation; tell whether this call did."""
        changed = await self._db.execute(
            "UPDATE notices SET summary_at = ? WHERE id = ? AND summary_at IS NULL",
            (stored(now), notice_id),
        )
        return changed == 1

    async def claim_summary(self, notice_id: int, recipient_id: int, now: datetime) -> bool:
        """Claim sending the summary to one admin or officer; tell whether it was unclaimed."""
        return await Claims(self._db).claim(NOTICE_SUMMARY, str(notice_id), recipient_id, now)

    # --- comments -----------------------------------------------------------------------

    async def add_comment(self, values: dict[str, Any]) -> Comment:
        """Store a comment."""
        now = utcnow()
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO notice_comments (notice_id, user_id, body, language, kind, topic,"
                " urgency, sentiment, confidence, text_language, business_role, organisation,"
                " created_at) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, u.business_role,"
                " u.organisation, ? FROM users u WHERE u.id = ?",
                (
                    values["notice_id"],
                    values["user_id"],
                    values["body"],
                    values["language"],
                    values.get("kind"),
                    values.get("topic"),
                    values.get("urgency"),
                    values.get("sentiment"),
                    values.get("confidence"),
                    values.get("text_language"),
                    now,
                    values["user_id"],
                ),
            )
            comment_id = cursor.lastrowid
        row = await self._db.fetch_one(
            "SELECT * FROM notice_comments WHERE id = ?", (int(comment_id or 0),)
        )
        assert row is not None
        return Comment.model_validate(dict(row))

    async def comments(self, notice_id: int) -> list[Comment]:
        """Return a notice's comments, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT c.*, u.first_name AS author_first, u.last_name AS author_last,"
            " u.username AS author_username"
            " FROM notice_comments c LEFT JOIN users u ON u.id = c.user_id"
            " WHERE c.notice_id = ? ORDER BY c.id",
            (notice_id,),
        )
        return [Comment.model_validate({**dict(row), "author_names": _names(row)}) for row in rows]

    # --- subscriptions ------------------------------------------------------------------

    async def subscription(self, user_id: int) -> Subscription:
        """Return the topics and offices the user chose (empty: all)."""
        rows = await self._db.fetch_all(
            "SELECT kind, code FROM notice_subscriptions WHERE user_id = ? ORDER BY code",
            (user_id,),
        )
        return Subscription(
            topics=tuple(row["code"] for row in rows if row["kind"] == "topic"),
            offices=tuple(row["code"] for row in rows if row["kind"] == "office"),
        )

    async def set_subscription(self, user_id: int, kind: str, codes: tuple[str, ...]) -> None:
        """Replace the user's choice of one kind (no codes: all of them)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "DELETE FROM notice_subscriptions WHERE user_id = ? AND kind = ?", (user_id, kind)
            )
            await conn.executemany(
                "INSERT INTO notice_subscriptions (user_id, kind, code) VALUES (?, ?, ?)",
                [(user_id, kind, code) for code in codes],
            )


async def erase_user(conn: aiosqlite.Connection, user_id: int, pseudonym: int) -> None:
    """Erase the user's comments (kept, sorted, for the summary) and drafts; pseudonymise."""
    await conn.execute(
        "UPDATE notice_comments SET body = ?, organisation = NULL, user_id = NULL"
        " WHERE user_id = ?",
        (ERASED, user_id),
    )
    await conn.execute("DELETE FROM notices WHERE author_id = ? AND status = 'draft'", (user_id,))
    await conn.execute(
        "UPDATE notices SET author_id = ?, chat_id = NULL, progress_message_id = NULL"
        " WHERE author_id = ?",
        (pseudonym, user_id),
    )
