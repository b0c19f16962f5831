"""Recurring issues: open reports about the same thing, and traders adding their voice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core import similarity as recurring
from bot.core.clock import Clock, utc_now
from bot.core.taxonomy import OTHER_OFFICE
from bot.reporting.model import Attachment, Report

MAX_REMEMBERED = 20_000  # open reports' embeddings kept (2 KB each)


class AlikeStore(Protocol):
    """What finding recurring issues needs from storage."""

    async def open_alike(
        self, topic: str, office: str | None, since: datetime, exclude_reporter: int
    ) -> list[Report]: ...
    async def add_voice(
        self,
        report_id: int,
        user_id: int,
        comment: str | None,
        language: str,
        *,
        anonymous: bool = True,
        attachments: tuple[Attachment, ...] = (),
    ) -> bool: ...
    async def voices(self, report_id: int) -> int: ...
    async def get(self, report_id: int) -> Report | None: ...


@dataclass(frozen=True)
class Match:
    """An open report about the same thing, and how many traders are behind it."""

    report: Report
    size: int  # the report itself plus every voice added to it

    @property
    def listed_office(self) -> str | None:
        """Return the report's office if it is one from the list, else None.

        This is all of the place other traders may see: a place the reporter typed ("Another
        place") can name them, and anonymous reports must not.
        """
        office = self.report.office
        return None if office in (None, OTHER_OFFICE) else office

    @property
    def typed_place(self) -> bool:
        """Tell whether the reporter typed the place instead of choosing an office."""
        return self.report.office == OTHER_OFFICE


class RecurringIssues:
    """Find open reports about the same thing (same topic, same place, similar text)."""

    def __init__(
        self,
        store: AlikeStore,
        window_days: int = 30,
        threshold: float = recurring.SIMILARITY_THRESHOLD,
        clock: Clock = utc_now,
        embed: recurring.Embed | None = None,
    ) -> None:
        self._store = store
        self._embed = embed
        self._vectors: dict[int, recurring.Vector] = {}  # open reports' embeddings, by id
        self._window = timedelta(days=window_days)
        self._threshold = threshold
        self._clock = clock

    async def find(
        self, reporter_id: int, topic: str | None, office: str | None, text: str, language: str
    ) -> Match | None:
        """Return the most similar open report of someone else, if one is about the same thing."""
        if not topic:
            return None
        mine = recurring.signature(text, language)
        best: tuple[float, Report] | None = None
        since = self._clock() - self._window
        candidates = await self._store.open_alike(topic, office, since, reporter_id)
        meanings = await self._meanings(text, candidates)
        for candidate in candidates:
            theirs = (
                frozenset(candidate.keywords.split())
                if candidate.keywords is not None
                else recurring.signature(candidate.description, candidate.language)
            )
            words = recurring.similarity(mine, theirs)
            score = recurring.likeness(
                words * recurring.SIMILARITY_THRESHOLD / self._threshold, meanings.get(candidate.id)
            )
            if score >= 1.0 and (best is None or score > best[0]):
                best = (score, candidate)
        if best is None:
            return None
        return Match(best[1], await self.size(best[1].id))

    async def _meanings(self, text: str, candidates: list[Report]) -> dict[int, float]:
        """Return the embedding similarity of the text to each candidate (none without embed)."""
        if self._embed is None or not candidates:
            return {}
        if len(self._vectors) > MAX_REMEMBERED:
            self._vectors.clear()  # closed and old reports: start over (a batch rebuilds it)
        fresh = [c for c in candidates if c.id not in self._vectors]
        vectors = await self._embed([text, *(c.description for c in fresh)])
        if not vectors:  # the encoder is still loading: words only this time
            return {}
        for candidate, vector in zip(fresh, vectors[1:], strict=True):
            self._vectors[candidate.id] = vector
        open_ids = {c.id for c in candidates}
        return {
            report_id: recurring.cosine(vectors[0], vector)
            for report_id, vector in self._vectors.items()
            if report_id in open_ids
        }

    async def add_voice(
        self,
        report_id: int,
        user_id: int,
        comment: str | None,
        language: str,
        *,
        anonymous: bool = True,
        attachments: tuple[Attachment, ...] = (),
    ) -> Match:
        """Add a trader's "same here" (their text as comment, their files) to an open report;
        officers see who they are only if they did not choose to stay anonymous."""
        report = await self._store.get(report_id)
        if report is None or not report.status.is_open:
            raise LookupError(report_id)
        await self._store.add_voice(
            report_id, user_id, comment, language, anonymous=anonymous, attachments=attachments
        )
        return Match(report, await self.size(report_id))

    async def size(self, report_id: int) -> int:
        """Return how many traders stand behind a report (its reporter plus voices)."""
        return 1 + await self._store.voices(report_id)
