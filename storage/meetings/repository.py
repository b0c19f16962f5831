"""MeetingRepository: meetings, answers and action items, each change with its jobs at once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import aiosqlite

from bot.meetings.model import (
    ActionItem,
    Meeting,
    MeetingDetails,
    MeetingRecord,
    NewActionItem,
    Rsvp,
    RsvpCounts,
)
from bot.meetings.sends import PRIORITY, PlannedJob
from storage.db import Database

MEETING_COLUMNS = (
    "id, series_id, title, starts_at, ends_at, zone, place, link, agenda, audience, recurrence,"
    " status, sequence, created_by, minutes, attendance, organisations, created_at, closed_at"
)
ACTION_SQL = """
SELECT a.id, a.meeting_id, a.what, a.owner_id, a.due_on, a.done_at, a.outcome,
       TRIM(COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, '')) AS owner_name,
       (SELECT json_group_array(r.reference) FROM action_item_reports x
        JOIN reports r ON r.id = x.report_id WHERE x.action_id = a.id) AS refs
FROM action_items a LEFT JOIN users u ON u.id = a.owner_id
"""
AUDIENCE_SQL = """(
    m.audience = 'everyone' OR m.audience = 'role:' || u.business_role
    OR (m.audience LIKE 'topic:%' OR m.audience LIKE 'office:%') AND (
        NOT EXISTS (SELECT 1 FROM notice_subscriptions s WHERE s.user_id = u.id
                    AND s.kind = substr(m.audience, 1, instr(m.audience, ':') - 1))
        OR EXISTS (SELECT 1 FROM notice_subscriptions s WHERE s.user_id = u.id
                   AND s.kind || ':' || s.code = m.audience)))"""  # as notices read subscriptions
VISIBLE_SQL = f"""
SELECT {", ".join("m." + c.strip() for c in MEETING_COLUMNS.split(","))}, r.answer
FROM meetings m JOIN users u ON u.id = ?
LEFT JOIN meeting_rsvps r ON r.meeting_id = m.id AND r.user_id = u.id
WHERE m.status = 'scheduled' AND m.starts_at > ? AND (r.answer IS NOT NULL OR {AUDIENCE_SQL})
ORDER BY m.starts_at, m.id LIMIT ?
"""  # noqa: S608 - constants only


def iso(moment: datetime) -> str:
    """Return a moment as stored: ISO 8601 in UTC, to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def meeting_of(row: aiosqlite.Row | tuple[Any, ...]) -> Meeting:
    """Return a Meeting from a row in MEETING_COLUMNS order."""
    values = dict(zip([c.strip() for c in MEETING_COLUMNS.split(",")], row, strict=False))
    values["organisations"] = tuple(json.loads(values["organisations"] or "[]"))
    return Meeting.model_validate(values)


def action_of(row: aiosqlite.Row) -> ActionItem:
    """Return an ActionItem from a row of ACTION_SQL."""
    values = dict(row)
    values["references"] = tuple(json.loads(values.pop("refs") or "[]"))
    values["owner_id"] = values["owner_id"] or 0
    return ActionItem.model_validate(values)


async def insert_jobs(
    conn: aiosqlite.Connection, meeting_id: int, jobs: Iterable[PlannedJob]
) -> None:
    """Store planned jobs; a job already there gets the new due time, pending again unless sent."""
    await conn.executemany(
        "INSERT INTO meeting_jobs (meeting_id, action_id, kind, lead, priority, due_at, detail)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (meeting_id, action_id, kind, lead) DO UPDATE"
        " SET due_at = excluded.due_at, detail = excluded.detail, state = 'pending',"
        " finished_at = NULL WHERE meeting_jobs.state IN ('pending', 'skipped')",
        [
            (
                meeting_id,
                j.action_id,
                j.kind.value,
                j.lead,
                PRIORITY[j.kind],
                iso(j.due_at),
                j.detail,
            )
            for j in jobs
        ],
    )


