"""Settings: defaults, parsing, and one clear line for each invalid key."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from config.settings import SettingsError, load_settings, settings_from


def test_defaults_and_admin_ids_parse(tmp_path: Path) -> None:
    settings = settings_from({"database_path": tmp_path / "x.db", "admin_ids": " 11, 22 ,33"})
    assert settings.admin_ids == frozenset({11, 22, 33})
    assert settings.timezone.key == "UTC"
    assert settings.default_language == "en"
    assert settings.bot_api_url == "https://api.telegram.org/bot"


def test_token_is_secret_in_repr(tmp_path: Path) -> None:
    settings = settings_from({"database_path": tmp_path / "x.db", "bot_token": "42:SECRETVALUE"})
    assert "SECRETVALUE" not in repr(settings)
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == "42:SECRETVALUE"


def test_database_folder_is_created(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "feedback.db"
    settings_from({"database_path": target})
    assert target.parent.is_dir()


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"admin_ids": "12,abc"}, "ADMIN_IDS"),
        ({"timezone": "Mars/Olympus"}, "TIMEZONE"),
        ({"bot_token": "not-a-token"}, "BOT_TOKEN"),
        ({"default_language": "fr"}, "DEFAULT_LANGUAGE"),
        ({"webhook_url": "https://example.org/hook"}, "WEBHOOK_SECRET"),
        ({"webhook_url": "https://e.org/h", "webhook_secret": "bad secret!"}, "WEBHOOK_SECRET"),
        ({"digest_schedule": "weekly 08:00"}, "DIGEST_SCHEDULE"),
        ({"overdue_summary": "at noon"}, "OVERDUE_SUMMARY"),
        ({"service_levels": "high=1d/2d"}, "SERVICE_LEVELS"),
        ({"invite_ttl": "soon"}, "INVITE_TTL"),
        ({"satisfaction_reask": "0s"}, "SATISFACTION_REASK"),
        ({"delivery_grace": "5"}, "DELIVERY_GRACE"),
        ({"webhook_max_body": "1 GB"}, "WEBHOOK_MAX_BODY"),
        ({"webhook_max_body": "100MB"}, "WEBHOOK_MAX_BODY"),
        ({"webhook_max_body": "12"}, "WEBHOOK_MAX_BODY"),
    ],
)
def test_invalid_values_name_the_key(tmp_path: Path, values: dict[str, str], key: str) -> None:
    with pytest.raises(SettingsError) as caught:
        settings_from({"database_path": tmp_path / "x.db", **values})
    assert len(caught.value.lines) == 1
    assert caught.value.lines[0].startswith(f"Invalid setting {key}:")


@pytest.mark.parametrize(
    ("text", "size"), [("65536", 65536), ("512KB", 512 * 1024), ("2 mb", 2 * 1024 * 1024)]
)
def test_webhook_body_limit_is_read_in_bytes_kb_or_mb(tmp_path: Path, text: str, size: int) -> None:
    settings = settings_from({"database_path": tmp_path / "x.db", "webhook_max_body": text})
    assert settings.webhook_max_body == size
    assert settings_from({"database_path": tmp_path / "x.db"}).webhook_max_body == 1024 * 1024


def test_env_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / "bot.env"
    env.write_text(f"TIMEZONE=Europe/Madrid\nDATABASE_PATH={tmp_path / 'e.db'}\n")
    monkeypatch.delenv("TIMEZONE", raising=False)
    monkeypatch.delenv("DATABASE_PATH", raising=False)
    assert load_settings(env).timezone.key == "Europe/Madrid"


def _cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "ADMIN_", "WEBHOOK_"))
    }
    clean.update({"DATABASE_PATH": str(tmp_path / "cli.db"), **env})
    return subprocess.run(
        [sys.executable, "-m", "bot", "--env-file", str(tmp_path / "none.env"), *args],
        capture_output=True,
        text=True,
        env=clean,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({}, "BOT_TOKEN"),
        ({"BOT_TOKEN": "1:a", "TIMEZONE": "Nowhere/Land"}, "TIMEZONE"),
        ({"BOT_TOKEN": "1:a", "ADMIN_IDS": "1,two"}, "ADMIN_IDS"),
    ],
)
def test_cli_exits_2_with_one_line(tmp_path: Path, env: dict[str, str], key: str) -> None:
    result = _cli(tmp_path, "run", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Invalid setting {key}:")
    assert "Traceback" not in result.stderr


def test_cli_unwritable_database_path(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = _cli(tmp_path, "run", BOT_TOKEN="1:a", DATABASE_PATH=str(blocker / "f.db"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Invalid setting DATABASE_PATH:"), result.stderr


def test_example_env_documents_every_key_and_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    from config import CONFIG_DIR
    from config.settings import Settings

    example = CONFIG_DIR / "example.env"
    text = example.read_text()
    for name in Settings.model_fields:
        assert f"\n{name.upper()}=" in text, f"{name.upper()} is not documented in example.env"
        monkeypatch.delenv(name.upper(), raising=False)
    settings = load_settings(example)
    assert settings.webhook_url is None and settings.bot_token is not None


def test_file_url_follows_a_changed_api_url(tmp_path: Path) -> None:
    moved = settings_from(
        {"database_path": tmp_path / "x.db", "bot_api_url": "http://127.0.0.1:81/bot"}
    )
    assert moved.bot_api_file_url == "http://127.0.0.1:81/file/bot"
    both = settings_from(
        {
            "database_path": tmp_path / "x.db",
            "bot_api_url": "http://127.0.0.1:81/bot",
            "bot_api_file_url": "http://files.local/file/bot",
        }
    )
    assert both.bot_api_file_url == "http://files.local/file/bot"


def test_schedules_and_durations_are_read(tmp_path: Path) -> None:
    settings = settings_from(
        {
            "database_path": tmp_path / "x.db",
            "digest_schedule": "daily 07:00:30; monthly 2 09:00",
            "invite_ttl": "90s",
            "overdue_summary": "",
            "service_levels": "high=30s/1m, normal=1d/10d, low=2d/20d",
        }
    )
    assert [s.every.value for s in settings.digest_schedule] == ["daily", "monthly"]
    assert settings.invite_ttl.total_seconds() == 90
    assert settings.overdue_summary is None
    assert settings.service_levels["high"].acknowledge.total_seconds() == 30


def test_env_strings_are_parsed_once_into_typed_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = tmp_path / "typed.env"
    env.write_text(
        f"DATABASE_PATH={tmp_path / 't.db'}\nTIMEZONE=America/Bogota\n"
        "DIGEST_SCHEDULE=daily 07:00\nOVERDUE_SUMMARY=daily 09:15\n"
        "SERVICE_LEVELS=high=1h/1d, normal=1d/10d, low=2d/20d\n"
        "QUIET_HOURS=22:00-07:00\nCONSULTATION_PERIODS=1d, 2d\n"
        "MEETING_REMINDERS=1h, 1d\n"
    )
    for key in (
        "TIMEZONE",
        "DATABASE_PATH",
        "DIGEST_SCHEDULE",
        "OVERDUE_SUMMARY",
        "SERVICE_LEVELS",
        "QUIET_HOURS",
        "COMMENT_PERIODS",
        "MEETING_REMINDERS",
    ):
        monkeypatch.delenv(key, raising=False)
    settings = load_settings(env)
    assert settings.timezone.key == "America/Bogota"
    assert [s.every.value for s in settings.digest_schedule] == ["daily"]
    assert settings.overdue_summary is not None and settings.overdue_summary.at.minute == 15
    assert settings.service_levels["high"].acknowledge == timedelta(hours=1)
    assert settings.quiet_hours is not None and settings.quiet_hours.start.hour == 22
    assert settings.comment_periods == (timedelta(days=1), timedelta(days=2))
    assert settings.meeting_reminders == (timedelta(days=1), timedelta(hours=1))
