"""Supporters in storage: their files and anonymity, who follows a report, withdrawing, and
upgrading a database whose voices predate migration 0012."""

from __future__ import annotations

from pathlib import Path

from bot.reporting.model import Attachment, AttachmentKind, Following
from storage.db import Database, bundled_migrations
from storage.erasure import UserErasure
from storage.reporting import ReportRepository
from tests.records import new_report, register_users

PHOTO = Attachment(kind=AttachmentKind.PHOTO, file_id="AgAC-photo", file_unique_id="u1")


async def test_a_support_keeps_its_files_and_anonymity_and_is_withdrawn_whole(
    fresh_db: Database,
) -> None:
    await register_users(fresh_db, 1, 2, 3)
    reports = ReportRepository(fresh_db)
    report, _ = await reports.create(new_report(1, "k"))
    assert await reports.add_voice(report.id, 2, "ours too", "es", attachments=(PHOTO,))
    assert await reports.add_voice(report.id, 3, "same", "en", anonymous=False)
    quiet, named = await reports.supports(report.id)
    assert (quiet.user_id, quiet.anonymous, quiet.attachments) == (2, True, (PHOTO,))
    assert (named.user_id, named.anonymous, named.attachments) == (3, False, ())
    followers = await reports.followers(report.id)
    assert [(f.user_id, f.following) for f in followers] == [
        (1, Following.REPORTER), (2, Following.SUPPORTER), (3, Following.SUPPORTER),
    ]  # fmt: skip
    page, total, supported = await reports.for_follower(2, 0, 5)
    assert ([r.id for r in page], total, supported) == ([report.id], 1, frozenset({report.id}))
    assert await reports.follow_counts(2) == (0, 1)
    assert await reports.withdraw_voice(report.id, 2)
    assert not await reports.withdraw_voice(report.id, 2)
    assert [s.user_id for s in await reports.supports(report.id)] == [3]
    files = await fresh_db.fetch_one("SELECT COUNT(*) FROM report_voice_attachments")
    assert files is not None and files[0] == 0


async def test_erasing_a_supporter_keeps_the_support_counted_without_text_or_files(
    fresh_db: Database,
) -> None:
    await register_users(fresh_db, 1, 2)
    reports = ReportRepository(fresh_db)
    report, _ = await reports.create(new_report(1, "k"))
    await reports.add_voice(report.id, 2, "ours too", "es", anonymous=False, attachments=(PHOTO,))
    await UserErasure(fresh_db).erase(2)
    (support,) = await reports.supports(report.id)
    assert (support.user_id, support.comment, support.attachments) == (None, "[erased]", ())
    assert [f.user_id for f in await reports.followers(report.id)] == [1]


async def test_voices_from_before_0012_become_anonymous_supports(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "old.db", migrate=False)
    try:
        await db.migrate([m for m in bundled_migrations() if m.number < 12])
        await register_users(db, 1, 2)
        reports = ReportRepository(db)
        await db.execute(  # as that schema stored it (today's repository writes newer columns)
            "INSERT INTO reports (id, reference, reporter_id, draft_key, kind, description,"
            " language, status, created_at, updated_at) VALUES (1, 'R-2026-00001', 1, 'k',"
            " 'issue', 'Held at the border', 'en', 'new', '2026-11-01T09:00:00+00:00',"
            " '2026-11-01T09:00:00+00:00')"
        )
        await db.execute(
            "INSERT INTO report_voices (report_id, user_id, comment, language, created_at)"
            " VALUES (1, 2, 'same here', 'en', '2026-11-01T10:00:00+00:00')"
        )
        await db.migrate()
        (support,) = await reports.supports(1)
        assert (support.user_id, support.comment, support.anonymous) == (2, "same here", True)
        assert support.attachments == ()
    finally:
        await db.close()