class MeetingRepository:
    """Store and read meetings, answers and action items."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        details: MeetingDetails,
        created_by: int,
        jobs: list[PlannedJob],
        *,
        series_id: int | None = None,
        finishing_job: int | None = None,
    ) -> Meeting:
        """Store a meeting and its jobs in one transaction (and mark the job that made it done)."""
        now = iso(datetime.now(UTC))
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO meetings (series_id, title, starts_at, ends_at, zone, place, link,"
                " agenda, audience, recurrence, created_by, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    series_id,
                    details.title,
                    iso(details.starts_at),
                    iso(details.ends_at),
                    details.zone,
                    details.place,
                    details.link,
                    details.agenda,
                    details.audience,
                    details.recurrence,
                    created_by,
                    now,
                    now,
                ),
            )
            meeting_id = cursor.lastrowid
            assert meeting_id is not None
            await insert_jobs(conn, meeting_id, jobs)
            if finishing_job is not None:
                await conn.execute(
                    "UPDATE meeting_jobs SET state = 'done', finished_at = ? WHERE id = ?",
                    (now, finishing_job),
                )
        meeting = await self.get(meeting_id)
        assert meeting is not None
        return meeting

    async def get(self, meeting_id: int) -> Meeting | None:
        """Return a meeting, if it exists."""
        row = await self._db.fetch_one(
            f"SELECT {MEETING_COLUMNS} FROM meetings WHERE id = ?",  # noqa: S608 - constant
            (meeting_id,),
        )
        return meeting_of(row) if row else None

    async def update(
        self, meeting_id: int, details: MeetingDetails, jobs: list[PlannedJob]
    ) -> Meeting:
        """Change a meeting, bump its sequence, and replan its timed jobs, in one transaction.

        Reminders already sent stay sent; pending ones move with the meeting, or are skipped
        when the new plan has no place for them.
        """
        now = iso(datetime.now(UTC))
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE meetings SET title = ?, starts_at = ?, ends_at = ?, place = ?, link = ?,"
                " agenda = ?, audience = ?, recurrence = ?, sequence = sequence + 1,"
                " updated_at = ? WHERE id = ?",
                (
                    details.title,
                    iso(details.starts_at),
                    iso(details.ends_at),
                    details.place,
                    details.link,
                    details.agenda,
                    details.audience,
                    details.recurrence,
                    now,
                    meeting_id,
                ),
            )
            await conn.execute(
                "UPDATE meeting_jobs SET state = 'skipped', finished_at = ? WHERE meeting_id = ?"
                " AND state = 'pending' AND kind IN ('reminder', 'agenda', 'next')",
                (now, meeting_id),
            )
            await insert_jobs(conn, meeting_id, jobs)
        meeting = await self.get(meeting_id)
        assert meeting is not None
        return meeting

    async def cancel(self, meeting_id: int, job: PlannedJob) -> Meeting:
        """Cancel a meeting: skip its pending sends (a series goes on) and queue the notice."""
        now = iso(datetime.now(UTC))
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE meetings SET status = 'cancelled', sequence = sequence + 1,"
                " updated_at = ? WHERE id = ?",
                (now, meeting_id),
            )
            await conn.execute(
                "UPDATE meeting_jobs SET state = 'skipped', finished_at = ? WHERE meeting_id = ?"
                " AND state = 'pending' AND kind <> 'next'",
                (now, meeting_id),
            )
            await insert_jobs(conn, meeting_id, [job])
        meeting = await self.get(meeting_id)
        assert meeting is not None
        return meeting

    async def visible_to(
        self, user_id: int, now: datetime, limit: int = 10
    ) -> list[tuple[Meeting, Rsvp | None]]:
        """Return upcoming meetings a user is invited to or answered, with their answer."""
        rows = await self._db.fetch_all(VISIBLE_SQL, (user_id, iso(now), limit))
        return [(meeting_of(tuple(row)[:-1]), Rsvp(row[-1]) if row[-1] else None) for row in rows]

    async def invited(self, meeting_id: int, user_id: int) -> bool:
        """Tell whether a meeting's audience takes in this user."""
        row = await self._db.fetch_one(
            f"SELECT {AUDIENCE_SQL} FROM meetings m JOIN users u ON u.id = ?"  # noqa: S608
            " WHERE m.id = ?",
            (user_id, meeting_id),
        )
        return bool(row and row[0])

    async def for_officers(self, now: datetime, since: datetime, limit: int = 20) -> list[Meeting]:
        """Return meetings still to come, and those held since `since` without minutes."""
        rows = await self._db.fetch_all(
            f"SELECT {MEETING_COLUMNS} FROM meetings WHERE status = 'scheduled'"  # noqa: S608
            " AND (starts_at > ? OR starts_at > ?) ORDER BY starts_at, id LIMIT ?",
            (iso(now), iso(since), limit),
        )
        return [meeting_of(row) for row in rows]

    async def previous_start(self, meeting: Meeting) -> datetime | None:
        """Return when the last meeting before this one (not cancelled) started."""
        row = await self._db.fetch_one(
            "SELECT MAX(starts_at) FROM meetings WHERE status <> 'cancelled'"
            " AND starts_at < ? AND id <> ?",
            (iso(meeting.starts_at), meeting.id),
        )
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def set_rsvp(self, meeting_id: int, user_id: int, answer: Rsvp) -> None:
        """Store (or change) a user's answer."""
        await self._db.execute(
            "INSERT INTO meeting_rsvps (meeting_id, user_id, answer, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (meeting_id, user_id) DO UPDATE"
            " SET answer = excluded.answer, updated_at = excluded.updated_at",
            (meeting_id, user_id, answer.value, iso(datetime.now(UTC))),
        )

    async def rsvp_of(self, meeting_id: int, user_id: int) -> Rsvp | None:
        """Return a user's answer, if any."""
        row = await self._db.fetch_one(
            "SELECT answer FROM meeting_rsvps WHERE meeting_id = ? AND user_id = ?",
            (meeting_id, user_id),
        )
        return Rsvp(row[0]) if row else None

    async def counts(self, meeting_id: int) -> RsvpCounts:
        """Return how many answered what, and the organisations of those attending."""
        rows = await self._db.fetch_all(
            "SELECT answer, COUNT(*) FROM meeting_rsvps WHERE meeting_id = ? GROUP BY answer",
            (meeting_id,),
        )
        organisations = await self._db.fetch_all(
            "SELECT DISTINCT TRIM(u.organisation) FROM meeting_rsvps r JOIN users u"
            " ON u.id = r.user_id WHERE r.meeting_id = ? AND r.answer = 'attend'"
            " AND TRIM(COALESCE(u.organisation, '')) <> '' ORDER BY 1 COLLATE NOCASE",
            (meeting_id,),
        )
        return RsvpCounts(
            **{str(answer): int(count) for answer, count in rows},
            organisations=tuple(str(row[0]) for row in organisations),
        )

    async def close(
        self,
        meeting_id: int,
        record: MeetingRecord,
        plan: Callable[[int, NewActionItem], list[PlannedJob]],
    ) -> Meeting | None:
        """Record minutes, attendance, organisations and action items (with their jobs) at once.

        Return None if the meeting was not waiting for its minutes (cancelled, or recorded).
        """
        now = iso(datetime.now(UTC))
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE meetings SET status = 'held', minutes = ?, attendance = ?,"
                " organisations = ?, closed_at = ?, updated_at = ?"
                " WHERE id = ? AND status = 'scheduled'",
                (
                    record.minutes,
                    record.attendance,
                    json.dumps(list(record.organisations)),
                    now,
                    now,
                    meeting_id,
                ),
            )
            if cursor.rowcount != 1:
                return None
            for item in record.actions:
                cursor = await conn.execute(
                    "INSERT INTO action_items (meeting_id, what, owner_id, due_on, recorded_by,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        meeting_id,
                        item.what,
                        item.owner_id,
                        item.due_on.isoformat(),
                        record.recorded_by,
                        now,
                    ),
                )
                action_id = cursor.lastrowid
                assert action_id is not None
                await conn.execute(
                    "INSERT OR IGNORE INTO action_item_reports (action_id, report_id)"
                    " SELECT ?, id FROM reports WHERE reference IN"
                    " (SELECT value FROM json_each(?))",
                    (action_id, json.dumps(list(item.references))),
                )
                await insert_jobs(conn, meeting_id, plan(action_id, item))
        return await self.get(meeting_id)

    async def actions_of(self, meeting_id: int) -> list[ActionItem]:
        """Return the action items agreed at a meeting."""
        rows = await self._db.fetch_all(
            f"{ACTION_SQL} WHERE a.meeting_id = ? ORDER BY a.id", (meeting_id,)
        )
        return [action_of(row) for row in rows]

    async def action(self, action_id: int) -> ActionItem | None:
        """Return an action item, if it exists."""
        row = await self._db.fetch_one(f"{ACTION_SQL} WHERE a.id = ?", (action_id,))
        return action_of(row) if row else None

    async def open_actions(self, limit: int = 30) -> list[ActionItem]:
        """Return action items not done yet, the earliest due first."""
        rows = await self._db.fetch_all(
            f"{ACTION_SQL} WHERE a.done_at IS NULL ORDER BY a.due_on, a.id LIMIT ?", (limit,)
        )
        return [action_of(row) for row in rows]

    async def complete_action(
        self, action_id: int, done_by: int, outcome: str, job: PlannedJob | None
    ) -> bool:
        """Mark an item done with its outcome (and queue telling the reporters); False if done."""
        now = iso(datetime.now(UTC))
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE action_items SET done_at = ?, done_by = ?, outcome = ?"
                " WHERE id = ? AND done_at IS NULL",
                (now, done_by, outcome, action_id),
            )
            if cursor.rowcount != 1:
                return False
            await conn.execute(
                "UPDATE meeting_jobs SET state = 'skipped', finished_at = ? WHERE action_id = ?"
                " AND state = 'pending'",
                (now, action_id),
            )
            if job is not None:
                rows = await conn.execute_fetchall(
                    "SELECT meeting_id FROM action_items WHERE id = ?", (action_id,)
                )
                await insert_jobs(conn, int(next(iter(rows))[0]), [job])
        return True

    async def user_by_handle(self, handle: str) -> tuple[int, str] | None:
        """Return (id, name) of a registered user by @username or numeric id."""
        text = handle.strip().removeprefix("@")
        if text.lstrip("-").isdigit():
            row = await self._db.fetch_one(
                "SELECT id, first_name, last_name FROM users WHERE id = ?", (int(text),)
            )
        else:
            row = await self._db.fetch_one(
                "SELECT id, first_name, last_name FROM users WHERE username = ? COLLATE NOCASE",
                (text,),
            )
        if row is None:
            return None
        return int(row[0]), " ".join(part for part in (row[1], row[2]) if part)

    async def report_ids(self, references: Iterable[str]) -> dict[str, int]:
        """Return the ids of the reports with these references (unknown ones left out)."""
        wanted = list(references)
        if not wanted:
            return {}
        rows = await self._db.fetch_all(
            "SELECT reference, id FROM reports WHERE reference IN (SELECT value FROM json_each(?))",
            (json.dumps(wanted),),
        )
        return {str(row[0]): int(row[1]) for row in rows}

    async def references_for(self, action_id: int, user_id: int) -> list[str]:
        """Return the references of an item's reports this user filed or added their voice to."""
        rows = await self._db.fetch_all(
            "SELECT r.reference FROM action_item_reports x JOIN reports r ON r.id = x.report_id"
            " WHERE x.action_id = ? AND (r.reporter_id = ? OR EXISTS (SELECT 1 FROM report_voices"
            " v WHERE v.report_id = r.id AND v.user_id = ?)) ORDER BY r.reference",
            (action_id, user_id, user_id),
        )
        return [str(row[0]) for row in rows]


