"""Helpers for the meetings tests: users, reports, and meeting details on a test database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.meetings.model import MeetingDetails
from bot.reporting.model import Report
from storage.db import Database
from tests import records


async def add_user(
    db: Database,
    user_id: int,
    *,
    language: str = "en",
    role: str | None = "trader",
    organisation: str | None = None,
    staff: str | None = None,
    username: str | None = None,
    onboarded: bool = True,
) -> None:
    """Register a user, onboarded by default."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    await db.execute(
        "INSERT INTO users (id, first_name, username, language, business_role, organisation,"
        " staff_role, onboarding_step, privacy_accepted_at, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            user_id,
            f"User{user_id}",
            username,
            language,
            role,
            organisation,
            staff,
            None if onboarded else "language",
            now if onboarded else None,
            now,
            now,
        ),
    )


async def add_report(
    db: Database, reporter: int | None, key: str, *, anonymous: bool = False, **extra: object
) -> Report:
    """Store a report by a user (named unless told otherwise)."""
    return await records.add_report(db, reporter, key, anonymous=anonymous, **extra)


def details(start: datetime, **changes: object) -> MeetingDetails:
    """Return meeting details starting at `start`, an hour long, in Madrid."""
    values: dict[str, object] = {
        "title": "Quarterly consultation",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        "zone": "Europe/Madrid",
        "place": "Customs House, room 2",
        "link": "https://meet.example.org/consult",
        "agenda": "1. Port scanner queues\n2. New declaration system",
    }
    values.update(changes)
    return MeetingDetails.model_validate(values)
