"""Start-up and health checks: the SQLite version, and check-db's verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

import storage.backups
from bot.__main__ import main
from storage.backups import sqlite_version_problem
from storage.db import Database


def test_sqlite_older_than_3_38_is_named_with_what_is_needed() -> None:
    assert sqlite_version_problem((3, 38, 0)) == ""
    assert sqlite_version_problem((3, 45, 1)) == ""
    problem = sqlite_version_problem((3, 37, 2))
    assert "SQLite 3.37.2 is too old" in problem
    assert "3.38.0 or newer" in problem


def test_every_command_exits_2_on_an_old_sqlite(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(storage.backups, "SQLITE_MINIMUM", (99, 0, 0))
    assert main(["migrate"]) == 2
    assert "too old" in capsys.readouterr().err


async def test_check_db_says_ok_for_a_sound_database_and_1_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "feedback.db"
    monkeypatch.setenv("DATABASE_PATH", str(database))
    args = ["--env-file", str(tmp_path / "absent.env"), "check-db"]

    assert main(args) == 1
    assert "no database" in capsys.readouterr().err

    db = await Database.open(database)
    await db.close()
    assert main(args) == 0
    assert capsys.readouterr().out.strip() == f"{database}: ok"

    database.write_bytes(b"not a database at all" * 100)
    assert main(args) == 1
    assert "cannot read" in capsys.readouterr().err
