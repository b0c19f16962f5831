"""The sandbox web chat: a page that looks like Telegram, talking to the emulator's personas."""

from __future__ import annotations

import json
import socket
from collections.abc import Awaitable, Callable
from functools import partial
from importlib import resources
from typing import Any
from urllib.parse import quote, urlsplit

from aiohttp import web

from bot.sandbox.errors import JsonDict
from bot.sandbox.files import StoredFile
from bot.sandbox.personas import InvalidPersona, Persona, PersonaBook
from bot.sandbox.users import SimUser
from bot.sandbox.webview import ChatFeed, Event

MAX_TEXT_LENGTH = 4096
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
HEARTBEAT_SECONDS = 15.0
ASSETS = {
    "app.js": "text/javascript",
    "app.css": "text/css",
}
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
FILE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
_dumps = partial(json.dumps, ensure_ascii=False)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class SandboxWeb:
    """Serve the web chat for the personas of one emulator."""

    def __init__(self, personas: PersonaBook, *, bot_name: str = "Customs Feedback Bot") -> None:
        """Prepare the app; nothing listens until :meth:`start`."""
        self.personas = personas
        self.emulator = personas.emulator
        self.bot_name = bot_name
        self.host = "127.0.0.1"
        self.port = 0
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._assets = {name: _asset(name) for name in (*ASSETS, "index.html")}

    @property
    def url(self) -> str:
        """Return the page's address."""
        return f"http://{self.host}:{self.port}"

    def application(self) -> web.Application:
        """Build the aiohttp application with every route."""
        app = web.Application(
            client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024, middlewares=[self._same_origin]
        )
        app.router.add_get("/", self._page)
        app.router.add_get("/static/{name}", self._static)
        app.router.add_get("/api/personas", self._list_personas)
        app.router.add_post("/api/personas", self._create_persona)
        app.router.add_get("/api/stream", self._stream)
        app.router.add_post("/api/chats/{persona}/messages", self._send_text)
        app.router.add_post("/api/chats/{persona}/files", self._send_file)
        app.router.add_post("/api/chats/{persona}/press", self._press)
        app.router.add_get("/api/files/{file_id}", self._download)
        app.on_response_prepare.append(_secure_headers)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (0 = any free port)."""
        self._closing = False
        runner = web.AppRunner(
            self.application(), handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            sock.close()
            await runner.cleanup()
            raise
        self.host, self.port = host, int(sock.getsockname()[1])
        await web.SockSite(runner, sock).start()
        self._runner = runner

    async def stop(self) -> None:
        """End the live streams and stop listening."""
        self._closing = True
        self.emulator.world.notify()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @web.middleware
    async def _same_origin(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Refuse other sites' requests: a foreign Host (DNS rebinding) or a foreign Origin."""
        local = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        origin = request.headers.get("Origin")
        if request.host not in local or (
            origin is not None and urlsplit(origin).netloc != request.host
        ):
            return _error(403, "requests from other sites are refused")
        return await handler(request)

    # ------------------------------------------------------------------- pages

    async def _page(self, request: web.Request) -> web.StreamResponse:
        """Serve the chat page."""
        return _bytes(self._assets["index.html"], "text/html")

    async def _static(self, request: web.Request) -> web.StreamResponse:
        """Serve one of the page's scripts, styles or icons."""
        name = request.match_info["name"]
        if name not in ASSETS:
            raise web.HTTPNotFound()
        return _bytes(self._assets[name], ASSETS[name])

    # ---------------------------------------------------------------- personas

    async def _list_personas(self, request: web.Request) -> web.StreamResponse:
        """List the personas and the bot's name."""
        personas = [persona.api() for persona in self.personas.all()]
        bot = {"name": self.bot_name, "username": self.emulator.bot_username}
        return _json({"personas": personas, "bot": bot})

    async def _create_persona(self, request: web.Request) -> web.StreamResponse:
        """Create a persona from ``{"name", "language"}``."""
        body = await _json_body(request)
        try:
            persona = self.personas.create(str(body.get("name", "")), str(body.get("language", "")))
        except InvalidPersona as problem:
            return _error(400, str(problem))
        return _json(persona.api(), status=201)

    def _persona(self, request: web.Request) -> tuple[Persona, SimUser]:
        raw = request.match_info["persona"]
        persona = self.personas.get(int(raw)) if raw.isdigit() else None
        if persona is None:
            raise _not_found(f"no persona {raw}")
        return persona, self.emulator.user(persona.id)

    # ------------------------------------------------------------------ acting

    async def _send_text(self, request: web.Request) -> web.StreamResponse:
        """Type a message as the persona."""
        _, user = self._persona(request)
        text = str((await _json_body(request)).get("text", "")).strip()
        if not text or len(text) > MAX_TEXT_LENGTH:
            return _error(400, f"a message of 1 to {MAX_TEXT_LENGTH} characters is needed")
        sent = await user.send(text)
        return _json({"message_id": sent["message_id"]})

    async def _send_file(self, request: web.Request) -> web.StreamResponse:
        """Send an uploaded file as the persona: images as photos, anything else as documents."""
        _, user = self._persona(request)
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            return _error(400, "no file in the form field 'file'")
        data = upload.file.read()
        if not data:
            return _error(400, "the file is empty")
        caption = str(form.get("caption") or "").strip() or None
        mime = upload.content_type or "application/octet-stream"
        if mime in INLINE_TYPES and form.get("as") != "document":
            sent = await user.send_photo(data, caption=caption)
        else:
            name = upload.filename or "file"
            sent = await user.send_document(data, filename=name, mime_type=mime, caption=caption)
        return _json({"message_id": sent["message_id"]})

    async def _press(self, request: web.Request) -> web.StreamResponse:
        """Press an inline button (``message_id`` + ``data``) or a reply button (``text``)."""
        _, user = self._persona(request)
        body = await _json_body(request)
        try:
            if body.get("data") is not None:
                message_id = int(body.get("message_id") or 0)
                await user.press(data=str(body["data"]), message=message_id)
            else:
                await user.press(str(body.get("text", "")))
        except (AssertionError, ValueError) as problem:
            return _error(409, str(problem).splitlines()[0])
        return _json({"ok": True})

    # ------------------------------------------------------------------ files

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """Serve a file from a chat: images inline, anything else as a download."""
        stored = self.emulator.world.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        mime = _sniffed_type(stored)
        name = stored.filename or stored.path.rsplit("/", 1)[-1]
        inline = mime in INLINE_TYPES and "download" not in request.query
        disposition = "inline" if inline else "attachment"
        response = _bytes(stored.data, mime)
        response.headers["Content-Disposition"] = (
            f"{disposition}; filename*=UTF-8''{quote(name, safe='')}"
        )
        response.headers["Content-Security-Policy"] = FILE_POLICY
        return response

    # ------------------------------------------------------------------ stream

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        """Stream the chats named by ``?chat=ID`` (repeated) as server-sent events."""
        feeds: list[ChatFeed] = []
        for raw in request.query.getall("chat", []):
            persona = self.personas.get(int(raw)) if raw.isdigit() else None
            if persona is None:
                raise _not_found(f"no persona {raw}")
            feeds.append(ChatFeed(self.emulator, persona.id, persona.language))
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        await response.write(b"retry: 1000\n\n")
        for feed in feeds:
            await _send_events(response, feed.snapshot())
        await _send_events(response, [("ready", {"chats": [feed.chat_id for feed in feeds]})])
        signal = self.emulator.world.signal

        def news() -> bool:
            changed = [feed.gather() for feed in feeds]
            return self._closing or any(changed)

        try:
            while not self._closing:
                if await signal.wait_until(news, HEARTBEAT_SECONDS):
                    for feed in feeds:
                        await _send_events(response, feed.take())
                else:
                    await response.write(b": ping\n\n")
        except ConnectionResetError:
            pass  # the page was closed
        return response


