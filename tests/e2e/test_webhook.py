"""Webhook mode: updates arrive with the secret; strangers, floods and garbage are refused."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest

from bot.app import WEBHOOK_KEY
from bot.sandbox import BotApiEmulator
from config.settings import Settings
from handlers.kit.context import BotApplication
from handlers.kit.webhook import CHUNK, SECRET_HEADER, WebhookServer
from tests.conftest import SettingsFactory
from tests.e2e.conftest import ADMIN_ID, onboard, said

pytestmark = pytest.mark.telegram_limits  # Telegram's limits on (issue #14)

SECRET = "s3cr3t_T0ken-x"
LIMIT = 64 * 1024
FLOOD = 5 * 1024 * 1024
ASK = said("en", "onboarding.ask_language")


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_bytes() -> int:
    """Return this process's resident memory."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096


@pytest.fixture
def hook_settings(make_settings: SettingsFactory, bot_settings: Settings) -> Settings:
    """Return settings that run the bot behind its webhook server, limited to 64 KB bodies."""
    port = free_port()
    return make_settings(
        bot_api_url=bot_settings.bot_api_url,
        bot_api_file_url=bot_settings.bot_api_file_url,
        admin_ids=str(ADMIN_ID),
        webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        webhook_secret=SECRET,
        webhook_port=port,
        webhook_max_body="64KB",
        api_rate_limit=bot_settings.api_rate_limit,  # paced as the test's marker says
    )


@pytest.fixture
async def hooked(start_bot: Callable[..., Any], hook_settings: Settings) -> BotApplication:
    """Run the bot in webhook mode."""
    app: BotApplication = await start_bot(hook_settings)
    return app


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """Yield an HTTP client for the test's own requests."""
    async with aiohttp.ClientSession() as client:
        yield client


async def post(
    session: aiohttp.ClientSession, url: str, body: Any, secret: str | None = SECRET
) -> int | None:
    """POST a body; return the status, or None if the server closed the connection first."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    try:
        async with session.post(url, data=body, headers=headers) as response:
            return response.status
    except (aiohttp.ClientError, ConnectionError):
        return None


async def flood(url: str, total: int, *, secret: str | None, declared: bool) -> int | None:
    """Stream a `total`-byte body piece by piece (the client holds one piece at a time), with
    its Content-Length or chunked, until answered; return the status (None: no answer)."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    answer = asyncio.create_task(reader.readline())
    head = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.netloc}"]
    head += [f"Content-Length: {total}" if declared else "Transfer-Encoding: chunked"]
    head += [f"{SECRET_HEADER}: {secret}"] if secret is not None else []
    piece = b"x" * CHUNK
    try:
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        for _ in range(total // CHUNK):
            if answer.done():
                break
            writer.write(piece if declared else b"%x\r\n%b\r\n" % (len(piece), piece))
            await writer.drain()
            await asyncio.sleep(0)
        status = await answer
        return int(status.split()[1]) if status else None
    except ConnectionError:
        return None
    finally:
        answer.cancel()
        writer.close()


def server_of(app: BotApplication) -> WebhookServer:
    """Return the running webhook server."""
    server = app.bot_data[WEBHOOK_KEY]
    assert isinstance(server, WebhookServer)
    return server


async def test_updates_arrive_through_the_webhook_and_strangers_get_403(
    emulator: BotApiEmulator,
    hooked: BotApplication,
    hook_settings: Settings,
    session: aiohttp.ClientSession,
) -> None:
    user = emulator.add_user(first_name="Ana", language_code="en")
    await onboard(user, "en")
    assert emulator.webhook_deliveries and all(d.ok for d in emulator.webhook_deliveries)
    url = hook_settings.webhook_url
    assert url is not None
    update = b'{"update_id": 1}'
    assert await post(session, url, update, secret=None) == 403
    assert await post(session, url, update, secret="wrong") == 403
    assert server_of(hooked).counts.bytes_read < 4 * LIMIT  # the refused bodies were not read


async def test_malformed_json_with_the_secret_gets_400_and_the_bot_carries_on(
    emulator: BotApiEmulator,
    hooked: BotApplication,
    hook_settings: Settings,
    session: aiohttp.ClientSession,
) -> None:
    url = hook_settings.webhook_url
    assert url is not None
    for garbage in (b"{not json", b"[1, 2]", b'{"update_id": "x"}', b"\xff\xfe"):
        assert await post(session, url, garbage) == 400
    user = emulator.add_user(first_name="Bo", language_code="en")
    await user.send("/start")
    await user.wait_for_message(said("en", "onboarding.ask_language"))


async def test_twenty_parallel_floods_are_refused_unread_and_memory_stays_flat(
    emulator: BotApiEmulator,
    hooked: BotApplication,
    hook_settings: Settings,
    session: aiohttp.ClientSession,
) -> None:
    url = hook_settings.webhook_url
    assert url is not None
    before = rss_bytes()
    attempts = [flood(url, FLOOD, secret=SECRET, declared=True) for _ in range(8)]  # too large
    attempts += [flood(url, FLOOD, secret=None, declared=True) for _ in range(6)]  # no secret
    attempts += [flood(url, FLOOD, secret=SECRET, declared=False) for _ in range(6)]  # cut off
    statuses = await asyncio.gather(*attempts)
    grown = rss_bytes() - before
    assert set(statuses) <= {403, 413, None}
    assert statuses.count(403) + statuses.count(413) >= 10  # most got their answer
    counts = server_of(hooked).counts
    assert counts.accepted == 0
    assert counts.bytes_read <= 6 * (LIMIT + CHUNK)  # only the chunked ones, up to the limit
    assert grown < 40 * 1024 * 1024, f"memory grew by {grown // 1024 // 1024} MiB"
    user = emulator.add_user(first_name="Cy", language_code="en")
    await user.send("/start")  # the bot still answers
    await user.wait_for_message(said("en", "onboarding.ask_language"))


async def test_a_webhook_delivery_repeated_is_answered_200_and_handled_once(
    emulator: BotApiEmulator,
    hooked: BotApplication,
    hook_settings: Settings,
    session: aiohttp.ClientSession,
) -> None:
    user = emulator.add_user(first_name="Ana", language_code="en")
    await user.send("/start")
    await user.wait_for_message(ASK)
    url = hook_settings.webhook_url
    assert url is not None
    again = json.dumps(emulator.hub.history[-1]).encode()
    assert await post(session, url, again) == 200  # stored (it was already): Telegram may forget
    await user.send("/help")
    await user.wait_for_message("What you can do")
    assert sum(ASK in m.content for m in user.messages) == 1
