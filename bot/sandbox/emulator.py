"""The Bot API emulator's HTTP server: routing, request parsing and the JSON envelope."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterable
from functools import partial
from types import TracebackType

from aiohttp import web

from bot.sandbox.core import SandboxCore
from bot.sandbox.errors import ApiError, JsonDict, not_found
from bot.sandbox.faults import DroppedConnection
from bot.sandbox.params import Params, read_params

_dumps = partial(json.dumps, ensure_ascii=False)
_MIB = 1024 * 1024


class BotApiEmulator(SandboxCore):
    """An HTTP server on 127.0.0.1 that answers like api.telegram.org.

    Point python-telegram-bot at it with
    ``.base_url(emu.base_url).base_file_url(emu.file_base_url)``; drive it with
    simulated users from :meth:`add_user` / :meth:`add_group`.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        bot_username: str = "customs_feedback_bot",
        bot_first_name: str = "Customs Feedback Bot",
        tokens: Iterable[str] | None = None,
        limits_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Configure the server; ``port=0`` picks a free port when started."""
        super().__init__(
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            tokens=tokens,
            limits_clock=limits_clock,
        )
        self.host = host
        self.port = port
        self.downloads: list[str] = []
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Return the server root, e.g. ``http://127.0.0.1:8081``."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Return the Bot API base URL for PTB (the token is appended)."""
        return f"{self.url}/bot"

    @property
    def file_base_url(self) -> str:
        """Return the file download base URL for PTB (the token is appended)."""
        return f"{self.url}/file/bot"

    @property
    def running(self) -> bool:
        """Return whether the server is listening."""
        return self._runner is not None

    async def start(self) -> None:
        """Start listening (idempotent)."""
        if self._runner is not None:
            return
        self.hub.closing = False
        app = web.Application(client_max_size=self.rules.max_upload_bytes + _MIB)
        app.router.add_get("/", self._handle_index)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = int(sock.getsockname()[1])
        await web.SockSite(runner, sock).start()
        self._runner = runner

    async def stop(self) -> None:
        """Stop webhook delivery and the server, releasing long-polling requests."""
        self.hub.closing = True
        await self.hub.close()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> BotApiEmulator:
        """Start the server for an ``async with`` block."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the server at the end of an ``async with`` block."""
        await self.stop()

    # ----------------------------------------------------------------- handlers

    @staticmethod
    def _json(body: JsonDict, status: int = 200) -> web.Response:
        return web.json_response(body, status=status, dumps=_dumps)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        """Answer one Bot API call with Telegram's envelope."""
        token = request.match_info["token"]
        method = request.match_info["method"]
        try:
            params = await read_params(request, self.rules.max_upload_bytes)
        except ApiError as error:
            self._record(method, Params({}), time.time(), error)
            return self._json(error.envelope(), error.error_code)

        def client_gone() -> bool:
            transport = request.transport
            return transport is None or transport.is_closing()

        try:
            reply = await self.invoke(token, method, params, client_gone=client_gone)
        except ApiError as error:
            return self._json(error.envelope(), error.error_code)
        except DroppedConnection:
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)
        body: JsonDict = {"ok": True, "result": reply.result}
        if reply.description:
            body["description"] = reply.description
        return self._json(body)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        """Serve a file's bytes at ``/file/bot<token>/<file_path>``."""
        self._busy(+1)
        try:
            self.identity(request.match_info["token"])
            stored = self.world.files.by_path(request.match_info["path"])
        except ApiError:
            stored = None
        finally:
            self._busy(-1)
        if stored is None:
            return self._json(not_found().envelope(), 404)
        self.downloads.append(stored.path)
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.data, content_type=content_type)

    async def _handle_index(self, request: web.Request) -> web.StreamResponse:
        """Describe the emulator at the server root."""
        return self._json(
            {
                "ok": True,
                "result": {
                    "emulator": "Telegram Bot API emulator (Customs Feedback Bot sandbox)",
                    "base_url": self.base_url,
                    "file_base_url": self.file_base_url,
                    "bot_username": self.bot_username,
                    "users": len(self.sim_users),
                    "groups": len(self.sim_chats),
                },
            }
        )

    async def _handle_unknown(self, request: web.Request) -> web.StreamResponse:
        """Answer any other path like Telegram: 404 Not Found."""
        return self._json(not_found().envelope(), 404)
