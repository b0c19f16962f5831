"""Shared fixtures: settings from a dict, a fresh migrated database, a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings, settings_from
from storage.db import Database
from tests.fakes import Clock

SettingsFactory = Callable[..., Settings]


@pytest.fixture
def make_settings(tmp_path: Path) -> SettingsFactory:
    """Return a factory of settings that never reads the environment."""

    def factory(**values: Any) -> Settings:
        base: dict[str, Any] = {
            "bot_token": "123456:TEST-token_abc",
            "database_path": tmp_path / "feedback.db",
            "log_format": "text",
            "api_rate_limit": 0,
            "flood_limit": "off",  # tests/e2e/test_flood.py sets it
        }
        base.update(values)
        return settings_from(base)

    return factory


@pytest.fixture
async def fresh_db(tmp_path: Path) -> AsyncIterator[Database]:
    """Yield a new database with every migration applied."""
    db = await Database.open(tmp_path / "fresh.db")
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture
def clock() -> Clock:
    """Return a clock standing at the real present until the test moves it."""
    return Clock()
