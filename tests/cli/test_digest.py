"""`feedback-bot demo-data` and `feedback-bot digest` as an officer runs them from a shell."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
    env["DATABASE_PATH"] = str(tmp_path / "demo.db")
    return subprocess.run(
        [sys.executable, "-m", "bot", "--env-file", str(tmp_path / "none.env"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_demo_data_then_digest_as_text_and_xlsx(tmp_path: Path) -> None:
    made = _cli(tmp_path, "demo-data", "--reports", "200", "--seed", "5")
    assert made.returncode == 0, made.stderr
    assert "200 reports" in made.stdout
    assert "surveys" in made.stdout and "/digest month" in made.stdout  # says what it made
    assert "no such features" not in made.stdout
    last = datetime.now(UTC).date()
    first = last - timedelta(days=60)
    text = _cli(tmp_path, "digest", "--from", f"{first}", "--to", f"{last}", "--language", "es")
    assert text.returncode == 0, text.stderr
    assert "Informes" in text.stdout or "informes" in text.stdout
    out = tmp_path / "digest.xlsx"
    sheet = _cli(
        tmp_path,
        "digest",
        "--from",
        f"{first}",
        "--to",
        f"{last}",
        "--format",
        "xlsx",
        "--out",
        str(out),
    )
    assert sheet.returncode == 0, sheet.stderr
    workbook = load_workbook(out, read_only=True)
    assert {"Reports", "KPIs"} <= set(workbook.sheetnames)


def test_digest_refuses_bad_dates_with_one_line(tmp_path: Path) -> None:
    result = _cli(tmp_path, "digest", "--from", "2026-13-01", "--to", "2026-12-01")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "2026-13-01" in result.stderr
