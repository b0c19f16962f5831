"""`feedback-bot health`: exit 0 if the bot is healthy, 1 if not (the container's HEALTHCHECK).

With HEALTH_PORT set it asks the running bot's /healthz (all checks, Telegram included; a bot
that does not answer is unhealthy). Without it, it checks the database directly, as /healthz
does: a quick_check, a write rolled back at once, and the backlog (Telegram is not judged).
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from typing import Any

from bot.core.clock import utc_now
from config.settings import Settings
from handlers.kit.health import HEALTH_PATH, HealthCheck
from storage.backups import quick_check
from storage.db import Database
from storage.health import HealthQueries

ASK_TIMEOUT = 10.0  # seconds: the bot's own probe gives the database 3
ANY_ADDRESS = {"0.0.0.0", "::", ""}  # noqa: S104 - recognised, not bound


def health(settings: Settings) -> int:
    """Print the findings as JSON; return 0 if healthy, 1 if not."""
    if settings.health_port is not None:
        healthy, findings = ask_bot(settings.health_host, settings.health_port)
    else:
        import asyncio

        healthy, findings = asyncio.run(check_database(settings))
    print(json.dumps(findings, indent=2), file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def ask_bot(host: str, port: int) -> tuple[bool, dict[str, Any]]:
    """Ask the running bot's /healthz; a bot that does not answer is unhealthy."""
    address = "127.0.0.1" if host in ANY_ADDRESS else host
    url = f"http://{address}:{port}{HEALTH_PATH}"
    try:
        with urllib.request.urlopen(url, timeout=ASK_TIMEOUT) as answer:
            return True, json.loads(answer.read())
    except urllib.error.HTTPError as refusal:
        body = refusal.read()
        try:
            return False, json.loads(body)
        except ValueError:
            return False, {"status": "unhealthy", "error": f"HTTP {refusal.code}"}
    except (OSError, ValueError) as problem:
        return False, {"status": "unhealthy", "error": f"bot not answering on {url}: {problem}"}


async def check_database(settings: Settings) -> tuple[bool, dict[str, Any]]:
    """Check the database file itself: sound, writable (rolled back), and its backlog."""
    path = settings.database_path
    verdict = quick_check(path)
    if verdict != "ok":
        return False, {"status": "unhealthy", "database": {"writable": False, "error": verdict}}
    db = await Database.open(path, migrate=False)
    try:
        check = HealthCheck(
            HealthQueries(db), telegram_age=lambda: None, clock=utc_now, polling=False
        )
        findings = await check.run()
    finally:
        await db.close()
    return findings.healthy, {**findings.as_json(), "telegram": None}