async def erase_user(conn: aiosqlite.Connection, user_id: int, pseudonym: int) -> None:
    """Pseudonymise the user's id; drop their organisation from meetings unless others share it."""
    for column in ("created_by",):
        await conn.execute(
            f"UPDATE meetings SET {column} = ? WHERE {column} = ?",  # noqa: S608 - a constant
            (pseudonym, user_id),
        )
    for column in ("recorded_by", "done_by"):
        await conn.execute(
            f"UPDATE action_items SET {column} = ? WHERE {column} = ?",  # noqa: S608 - constants
            (pseudonym, user_id),
        )
    async with conn.execute(
        "SELECT organisation FROM users u WHERE id = ? AND organisation IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM users o WHERE o.id != u.id"
        " AND LOWER(TRIM(o.organisation)) = LOWER(TRIM(u.organisation)))",
        (user_id,),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return
    own = str(row[0]).strip().casefold()
    async with conn.execute(
        "SELECT id, organisations FROM meetings WHERE organisations != '[]'"
    ) as cursor:
        meetings = list(await cursor.fetchall())
    for meeting_id, stored in meetings:
        names = json.loads(stored or "[]")
        kept = [name for name in names if str(name).strip().casefold() != own]
        if len(kept) != len(names):
            await conn.execute(
                "UPDATE meetings SET organisations = ? WHERE id = ?",
                (json.dumps(kept), meeting_id),
            )
