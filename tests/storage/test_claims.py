"""Claims: one table for every send the bot makes on its own, and the upgrade that fills it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from storage.claims import Claims
from storage.db import Database, bundled_migrations
from storage.digests.queries import DigestRepository
from storage.followup.repository import FollowUpRepository
from storage.notices.repository import NoticeRepository

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


async def test_a_claim_is_taken_once_per_kind_key_and_recipient(fresh_db: Database) -> None:
    claims = Claims(fresh_db)
    assert await claims.claim("digest", "2026-W47", 42, NOW)
    assert not await claims.claim("digest", "2026-W47", 42, NOW)
    assert await claims.claim("digest", "2026-W47", 43, NOW)
    assert await claims.claim("digest", "2026-W48", 42)
    assert await claims.claim("notice_summary", "2026-W47", 42)


async def test_the_upgrade_keeps_what_was_sent_claimed(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "old.db", migrate=False)
    try:
        before = [m for m in bundled_migrations() if m.number < 9]
        await db.migrate(before)
        notice = await NoticeRepository(db).create_draft(1, "text")
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO digest_deliveries (period_key, officer_id, delivered_at)"
                " VALUES ('2026-W47', 42, ?)",
                (NOW.isoformat(),),
            )
            await conn.execute(
                "INSERT INTO notice_summaries (notice_id, recipient_id, claimed_at)"
                " VALUES (?, 42, ?)",
                (notice.id, NOW.isoformat()),
            )
            await conn.execute(
                "INSERT INTO scheduled_sends (kind, key, recipient_id, claimed_at)"
                " VALUES ('overdue_summary', '2026-11-30', 42, ?)",
                (NOW.isoformat(),),
            )
        applied = [m.number for m in await db.migrate()]
        assert applied[:1] == [9]  # claims first, then any later ones
        digests, notices = DigestRepository(db), NoticeRepository(db)
        followup = FollowUpRepository(db)
        # Nothing already sent is sent again...
        assert not await digests.record_delivery("2026-W47", 42)
        assert not await notices.claim_summary(notice.id, 42, NOW)
        assert not await followup.claim("overdue_summary", "2026-11-30", 42, NOW)
        # ...and what was not sent still goes.
        assert await digests.record_delivery("2026-W47", 43)
        assert await notices.claim_summary(notice.id, 43, NOW)
        assert await followup.claim("overdue_summary", "2026-12-01", 42, NOW)
        old = await db.fetch_all(
            "SELECT name FROM sqlite_master"
            " WHERE name IN ('digest_deliveries', 'notice_summaries', 'scheduled_sends')"
        )
        assert old == []
    finally:
        await db.close()
