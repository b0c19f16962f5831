"""SORTING_ENCODER=false: the bot sorts by lexicons and naive Bayes, and never loads the encoder."""

from __future__ import annotations

from bot.sorting.service import SortingService
from storage.db import Database
from storage.reporting import ReportRepository


async def test_without_the_encoder_reports_are_still_sorted_but_never_embedded(
    fresh_db: Database,
) -> None:
    sorting = SortingService(ReportRepository(fresh_db), encoder=False)
    await sorting.settled()
    result = await sorting.classify("The truck waited three days at the border post", "en")
    assert result.topic == "release_delays"
    assert await sorting.embed(["The truck waited three days"]) == []
    await sorting.stop()


async def test_with_the_encoder_similar_reports_get_embeddings(fresh_db: Database) -> None:
    sorting = SortingService(ReportRepository(fresh_db))
    await sorting.settled()
    (row,) = await sorting.embed(["The truck waited three days"])
    assert len(row) == 512
