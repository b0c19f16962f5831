"""Automatic backups as the handlers see them: take one now, learn how it went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class BackupOutcome:
    """One backup taken: where it is, SQLite's verdict on it, the old ones pruned."""

    path: Path
    verdict: str
    pruned: tuple[Path, ...] = ()

    @property
    def ok(self) -> bool:
        """Tell whether the copy passed SQLite's integrity check."""
        return self.verdict == "ok"


class Backups(Protocol):
    """A place that keeps the last few checked copies of the database."""

    async def take(self, now: datetime) -> BackupOutcome:
        """Copy the live database, check the copy, prune the oldest; say how it went."""
        ...
