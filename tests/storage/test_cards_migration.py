"""Upgrading to 0013: stored attachments keep loading, and gain captions and coordinates."""

from __future__ import annotations

from pathlib import Path

from bot.reporting.model import AttachmentKind
from storage.db import Database, bundled_migrations
from storage.reporting import ReportRepository

AT = "2026-03-01T10:00:00+00:00"


async def test_attachments_stored_before_0013_still_load(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "old.db", migrate=False)
    try:
        await db.migrate([m for m in bundled_migrations() if m.number < 13])
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO users (id, first_name, language, created_at, updated_at)"
                " VALUES (1, 'U', 'en', ?, ?)",
                (AT, AT),
            )
            await conn.execute(
                "INSERT INTO reports (reference, reporter_id, draft_key, kind, description,"
                " language, status, created_at, updated_at) VALUES ('R-2026-00001', 1, 'k',"
                " 'issue', 'Held', 'en', 'new', ?, ?)",
                (AT, AT),
            )
            await conn.execute(
                "INSERT INTO report_attachments (report_id, position, kind, file_id,"
                " file_unique_id) VALUES (1, 0, 'photo', 'f', 'u')"
            )
        await db.migrate()
        report = await ReportRepository(db).get(1)
        assert report is not None
        (photo,) = report.attachments
        assert photo.kind is AttachmentKind.PHOTO and photo.caption is None
        assert photo.latitude is None and photo.duration is None
    finally:
        await db.close()
