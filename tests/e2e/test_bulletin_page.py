"""`feedback-bot publish`: the static pages open in headless Chromium with no request leaving
the page, in each language, the latest bulletin first, the archive below, and print clean."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from bot.__main__ import main
from bot.bulletins.model import Headline, Item, ItemKind, Month
from storage.bulletins import BulletinRepository
from storage.db import Database
from tests.e2e.conftest import T
from tests.e2e.test_browser import browser, chromium  # noqa: F401 - the browser fixtures

if TYPE_CHECKING:
    from playwright.async_api import Browser, Request

OUTCOME = "A second inspection lane now opens at 06:00 at the port."


def _record(seen: list[str], request: Request) -> None:
    seen.append(request.url)


async def _published(database: Path) -> None:
    db = await Database.open(database)
    try:
        store = BulletinRepository(db)
        for first, reports in ((date(2026, 10, 1), 41), (date(2026, 11, 1), 57)):
            items = [
                Item(
                    kind=ItemKind.ISSUE,
                    topic="release_delays",
                    office="PORT-MAIN",
                    traders=7,
                    outcome=OUTCOME,
                ),
                Item(kind=ItemKind.NOTICE, outcome="New rules", texts={"es": "Nuevas reglas"}),
            ]
            figures = Headline(reports=reports, resolved_in_time=9, resolved_measured=12)
            made = await store.create(Month(first=first), figures, items, datetime.now(UTC))
            assert await store.publish(made.id, 1, datetime.now(UTC))
    finally:
        await db.close()


async def test_the_pages_render_offline_in_each_language(
    tmp_path: Path,
    browser: Browser,  # noqa: F811 - the fixture imported above
) -> None:
    database, out = tmp_path / "feedback.db", tmp_path / "site"
    await _published(database)
    env = tmp_path / "test.env"
    env.write_text(f"DATABASE_PATH={database}\nLOG_FORMAT=text\n", encoding="utf-8")
    command = ["--env-file", str(env), "publish", "--out", str(out)]
    assert await asyncio.to_thread(main, command) == 0  # the CLI runs its own event loop
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "bulletin.en.html",
        "bulletin.es.html",
        "bulletin.ru.html",
        "chart.en.png",
        "chart.es.png",
        "chart.ru.png",
        "index.html",
    ]
    for lang in ("en", "es", "ru"):
        page = await browser.new_page()
        requests: list[str] = []
        page.on("request", partial(_record, requests))
        await page.goto((out / f"bulletin.{lang}.html").as_uri())
        assert await page.locator("h1").inner_text() == T(lang, "bulletin.page_title")
        articles = page.locator("article")
        assert await articles.count() == 2  # the latest, then the archive
        assert "2026-11" in (await articles.first.get_attribute("id") or "")
        assert OUTCOME in await articles.first.inner_text()
        assert ("Nuevas reglas" if lang == "es" else "New rules") in await page.content()
        width = await page.locator("figure img").evaluate("img => img.naturalWidth")
        assert width > 0  # the chart is drawn from the page itself
        await page.emulate_media(media="print")
        assert not await page.locator("nav").is_visible()  # printable: no language links
        external = [url for url in requests if not url.startswith(("file:", "data:"))]
        assert not external, external
        await page.close()
    assert (out / "index.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
