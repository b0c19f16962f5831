"""The sandbox web chat over real HTTP: personas, messages, buttons, files, live events, safety."""

from __future__ import annotations

import asyncio
import html
import json
import re
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity

from bot.app import build_application, running
from bot.sandbox import BotApiEmulator, make_png
from bot.sandbox.demo import HISTORY_PER_REPORT
from bot.sandbox.personas import LUCIA, SAM, PersonaBook
from bot.sandbox.runner import TOKEN, run_sandbox, sandbox_settings
from bot.sandbox.web import SandboxWeb
from bot.sandbox.webview import sanitise_html
from tests.conftest import SettingsFactory
from tests.e2e.conftest import T, language_label, said

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
Event = tuple[str, dict[str, Any]]


class EventReader:
    """Read server-sent events from the page's live stream."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response
        self.seen: list[Event] = []

    async def next(self) -> Event:
        name, data = "message", ""
        while True:
            line = (await self.response.content.readline()).decode().rstrip("\n")
            if not line:
                if data:
                    self.seen.append((name, json.loads(data)))
                    return self.seen[-1]
                continue
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data += line[6:]

    async def wait_for(
        self, name: str, check: Callable[[dict[str, Any]], bool] = lambda _: True
    ) -> dict[str, Any]:
        """Return the next event of this name that passes the check (10 s at most)."""
        async with asyncio.timeout(10):
            while True:
                kind, data = await self.next()
                if kind == name and check(data):
                    return data

    async def bot_says(self, text: str) -> dict[str, Any]:
        """Return the next bot message whose visible text contains ``text``."""
        return await self.wait_for(
            "message", lambda m: m["from"] == "bot" and text in _visible(m["html"])
        )


def _visible(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


@dataclass
class WebChat:
    web: SandboxWeb
    emulator: BotApiEmulator
    http: aiohttp.ClientSession
    streams: list[aiohttp.ClientResponse]

    async def stream(self, *persona_ids: int) -> EventReader:
        query = "&".join(f"chat={pid}" for pid in persona_ids)
        response = await self.http.get(f"/api/stream?{query}")
        self.streams.append(response)
        assert response.headers["Content-Type"] == "text/event-stream"
        reader = EventReader(response)
        await reader.wait_for("ready")
        return reader

    async def say(self, persona_id: int, text: str) -> None:
        async with self.http.post(f"/api/chats/{persona_id}/messages", json={"text": text}) as r:
            assert r.status == 200, await r.text()

    async def press(self, persona_id: int, **body: object) -> aiohttp.ClientResponse:
        async with self.http.post(f"/api/chats/{persona_id}/press", json=body) as response:
            await response.read()
            return response

    async def press_label(self, persona_id: int, message: dict[str, Any], label: str) -> None:
        data = next(b["data"] for row in message["buttons"] for b in row if b["text"] == label)
        response = await self.press(persona_id, message_id=message["id"], data=data)
        assert response.status == 200


@pytest.fixture
async def chat(make_settings: SettingsFactory, tmp_path: Path) -> AsyncIterator[WebChat]:
    """Run the emulator, the bot and the web chat (personas kept in a file)."""
    async with BotApiEmulator() as emulator:
        settings = make_settings(
            bot_api_url=emulator.base_url,
            bot_api_file_url=emulator.file_base_url,
            admin_ids=str(SAM.id),
        )
        async with running(build_application(settings)):
            web = SandboxWeb(PersonaBook(emulator, tmp_path / "personas.json"))
            await web.start()
            try:
                async with aiohttp.ClientSession(base_url=web.url) as http:
                    page = WebChat(web, emulator, http, [])
                    yield page
                    for stream in page.streams:
                        stream.close()
            finally:
                await web.stop()
        emulator.assert_no_violations()


async def onboard(chat: WebChat, events: EventReader) -> None:
    """Take Lucía through /start by pressing buttons and typing, as the page does."""
    await chat.say(LUCIA.id, "/start")
    question = await events.bot_says(said("es", "onboarding.ask_language"))
    await chat.press_label(LUCIA.id, question, language_label("es", "es"))
    question = await events.bot_says(said("es", "onboarding.ask_role"))
    await chat.press_label(LUCIA.id, question, T("es", "role.trader"))
    await events.bot_says(said("es", "onboarding.ask_organisation"))
    await chat.say(LUCIA.id, "Frutas del Sur S.L.")
    question = await events.bot_says(said("es", "onboarding.ask_size"))
    await chat.press_label(LUCIA.id, question, T("es", "size.small"))
    question = await events.bot_says(said("es", "onboarding.ask_women_led"))
    await chat.press_label(LUCIA.id, question, T("es", "women_led.yes"))
    question = await events.bot_says(said("es", "onboarding.privacy_notice")[:20])
    await chat.press_label(LUCIA.id, question, T("es", "onboarding.privacy_accept"))
    await events.bot_says(said("es", "onboarding.done"))


async def test_page_and_assets_are_served_with_a_strict_policy(chat: WebChat) -> None:
    async with chat.http.get("/") as page:
        assert page.status == 200 and "text/html" in page.headers["Content-Type"]
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        assert '<script src="/static/app.js"' in await page.text()
    for name in ("app.js", "app.css"):
        async with chat.http.get(f"/static/{name}") as asset:
            assert asset.status == 200 and len(await asset.read()) > 1000
    async with chat.http.get("/static/../web.py") as missing:
        assert missing.status == 404


async def test_other_sites_are_refused(chat: WebChat) -> None:
    evil = {"Origin": "http://evil.example"}
    async with chat.http.post(
        f"/api/chats/{LUCIA.id}/messages", json={"text": "hi"}, headers=evil
    ) as r:
        assert r.status == 403
    async with chat.http.get("/api/personas", headers={"Host": "evil.example"}) as rebound:
        assert rebound.status == 403
    assert chat.emulator.updates == []


async def test_personas_presets_and_new_ones_kept_in_the_file(
    chat: WebChat, tmp_path: Path
) -> None:
    async with chat.http.get("/api/personas") as response:
        labels = [p["label"] for p in (await response.json())["personas"]]
    assert labels == [
        "Lucía — trader (Spanish)",
        "Dmitri — customs broker (Russian)",
        "Sam — officer/admin (English)",
    ]
    async with chat.http.post("/api/personas", json={"name": " Amira ", "language": "fr"}) as r:
        assert r.status == 201
        amira = await r.json()
    assert amira["label"] == "Amira (French)" and amira["id"] in chat.emulator.sim_users
    async with chat.http.post("/api/personas", json={"name": "", "language": "fr"}) as r:
        assert r.status == 400 and "name" in (await r.json())["error"]
    async with chat.http.post("/api/personas", json={"name": "X", "language": "<b>"}) as r:
        assert r.status == 400
    saved = json.loads((tmp_path / "personas.json").read_text())
    assert saved == [{"id": amira["id"], "name": "Amira", "language": "fr"}]
    again = PersonaBook(BotApiEmulator(), tmp_path / "personas.json")
    assert [p.label for p in again.all()][-1] == "Amira (French)"


async def test_onboarding_with_buttons_then_the_reply_keyboard(chat: WebChat) -> None:
    events = await chat.stream(LUCIA.id)
    await onboard(chat, events)
    keyboard = await events.wait_for("keyboard", lambda k: k["keyboard"] is not None)
    report = T("es", "menu.report")
    assert report in keyboard["keyboard"]["rows"][0]
    response = await chat.press(LUCIA.id, text=report)
    assert response.status == 200
    mine = await events.wait_for("message", lambda m: m["from"] == "user")
    assert mine["html"] == report
    await events.bot_says(said("es", "report.ask_kind"))
    stale = await chat.press(LUCIA.id, message_id=1, data="no-such-button")
    assert stale.status == 409


async def test_text_streams_live_to_every_page_of_the_persona(chat: WebChat) -> None:
    first, second = await chat.stream(LUCIA.id, SAM.id), await chat.stream(LUCIA.id)
    await chat.say(LUCIA.id, "/start")
    for events in (first, second):
        await events.wait_for("message", lambda m: m["html"] == "/start")
        welcome = await events.bot_says(said("es", "onboarding.ask_language"))
        assert welcome["chat"] == LUCIA.id
    late = await chat.stream(LUCIA.id)  # a page opened later gets the whole chat first
    assert next(m["html"] for kind, m in late.seen if kind == "message") == "/start"
    async with chat.http.get("/api/stream?chat=999") as missing:
        assert missing.status == 404


async def test_files_up_and_down(chat: WebChat) -> None:
    events = await chat.stream(LUCIA.id)
    await onboard(chat, events)
    form = aiohttp.FormData()
    form.add_field("file", PDF, filename="factura.pdf", content_type="application/pdf")
    async with chat.http.post(f"/api/chats/{LUCIA.id}/files", data=form) as response:
        assert response.status == 200
    sent = await events.wait_for("message", lambda m: m["from"] == "user" and "document" in m)
    assert sent["document"]["name"] == "factura.pdf"
    async with chat.http.get(sent["document"]["url"], params={"download": "1"}) as download:
        assert await download.read() == PDF
        assert download.headers["Content-Disposition"].startswith("attachment;")
    photo = aiohttp.FormData()
    photo.add_field("file", make_png(40, 30), filename="queue.png", content_type="image/png")
    photo.add_field("caption", "La cola")
    async with chat.http.post(f"/api/chats/{LUCIA.id}/files", data=photo) as response:
        assert response.status == 200
    shown = await events.wait_for("message", lambda m: "photo" in m)
    assert shown["html"] == "La cola" and shown["photo"]["width"] == 40
    async with chat.http.get(shown["photo"]["url"]) as image:
        assert image.headers["Content-Type"] == "image/png"
        assert image.headers["Content-Disposition"].startswith("inline;")
    await chat.say(LUCIA.id, "/mydata")
    export = await events.wait_for("message", lambda m: m["from"] == "bot" and "document" in m)
    assert export["document"]["name"].endswith(".json")
    async with chat.http.get(export["document"]["url"], params={"download": "1"}) as download:
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert "Frutas del Sur S.L." in json.dumps(json.loads(await download.read()))
        assert "default-src 'none'" in download.headers["Content-Security-Policy"]


async def test_bot_html_is_sanitised(chat: WebChat) -> None:
    events = await chat.stream(LUCIA.id)
    await chat.say(LUCIA.id, "<img src=x onerror=alert(1)>")
    mine = await events.wait_for("message", lambda m: m["from"] == "user")
    assert mine["html"] == "&lt;img src=x onerror=alert(1)&gt;"
    text = "<script>alert(1)</script> bold link"
    entities = [
        MessageEntity("bold", text.index("bold"), 4),
        MessageEntity("text_link", text.index("link"), 4, url='https://example.org/"x="y'),
    ]
    async with Bot("123456:TEST-token_abc", base_url=chat.emulator.base_url) as bot:
        await bot.send_message(LUCIA.id, text, entities=entities)
    shown = await events.wait_for("message", lambda m: m["from"] == "bot" and "bold" in m["html"])
    assert shown["html"] == (
        "&lt;script&gt;alert(1)&lt;/script&gt; <b>bold</b> <a href="
        '"https://example.org/&quot;x=&quot;y" target="_blank"'
        ' rel="noopener noreferrer">link</a>'
    )


async def test_answers_typing_and_deletions_reach_the_page() -> None:
    async with BotApiEmulator() as emulator:
        web = SandboxWeb(PersonaBook(emulator))
        await web.start()
        try:
            async with (
                aiohttp.ClientSession(base_url=web.url) as http,
                Bot("123456:TEST-token_abc", base_url=emulator.base_url) as bot,
            ):
                page = WebChat(web, emulator, http, [])
                events = await page.stream(LUCIA.id)
                keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
                sent = await bot.send_message(LUCIA.id, "Pick", reply_markup=keyboard)
                shown = await events.bot_says("Pick")
                assert shown["buttons"] == [[{"text": "Go", "data": "go"}]]
                await page.press_label(LUCIA.id, shown, "Go")
                query = (await bot.get_updates())[-1].callback_query
                assert query is not None and query.data == "go"
                await query.answer("Done!", show_alert=True)
                notice = await events.wait_for("notice")
                assert notice == {"chat": LUCIA.id, "text": "Done!", "alert": True}
                await bot.send_chat_action(LUCIA.id, "typing")
                assert (await events.wait_for("action"))["action"] == "typing"
                await bot.delete_message(LUCIA.id, sent.message_id)
                gone = await events.wait_for("message", lambda m: m["deleted"])
                assert gone["id"] == sent.message_id
                for stream in page.streams:
                    stream.close()
        finally:
            await web.stop()


@pytest.mark.parametrize(
    ("markup", "safe"),
    [
        (
            "<b>a</b><i>b</i><tg-spoiler>c</tg-spoiler>",
            '<b>a</b><i>b</i><span class="tg-spoiler">c</span>',
        ),
        ('<span class="tg-spoiler">s</span>', '<span class="tg-spoiler">s</span>'),
        ('<span style="x">s</span>', "&lt;span style=&quot;x&quot;&gt;s&lt;/span&gt;"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        (
            '<a href="javascript:alert(1)">x</a>',
            "&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;",
        ),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ('<b onclick="x()">b</b>', "<b>b</b>"),
        (
            '<pre><code class="language-python">1 &lt; 2</code></pre>',
            '<pre><code class="language-python">1 &lt; 2</code></pre>',
        ),
        ("<b>open", "<b>open</b>"),
        ("<!-- hidden --><i>x</i>", "&lt;!-- hidden --&gt;<i>x</i>"),
        ("<blockquote expandable>q</blockquote>", '<blockquote class="expandable">q</blockquote>'),
    ],
)
def test_sanitiser_keeps_telegram_tags_only(markup: str, safe: str) -> None:
    assert sanitise_html(markup) == safe


async def test_run_sandbox_keeps_data_across_restarts(tmp_path: Path) -> None:
    database = tmp_path / "kept.db"

    async def session(check: Callable[[aiohttp.ClientSession], Any]) -> None:
        stop = asyncio.Event()
        started: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(
            run_sandbox(0, database, 2, stop=stop, ready=started.set_result, env_file=None)
        )
        done, _ = await asyncio.wait(
            {cast("asyncio.Future[Any]", task), started}, timeout=30, return_when="FIRST_COMPLETED"
        )
        assert started in done, task.exception() if task.done() else "sandbox did not start"
        try:
            async with aiohttp.ClientSession(base_url=started.result()) as http:
                await check(http)
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)

    async def create(http: aiohttp.ClientSession) -> None:
        async with http.post("/api/personas", json={"name": "Kim", "language": "en"}) as r:
            assert r.status == 201

    async def still_there(http: aiohttp.ClientSession) -> None:
        async with http.get("/api/personas") as response:
            names = [p["name"] for p in (await response.json())["personas"]]
        assert names[-1] == "Kim"

    await session(create)
    await session(still_there)
    with sqlite3.connect(database) as conn:
        live = "SELECT COUNT(*) FROM reports WHERE draft_key NOT GLOB 'demo:*'"
        assert conn.execute(live).fetchone() == (2,)  # not 4
        history = "SELECT COUNT(*) FROM reports WHERE draft_key GLOB 'demo:*'"
        assert conn.execute(history).fetchone() == (2 * HISTORY_PER_REPORT,)  # made once
    assert TOKEN.startswith("123456:")


async def test_the_sandbox_reads_the_environment_and_env_file_but_keeps_its_ties(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("TIMEZONE=Europe/Madrid\nBOT_TOKEN=42:real\nADMIN_IDS=7\n")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "ru")
    async with BotApiEmulator(tokens=[TOKEN]) as emulator:
        settings = sandbox_settings(emulator, tmp_path / "s.db", env_file)
    assert str(settings.timezone) == "Europe/Madrid" and settings.default_language.value == "ru"
    token = settings.bot_token
    assert token is not None and token.get_secret_value() == TOKEN and settings.webhook_url is None
    assert settings.bot_api_url == emulator.base_url and SAM.id in settings.admin_ids


@pytest.mark.slow
async def test_the_command_stops_cleanly_on_signals_and_keeps_the_database(
    tmp_path: Path,
) -> None:
    database = tmp_path / "kept.db"

    async def run_until(stop_with: signal.Signals) -> str:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.sandbox.runner",
            "--port=0",
            f"--db={database}",
            "--demo-data=3",
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        assert process.stdout is not None
        output = ""
        try:
            async with asyncio.timeout(30):
                while "Press Ctrl-C to stop." not in output:
                    line = await process.stdout.readline()
                    assert line, f"the sandbox exited early:\n{output}"
                    output += line.decode()
            url = re.search(r"sandbox: (http://\S+)", output)
            assert url is not None, output
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"{url.group(1)}/api/personas") as response,
            ):
                assert response.status == 200
            process.send_signal(stop_with)
            rest, _ = await asyncio.wait_for(process.communicate(), 15)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        output += rest.decode()
        assert process.returncode == 0, output
        return output

    first = await run_until(signal.SIGTERM)
    assert "Demo data: 3 new report(s)" in first and "Stopping the sandbox" in first
    assert f"{3 * HISTORY_PER_REPORT} reports filed" in first and "surveys" in first
    assert not database.with_name("kept.db-wal").exists()  # post_shutdown closed the database
    second = await run_until(signal.SIGINT)
    assert "Demo data: 0 new report(s)" in second
    with sqlite3.connect(database) as conn:
        live = "SELECT COUNT(*) FROM reports WHERE draft_key NOT GLOB 'demo:*'"
        assert conn.execute(live).fetchone() == (3,)
        history = "SELECT COUNT(*) FROM reports WHERE draft_key GLOB 'demo:*'"
        assert conn.execute(history).fetchone() == (3 * HISTORY_PER_REPORT,)  # made once
