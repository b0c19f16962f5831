"""`feedback-bot health` without HEALTH_PORT, from a shell: it checks the database itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from storage.db import Database


def health(database: Path) -> subprocess.CompletedProcess[str]:
    """Run `feedback-bot health` on a database; return the finished process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEALTH_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "--env-file", "/nonexistent.env", "health"],
        env={**env, "DATABASE_PATH": str(database)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_a_sound_writable_database_is_healthy_with_its_backlog(tmp_path: Path) -> None:
    database = tmp_path / "feedback.db"
    db = await Database.open(database)
    await db.close()

    done = health(database)

    assert done.returncode == 0, done.stderr
    findings = json.loads(done.stdout)
    assert findings["status"] == "ok"
    assert findings["database"] == {"writable": True, "error": None}
    assert findings["backlog"] == {"notice_copies_due": 0, "meeting_sends_due": 0}
    assert findings["telegram"] is None  # only the running bot knows


def test_a_missing_or_unreadable_database_is_unhealthy(tmp_path: Path) -> None:
    database = tmp_path / "feedback.db"

    missing = health(database)
    assert missing.returncode == 1
    assert "no database" in missing.stderr
    assert not database.exists()  # the check never creates one

    database.write_bytes(b"not a database at all" * 100)
    garbage = health(database)
    assert garbage.returncode == 1
    assert '"status": "unhealthy"' in garbage.stderr
