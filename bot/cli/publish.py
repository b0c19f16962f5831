"""`feedback-bot publish --out DIR`: the bulletins as static pages for the administration's website.

Like bot/__main__.py, this composes storage for the command line.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.bulletins.text import Words, chart, page
from bot.core.i18n import Translator
from config.settings import Settings

EXIT_OK = 0
EXIT_USAGE = 2


async def publish_command(
    db_path: Path, out: Path, settings: Settings, *, stdout: TextIO | None = None
) -> int:
    """Write bulletin.<language>.html and chart.<language>.png per language, and index.html."""
    sink = stdout or sys.stdout
    if not await asyncio.to_thread(db_path.exists):
        sys.stderr.write(f"No database at {db_path}.\n")
        return EXIT_USAGE
    from config.reference_data import load_taxonomy
    from storage.bulletins import BulletinRepository
    from storage.db import Database

    translate = Translator.from_directory(default=settings.default_language)
    taxonomy = load_taxonomy(settings.config_dir)
    db = await Database.open(db_path)
    try:
        bulletins = await BulletinRepository(db).published()
    finally:
        await db.close()
    try:
        await asyncio.to_thread(out.mkdir, parents=True, exist_ok=True)
        for language in translate.languages:
            words = Words(translate, taxonomy, language)
            png = await asyncio.to_thread(chart, bulletins, words) if bulletins else None
            if png is not None:
                await asyncio.to_thread(Path(out, f"chart.{language}.png").write_bytes, png)
            html = page(bulletins, words, png, translate.languages)
            target = Path(out, f"bulletin.{language}.html")
            await asyncio.to_thread(target.write_text, html, encoding="utf-8")
            if language == translate.default:
                await asyncio.to_thread(Path(out, "index.html").write_text, html, encoding="utf-8")
    except OSError as problem:
        sys.stderr.write(f"Cannot write to {out}: {problem.strerror}.\n")
        return EXIT_USAGE
    sink.write(
        f"{out}: {len(bulletins)} published bulletins, a page and a chart in each of"
        f" {', '.join(translate.languages)} (index.html is {translate.default}).\n"
    )
    return EXIT_OK
