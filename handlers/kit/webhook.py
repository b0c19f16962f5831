"""The webhook server: checks the secret and the size before reading a body, then stores it."""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from handlers.kit.context import BotApplication
from handlers.kit.health import HEALTH_PATH, health_endpoint
from handlers.kit.received import UpdateInbox

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
CHUNK = 64 * 1024


@dataclass
class WebhookCounts:
    """What the server did: bodies read and requests refused, by reason."""

    bytes_read: int = 0
    accepted: int = 0
    forbidden: int = 0
    too_large: int = 0
    malformed: int = 0


class WebhookServer:
    """An aiohttp server that hands Telegram's updates to the update inbox.

    Telegram's updates are small: a body is read only after the secret header matched and
    only up to `max_body` bytes, so nobody can make the bot hold a large upload in memory.
    The 200 (after which Telegram forgets the update) is sent only once the update is stored.
    """

    def __init__(
        self, app: BotApplication, inbox: UpdateInbox, *, url: str, secret: str, max_body: int
    ) -> None:
        self._app = app
        self._inbox = inbox
        self._url = url
        self._path = "/" + urlsplit(url).path.lstrip("/")
        self._secret_text = secret
        self._secret = secret.encode()
        self._max_body = max_body
        self._runner: web.AppRunner | None = None
        self.counts = WebhookCounts()

    async def start(self, listen: str, port: int) -> int:
        """Listen on listen:port (0: any free port), set the webhook; return the port bound."""
        web_app = web.Application(client_max_size=self._max_body)
        web_app.router.add_post(self._path, self._receive)
        web_app.router.add_get(HEALTH_PATH, health_endpoint(self._app))
        # lingering_time 0: an unread body is not drained after the answer; the connection closes.
        self._runner = web.AppRunner(web_app, access_log=None, lingering_time=0.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, listen, port)
        await site.start()
        bound = self._runner.addresses[0][1]
        log.info("webhook server listening", extra={"listen": listen, "port": bound})
        await self._app.bot.set_webhook(
            self._url, secret_token=self._secret_text, allowed_updates=Update.ALL_TYPES
        )
        return int(bound)

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        """Answer one POST: 403 without the secret, 413 too large, 400 not an update, else 200."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self.counts.forbidden += 1
            return _closing(403)
        length = request.content_length
        if length is not None and length > self._max_body:
            self.counts.too_large += 1
            return _closing(413)
        body = await self._read_capped(request)
        if body is None:
            self.counts.too_large += 1
            return _closing(413)
        parsed = self._parse(body)
        if parsed is None:
            self.counts.malformed += 1
            return web.Response(status=400)
        await self._inbox.receive([parsed])  # stored before the 200: safe from a kill -9
        self.counts.accepted += 1
        return web.Response(status=200)

    async def _read_capped(self, request: web.Request) -> bytes | None:
        """Return the body, or None as soon as it grows past the limit (chunked bodies too)."""
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_chunked(CHUNK):
            size += len(chunk)
            self.counts.bytes_read += len(chunk)
            if size > self._max_body:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    def _parse(self, body: bytes) -> tuple[Update, str] | None:
        """Return the update in a JSON body (and its JSON to store), or None if it is not one."""
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return None
        try:
            update = Update.de_json(data, self._app.bot)
        except (KeyError, TypeError, ValueError):
            return None
        return update, json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _closing(status: int) -> web.Response:
    """Return an answer after which the connection closes (its body is never read)."""
    response = web.Response(status=status)
    response.force_close()
    return response
