"""Files are what their bytes are: accepted types kept, programs and archives refused."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from bot.core import files
from bot.core.errors import UserError
from bot.core.files import FileRefused, inspect

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RLO, LRI, PDI, LRM = "\u202e", "\u2066", "\u2069", "\u200e"


def _zip(entries: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _docx(
    main: str = "wordprocessingml.document.main", extra: dict[str, str] | None = None
) -> bytes:
    types = (
        '<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType='
        f'"application/vnd.openxmlformats-officedocument.{main}+xml"/></Types>'
    )
    return _zip({"[Content_Types].xml": types, "word/document.xml": "<w/>", **(extra or {})})


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "duty"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _ole(stream: str) -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + stream.encode("utf-16-le")


@pytest.mark.parametrize(
    ("content", "name", "mime_type", "kept_as"),
    [
        (PDF, "waybill.pdf", files.PDF, "waybill.pdf"),
        (b"\xff\xd8\xff\xe0rest", "IMG_1.JPG", files.JPEG, "IMG_1.JPG"),
        (b"\x89PNG\r\n\x1a\nrest", "scan", files.PNG, "scan.png"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a.webp", files.WEBP, "a.webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "photo.heic", files.HEIC, "photo.heic"),
        (_docx(), "letter.docx", files.DOCX, "letter.docx"),
        (_xlsx(), "table.xlsx", files.XLSX, "table.xlsx"),
        (_zip({"mimetype": files.ODT, "content.xml": "<x/>"}), "a.odt", files.ODT, "a.odt"),
        (_ole("WordDocument"), "old.doc", files.DOC, "old.doc"),
        (_ole("Workbook"), "old.xls", files.XLS, "old.xls"),
        ("Código;Fecha\n1;2026-11-20\n".encode(), "data.csv", files.CSV, "data.csv"),
        ("Привет, таможня".encode("utf-16"), None, files.TEXT, "file.txt"),
        ("Caf\xe9 au lait".encode("cp1252"), "note.txt", files.TEXT, "note.txt"),
        (PDF, "evil.exe", files.PDF, "evil.exe.pdf"),  # a real PDF: it opens as one
    ],
)
def test_accepted_files_are_kept_as_what_they_are(
    content: bytes, name: str | None, mime_type: str, kept_as: str
) -> None:
    found = inspect(content, name)
    assert (found.mime_type, found.file_name) == (mime_type, kept_as)


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03\x00\x00\x00PE\x00\x00",  # evil.exe declared application/pdf
        b"\x7fELF\x02\x01\x01",
        b"\xcf\xfa\xed\xfe\x07\x00\x00\x01",
        b"#!/bin/sh\nrm -rf /\n",
        b"  #!/usr/bin/env python\n",
        _zip({"payload.exe": b"MZ"}),  # a zip archive
        _zip({"mimetype": "application/x-whatever"}),
        _docx("wordprocessingml.document.macroEnabled.main"),  # .docm
        _docx(extra={"word/vbaProject.bin": "macro"}),
        b"Rar!\x1a\x07\x00",
        b"7z\xbc\xaf\x27\x1c\x00\x04",
        b"\x1f\x8b\x08\x00",
        _ole("SummaryInformation"),  # an installer (.msi) is a compound file too
        _ole("WordDocument") + "_VBA_PROJECT".encode("utf-16-le"),
    ],
)
def test_programs_scripts_and_archives_are_refused(content: bytes) -> None:
    with pytest.raises(FileRefused) as refused:
        inspect(content, "invoice.pdf")
    assert refused.value.reason == "report.error_file_refused"


@pytest.mark.parametrize(
    "content", [b"", b"\x00\x01\x02\x03binary", b"PK\x03\x04broken zip", b"GIF89a\x01\x00"]
)
def test_unknown_content_is_not_accepted(content: bytes) -> None:
    with pytest.raises(UserError) as refused:
        inspect(content, "x.pdf")
    assert refused.value.reason in ("report.error_file_type", "report.error_file_refused")


def test_hidden_characters_leave_file_names() -> None:
    disguised = f"invoice{RLO}fdp.exe"  # shows as "invoiceexe.pdf"
    assert files.clean_name(disguised) == "invoicefdp.exe"
    assert inspect(PDF, disguised).file_name == "invoicefdp.exe.pdf"
    for mark in ("\u202a", "\u202b", "\u202c", "\u202d", RLO, LRI, "\u2067", "\u2068", PDI, LRM):
        assert files.clean_name(f"a{mark}b.pdf") == "ab.pdf"
    assert files.clean_name("../../etc/pass\x00wd") == "_.._etc_passwd"
    long = inspect(PDF, "x" * 500 + ".pdf").file_name
    assert len(long) == files.NAME_MAX and long.endswith(".pdf")