def _asset(name: str) -> bytes:
    return resources.files("bot.sandbox.webapp").joinpath(name).read_bytes()


async def _send_events(response: web.StreamResponse, events: list[Event]) -> None:
    if events:
        chunks = [f"event: {name}\ndata: {_dumps(data)}\n\n" for name, data in events]
        await response.write("".join(chunks).encode())


def _sniffed_type(stored: StoredFile) -> str:
    """Return the file's real image type if its bytes say so, else its declared type."""
    data = stored.data
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    declared = stored.mime_type or "application/octet-stream"
    return "application/octet-stream" if declared in INLINE_TYPES else declared


async def _secure_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text=_dumps({"error": "expected a JSON object"})) from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text=_dumps({"error": "expected a JSON object"}))
    return body


def _json(body: JsonDict, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=_dumps)


def _not_found(message: str) -> web.HTTPNotFound:
    return web.HTTPNotFound(text=_dumps({"error": message}), content_type="application/json")


def _error(status: int, message: str) -> web.Response:
    return _json({"error": message}, status)


def _bytes(data: bytes, content_type: str) -> web.Response:
    textual = content_type.startswith("text/") or content_type.endswith(("json", "xml", "+svg"))
    charset = "utf-8" if textual else None
    response = web.Response(body=data, content_type=content_type, charset=charset)
    response.headers["Cache-Control"] = "no-cache"
    return response
