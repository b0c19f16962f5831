"""The sandbox in a real headless Chromium: a trader reports anonymously, an officer answers."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest

from bot.sandbox.personas import LUCIA, SAM
from bot.sandbox.runner import run_sandbox
from tests.e2e.conftest import T, language_label, said
from tests.e2e.reporting import office_label, topic_label

if TYPE_CHECKING:
    from playwright.async_api import Browser, FilePayload, Locator, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
REFERENCE = re.compile(r"R-\d{4}-\d{5}")
PROBLEM = "Nuestro camión refrigerado lleva 3 días esperando en el paso fronterizo norte."


@pytest.fixture
async def sandbox_url(tmp_path: Path) -> AsyncIterator[str]:
    """Run the whole sandbox (emulator, bot, web chat) in this event loop; yield its URL."""
    stop = asyncio.Event()
    started: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        run_sandbox(0, tmp_path / "sandbox.db", 0, stop=stop, ready=started.set_result)
    )
    done, _ = await asyncio.wait(
        {cast("asyncio.Future[Any]", task), started}, timeout=30, return_when="FIRST_COMPLETED"
    )
    if started not in done:
        raise AssertionError(f"the sandbox did not start: {task.exception() if done else ''}")
    yield started.result()
    stop.set()
    await asyncio.wait_for(task, 30)


@pytest.fixture
def chromium() -> Path:
    """Return the system Chromium; fail (never skip) when it is not installed."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install it with "
            "`apt-get install -y --no-install-recommends chromium` (CI does)"
        )
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    """Launch the system Chromium headless through Playwright (never a downloaded browser)."""
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.fail("Playwright is missing: `pip install playwright` (no `playwright install`)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


async def open_page(browser: Browser, url: str, problems: list[str], width: int = 760) -> Page:
    """Open a page that records console errors and uncaught exceptions into ``problems``."""
    page = await browser.new_page(viewport={"width": width, "height": 820})
    page.set_default_timeout(10_000)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    await page.goto(url)
    return page


async def answer(chat: Locator, question: str, button: str) -> None:
    """Wait for the bot's question, then press one of its buttons."""
    from playwright.async_api import expect

    await expect(chat.locator(".msg.bot").last).to_contain_text(question[:40])
    await chat.get_by_role("button", name=button, exact=True).last.click()


async def type_text(chat: Locator, text: str) -> None:
    """Type a message into the chat's composer and send it with Enter."""
    box = chat.locator(".text-input")
    await box.fill(text)
    await box.press("Enter")


async def onboard(chat: Locator, lang: str, role: str, organisation: str | None) -> None:
    """Register through /start by pressing buttons and typing."""
    from playwright.async_api import expect

    await type_text(chat, "/start")
    await answer(chat, said(lang, "onboarding.ask_language"), language_label(lang, lang))
    await answer(chat, said(lang, "onboarding.ask_role"), T(lang, f"role.{role}"))
    if organisation is None:
        await answer(chat, said(lang, "onboarding.ask_organisation"), T(lang, "button.skip"))
    else:
        await expect(chat.locator(".msg.bot").last).to_contain_text(
            said(lang, "onboarding.ask_organisation")[:40]
        )
        await type_text(chat, organisation)
    await answer(chat, said(lang, "onboarding.ask_size"), T(lang, "size.small"))
    await answer(chat, said(lang, "onboarding.ask_women_led"), T(lang, "women_led.undisclosed"))
    await answer(
        chat, said(lang, "onboarding.privacy_notice"), T(lang, "onboarding.privacy_accept")
    )
    await expect(chat.locator(".msg.bot").last).to_contain_text(said(lang, "onboarding.done"))


async def report_anonymously(chat: Locator) -> str:
    """File a problem report anonymously in Spanish; return the confirmed reference."""
    from playwright.async_api import expect

    await type_text(chat, "/report")
    await answer(chat, said("es", "report.ask_kind"), T("es", "kind.action_issue"))
    await expect(chat.locator(".msg.bot").last).to_contain_text(
        said("es", "report.ask_description_issue")[:40]
    )
    await type_text(chat, PROBLEM)
    await answer(chat, said("es", "report.ask_topic"), topic_label("es", "release_delays"))
    await answer(chat, said("es", "report.ask_office"), office_label("es", "BORDER-NORTH"))
    await answer(chat, said("es", "report.ask_date"), T("es", "report.date_yesterday"))
    await answer(
        chat, said("es", "report.ask_attachments", maximum=5), T("es", "report.attachments_none")
    )
    await answer(chat, said("es", "report.ask_anonymity"), T("es", "report.anonymity_yes"))
    await answer(chat, said("es", "report.summary_title"), T("es", "report.submit"))
    thanks = said("es", "report.confirm_anonymous", reference="{r}", status="{s}").split("{r}")[0]
    confirmation = chat.locator(".msg.bot").last
    await expect(confirmation).to_contain_text(thanks)
    await expect(confirmation).to_contain_text(REFERENCE)
    found = REFERENCE.search(await confirmation.inner_text())
    assert found is not None
    return found.group(0)


async def test_trader_reports_anonymously_and_the_officer_sees_the_sorting(
    sandbox_url: str, browser: Browser
) -> None:
    from playwright.async_api import expect

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    trader_page = await open_page(browser, sandbox_url, problems)
    await trader_page.get_by_role("button", name=LUCIA.label, exact=True).click()
    trader = trader_page.locator(f'section.chat[data-persona="{LUCIA.id}"]')
    officer_page = await open_page(browser, f"{sandbox_url}/?persona={SAM.id}", problems)
    officer = officer_page.locator(f'section.chat[data-persona="{SAM.id}"]')
    try:
        await expect(trader.locator(".chat-name")).to_have_text(LUCIA.label)
        await onboard(trader, "es", "trader", "Frutas del Sur S.L.")
        await expect(trader.locator(".reply-keyboard")).to_contain_text(T("es", "menu.report"))
        reference = await report_anonymously(trader)
        await onboard(officer, "en", "other", None)
        await type_text(officer, f"/correct {reference}")
        sorting = officer.locator(".msg.bot").last
        await expect(sorting).to_contain_text(
            f"{reference} is sorted as: kind {T('en', 'kind.issue')}"
        )  # names, not codes
        topic = topic_label("en", "release_delays")
        await expect(sorting).to_contain_text(f"topic {topic} (set by the reporter)")
        await expect(officer.locator(".msg.user").last).to_have_text(
            re.compile(rf"^/correct {reference}")
        )
        # The officer answers from the inbox; the trader reads it in Spanish, never knowing who.
        await type_text(officer, "/inbox")
        await expect(officer.locator(".msg.bot").last).to_contain_text(reference)
        await officer.get_by_role("button", name=re.compile(rf"{reference}$")).last.click()
        card = said("en", "followup.card_title", reference=reference)
        await answer(officer, card, T("en", "followup.btn.reply"))
        await expect(officer.locator(".msg.bot").last).to_contain_text(
            said("en", "followup.prompt_reply", reference=reference)[:40]
        )
        await type_text(officer, "Gracias. ¿Nos envía el número de contenedor?")
        relayed = trader.locator(".msg.bot").last
        await expect(relayed).to_contain_text("¿Nos envía el número de contenedor?")
        await expect(relayed).to_contain_text(reference)
        await expect(relayed.get_by_role("button")).to_have_text(T("es", "followup.btn.answer"))
    finally:
        await trader_page.screenshot(path=ARTIFACTS / "sandbox-trader.png")
        await officer_page.screenshot(path=ARTIFACTS / "sandbox-officer.png")

    both_url = f"{sandbox_url}/?persona={LUCIA.id}&persona={SAM.id}"
    both = await open_page(browser, both_url, problems, width=1280)
    sent = said("en", "followup.done_reply", reference=reference)
    for chat, text in ((LUCIA, "número de contenedor"), (SAM, sent)):
        column = both.locator(f'section.chat[data-persona="{chat.id}"]')
        await expect(column.locator(".msg.bot").last).to_contain_text(text)
    await both.screenshot(path=ARTIFACTS / "sandbox-two-personas.png")
    lucia = both.locator(f'section.chat[data-persona="{LUCIA.id}"]')
    await type_text(lucia, "/mydata")
    export = lucia.locator(".msg.bot").last.locator("a.file")
    await expect(export).to_contain_text("my-data.json")
    async with both.expect_download() as started:
        await export.click()
    download = await started.value
    assert download.suggested_filename == "my-data.json"
    saved = await asyncio.to_thread(Path(await download.path()).read_text, encoding="utf-8")
    assert "Frutas del Sur S.L." in saved
    assert problems == []


async def test_new_persona_uses_the_command_menu_and_sends_a_photo(
    sandbox_url: str, browser: Browser
) -> None:
    from playwright.async_api import expect

    from bot.sandbox import make_png

    problems: list[str] = []
    page = await open_page(browser, sandbox_url, problems)
    await page.get_by_role("button", name="+ New persona").click()
    await page.get_by_label("Name").fill("Amira")
    await page.get_by_label("Telegram language").select_option("fr")
    await page.get_by_role("button", name="Create and open").click()
    chat = page.locator("section.chat").filter(has_text="Amira (French)")
    await chat.get_by_role("button", name="/").click()
    await chat.locator(".commands").get_by_text("/start", exact=True).click()
    await expect(chat.locator(".msg.bot").last).to_contain_text(
        said("en", "onboarding.ask_language")  # French is not offered: the default language
    )
    await chat.locator(".text-input").fill("Mi camión")
    photo_file: FilePayload = {
        "name": "queue.png",
        "mimeType": "image/png",
        "buffer": make_png(120, 80),
    }
    await chat.locator(".file-input").set_input_files(files=[photo_file])
    photo = chat.locator(".msg.user img.photo")
    await expect(photo).to_be_visible()
    assert await photo.evaluate("image => image.naturalWidth") == 120
    await expect(chat.locator(".msg.user").last).to_contain_text("Mi camión")
    assert "persona=" in page.url
    await page.screenshot(path=ARTIFACTS / "sandbox-new-persona.png")
    assert problems == []
