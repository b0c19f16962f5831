"""Upgrading to one open form per user: comment waits and notice drafts become forms."""

from __future__ import annotations

from pathlib import Path

from bot.core.conversations import Flow
from bot.notices.composer import NoticeForm
from storage.conversations import ConversationRepository
from storage.db import Database, bundled_migrations

OLD, NEW = "2026-03-01T10:00:00+00:00", "2026-03-01T11:00:00+00:00"


async def test_comment_waits_and_notice_drafts_move_to_forms_and_newest_wins(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "old.db", migrate=False)
    try:
        migrations = bundled_migrations()
        await db.migrate([m for m in migrations if m.number < 8])
        async with db.transaction() as conn:
            for uid in (1, 2, 3, 4):
                await conn.execute(
                    "INSERT INTO users (id, first_name, language, created_at, updated_at)"
                    " VALUES (?, 'U', 'en', ?, ?)",
                    (uid, OLD, OLD),
                )
            for author, status in ((1, "sent"), (1, "draft"), (3, "draft"), (4, "draft")):
                await conn.execute(
                    "INSERT INTO notices (author_id, status, step, created_at, updated_at)"
                    " VALUES (?, ?, 'text', ?, ?)",
                    (author, status, NEW, NEW),
                )
            await conn.execute(
                "INSERT INTO notice_comment_drafts (user_id, notice_id, updated_at)"
                " VALUES (2, 1, ?)",
                (NEW,),
            )
            # user 3 started a report after their notice draft; user 4 before it
            await conn.execute(
                "INSERT INTO conversations VALUES (3, 'report', '{}', '2026-03-01T12:00:00+00:00')"
            )
            await conn.execute("INSERT INTO conversations VALUES (4, 'report', '{}', ?)", (OLD,))
        await db.migrate()
        forms = ConversationRepository(db)
        admin, trader, later, earlier = [await forms.get(uid) for uid in (1, 2, 3, 4)]
        assert admin is not None and admin.flow is Flow.NOTICE
        assert NoticeForm.model_validate_json(admin.data) == NoticeForm(notice_id=2)
        assert trader is not None and trader.flow is Flow.COMMENT and trader.data == "1"
        assert later is not None and later.flow is Flow.REPORT  # the newer form stays
        assert earlier is not None and earlier.flow is Flow.NOTICE
        table = await db.fetch_one(
            "SELECT name FROM sqlite_master WHERE name = 'notice_comment_drafts'"
        )
        assert table is None
        drafts = await db.fetch_one("SELECT COUNT(*) FROM notices WHERE status = 'draft'")
        assert drafts is not None and drafts[0] == 3  # the drafts themselves are kept
    finally:
        await db.close()
