"""The file store: uploads, getFile, downloads and re-sending by file_id."""

from __future__ import annotations

import aiohttp
import pytest
from telegram import Bot, InputFile
from telegram.error import BadRequest, NetworkError

from bot.sandbox import BotApiEmulator, make_png

from .conftest import TOKEN


async def test_bot_downloads_the_exact_bytes_a_user_sent(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    payload = bytes(range(256)) * 40
    sent = await ana.send_document(payload, filename="invoice.pdf", mime_type="application/pdf")
    document = sent["document"]
    assert document["file_name"] == "invoice.pdf" and document["file_size"] == len(payload)

    update = (await bot.get_updates())[0]
    assert update.message is not None and update.message.document is not None
    file = await bot.get_file(update.message.document.file_id)
    assert file.file_size == len(payload)
    assert file.file_path is not None and file.file_path.endswith(".pdf")
    assert "/documents/file_" in file.file_path
    assert bytes(await file.download_as_bytearray()) == payload
    assert emu.downloads == [file.file_path.split(f"{TOKEN}/", 1)[1]]


async def test_user_photos_arrive_as_photo_sizes(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    await ana.send_photo(
        b"\xff\xd8 not really a jpeg", caption="damaged box", width=800, height=600
    )
    message = (await bot.get_updates())[0].message
    assert message is not None and message.caption == "damaged box"
    sizes = message.photo
    assert len(sizes) >= 1
    assert (sizes[-1].width, sizes[-1].height) == (800, 600)
    largest = await bot.get_file(sizes[-1].file_id)
    assert largest.file_path is not None and "/photos/file_" in largest.file_path
    assert bytes(await largest.download_as_bytearray()) == b"\xff\xd8 not really a jpeg"


async def test_bot_documents_keep_name_type_and_bytes(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    report = b"id;status\n1;open\n"
    sent = await bot.send_document(
        ana.id, InputFile(report, filename="report.csv"), caption="<b>Weekly</b>", parse_mode="HTML"
    )
    assert sent.document is not None and sent.document.file_name == "report.csv"
    message = await ana.wait_for_document()
    assert message.document is not None
    assert message.document.filename == "report.csv"
    assert message.document.mime_type == "text/csv"
    assert message.document.data == report
    assert message.caption == "Weekly" and message.html == "<b>Weekly</b>"

    again = await bot.send_document(ana.id, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_unique_id == sent.document.file_unique_id
    assert (await ana.wait_for_document()).document == message.document


async def test_bot_photos_are_measured_and_validated(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    sent = await bot.send_photo(ana.id, make_png(320, 200), caption="Seal")
    assert (sent.photo[-1].width, sent.photo[-1].height) == (320, 200)
    assert ana.last is not None and ana.last.photo is not None
    assert ana.last.photo.data == make_png(320, 200)
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(ana.id, b"definitely not an image")
    with pytest.raises(BadRequest, match="Can't use file of type photo as document"):
        await bot.send_document(ana.id, sent.photo[-1].file_id)
    with pytest.raises(BadRequest, match="Wrong file identifier/http url specified"):
        await bot.send_document(ana.id, "no-such-file-id")


async def test_upload_size_limits(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    emu.rules.max_upload_bytes = 1024
    with pytest.raises(NetworkError, match="Request Entity Too Large"):
        await bot.send_document(ana.id, b"x" * 2048, filename="big.bin")
    assert emu.rejections[-1].error_code == 413
    emu.rules.max_upload_bytes = 50 * 1024 * 1024
    emu.rules.max_photo_bytes = 100
    with pytest.raises(BadRequest, match="Photo_save_file_invalid"):
        await bot.send_photo(ana.id, make_png(400, 300))


async def test_download_route_checks_token_and_path(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    await ana.send_document(b"secret", filename="a.txt")
    update = (await bot.get_updates())[0]
    assert update.message is not None and update.message.document is not None
    path = (await bot.get_file(update.message.document.file_id)).file_path
    assert path is not None
    relative = path.split(f"{TOKEN}/", 1)[1]
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{emu.file_base_url}{TOKEN}/{relative}") as ok:
            assert ok.status == 200 and await ok.read() == b"secret"
        async with session.get(f"{emu.file_base_url}not-a-token/{relative}") as wrong_token:
            assert wrong_token.status == 404
        async with session.get(f"{emu.file_base_url}{TOKEN}/documents/nope.txt") as missing:
            assert missing.status == 404
            assert await missing.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }


async def test_photos_can_be_resent_by_file_id(bot: Bot, emu: BotApiEmulator) -> None:
    ana, bob = emu.add_user("Ana"), emu.add_user("Bob")
    await ana.send_photo(make_png(640, 480))
    message = (await bot.get_updates())[0].message
    assert message is not None
    largest = message.photo[-1]
    resent = await bot.send_photo(bob.id, largest.file_id, caption="Forwarded evidence")
    assert resent.photo[-1].file_unique_id == largest.file_unique_id
    assert bob.last is not None and bob.last.photo is not None
    assert bob.last.photo.data == make_png(640, 480)
