"""What a received file really is: its type read from its bytes, never from what was declared.

Accepted: PDF, JPEG, PNG, WebP and HEIC pictures, Word and Excel documents (OOXML, OpenDocument
and the old OLE formats without macros) and plain text or CSV; voice notes (Ogg/Opus) are read
by `sniff_voice`. Programs, scripts, archives and
anything unrecognised are refused. File names lose the control characters that disguise them
("invoice" + U+202E + "fdp.exe", with a right-to-left override, shows as "invoiceexe.pdf")
and get the extension of what the file is.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from bot.core.errors import UserError

NAME_MAX = 128  # characters of a kept file name (Telegram shows far fewer)
_XML_MAX = 1024 * 1024  # a [Content_Types].xml or mimetype entry larger than this is refused

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
HEIC = "image/heic"
TEXT = "text/plain"
CSV = "text/csv"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
OGG = "audio/ogg"  # voice notes: Opus in an Ogg container

EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    JPEG: (".jpg", ".jpeg"),
    PNG: (".png",),
    WEBP: (".webp",),
    HEIC: (".heic", ".heif"),
    TEXT: (".txt",),
    CSV: (".csv",),
    DOC: (".doc",),
    XLS: (".xls",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    ODT: (".odt",),
    ODS: (".ods",),
}
ACCEPTED = frozenset(EXTENSIONS)

# Programs, scripts and archives: refused with their own explanation.
_REFUSED_MAGIC = (
    b"MZ",  # Windows programs and libraries
    b"\x7fELF",  # Linux programs
    b"\xfe\xed\xfa\xce",  # macOS programs (Mach-O, both byte orders, 32 and 64 bits, fat)
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",  # scripts
    b"Rar!",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",  # gzip
    b"BZh",
    b"\xfd7zXZ\x00",
    b"MSCF",  # cabinet
    b"\x00asm",  # WebAssembly
    b"dex\n",  # Android programs
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_STREAMS = {DOC: "WordDocument", XLS: "Workbook"}
_OLE_EXCEL_5 = "Book"
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_ODF = {"application/vnd.oasis.opendocument.text": ODT, ODS: ODS}
# Unicode "format" and "control" characters: the bidi overrides and isolates (U+202A-U+202E,
# U+2066-U+2069), the marks (U+200E/F, U+061C), zero-width characters, and the C0/C1 controls.
_HIDDEN = ("Cf", "Cc")
_UNSAFE = re.compile(r'[/\\:*?"<>|]')


class FileRefused(UserError):
    """A program, script or archive (or a document carrying macros): never passed on."""

    def __init__(self) -> None:
        super().__init__("report.error_file_refused")


@dataclass(frozen=True)
class Inspected:
    """What a file is: its real type and the name it is kept under."""

    mime_type: str
    file_name: str


def inspect(content: bytes, declared_name: str | None) -> Inspected:
    """Return the file's real type and a safe name; FileRefused or UserError if not accepted."""
    mime_type = sniff(content)
    name = safe_name(declared_name, mime_type)
    return Inspected(content_type(mime_type, name), name)


def sniff(content: bytes) -> str:
    """Return the type the bytes are, if accepted; FileRefused for programs and archives,
    UserError("report.error_file_type") for anything else."""
    if not content.strip():
        raise UserError("report.error_file_type")  # empty
    if any(content.startswith(magic) for magic in _REFUSED_MAGIC):
        raise FileRefused()
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return WEBP
    if content[4:8] == b"ftyp" and content[8:12] in _HEIC_BRANDS:
        return HEIC
    if content.startswith(_OLE):
        return _ole(content)
    if content.startswith(b"PK"):
        return _zipped(content)
    if _is_text(content):
        return TEXT
    raise UserError("report.error_file_type")


def sniff_voice(content: bytes) -> str:
    """Return OGG if the bytes are an Ogg/Opus voice note; UserError("report.error_file_type")
    for anything else (a voice note's declared type is never trusted)."""
    if content.startswith(b"OggS") and b"OpusHead" in content[:512]:
        return OGG
    raise UserError("report.error_file_type")


def _ole(content: bytes) -> str:
    """Return DOC or XLS for an old Office file; installers and macro files are refused."""
    if any(f"{stream}".encode("utf-16-le") in content for stream in ("_VBA_PROJECT", "Macros")):
        raise FileRefused()
    for mime_type, stream in _OLE_STREAMS.items():
        if stream.encode("utf-16-le") in content:
            return mime_type
    if (_OLE_EXCEL_5 + "\x00").encode("utf-16-le") in content:
        return XLS
    raise FileRefused()  # an installer (.msi) or another compound file


def _zipped(content: bytes) -> str:
    """Return the office type of a zip-based document; any other zip is an archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise FileRefused()  # a document carrying macros
            if "[Content_Types].xml" in names:
                types = _small_entry(archive, "[Content_Types].xml")
                for main, mime_type in _OOXML_MAIN.items():
                    if f'ContentType="{main}"' in types:
                        return mime_type
            elif "mimetype" in names:
                found = _ODF.get(_small_entry(archive, "mimetype").strip())
                if found is not None:
                    return found
    except UserError:
        raise
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, ValueError, OSError):
        raise UserError("report.error_file_type") from None  # damaged, or encrypted
    raise FileRefused()  # an archive, or a document type not on the list (e.g. macro-enabled)


def _small_entry(archive: zipfile.ZipFile, name: str) -> str:
    """Return a small text entry of a zip; a huge one (a zip bomb) is refused."""
    if archive.getinfo(name).file_size > _XML_MAX:
        raise FileRefused()
    return archive.read(name)[:_XML_MAX].decode("utf-8", "replace")


def _is_text(content: bytes) -> bool:
    """Tell whether the bytes are readable text (UTF-8, UTF-16 with a BOM, or Windows-1252)."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            return False
    else:
        try:
            text = content.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = content.decode("cp1252")
            except UnicodeDecodeError:
                return False
    if text.lstrip().startswith("#!"):
        raise FileRefused()
    return all(ch in "\t\n\r\f" or unicodedata.category(ch) != "Cc" for ch in text)


def clean_name(name: str) -> str:
    """Return a file name without hidden or path characters, trimmed to NAME_MAX."""
    visible = "".join(ch for ch in name if unicodedata.category(ch) not in _HIDDEN)
    return " ".join(_UNSAFE.sub("_", visible).split()).strip(". ")


def safe_name(declared: str | None, mime_type: str) -> str:
    """Return the name a file is kept under: cleaned, ending in its real type's extension
    ("evil.exe" that is a PDF becomes "evil.exe.pdf"); text named .csv stays CSV."""
    name = clean_name(declared or "") or "file"
    extensions = EXTENSIONS[mime_type]
    if mime_type == TEXT and name.lower().endswith(EXTENSIONS[CSV]):
        extensions = EXTENSIONS[CSV]
    if not name.lower().endswith(extensions):
        name += extensions[0]
    suffix = next(ext for ext in extensions if name.lower().endswith(ext))
    stem = name[: len(name) - len(suffix)][: NAME_MAX - len(suffix)]
    return stem + name[len(name) - len(suffix) :]


def content_type(mime_type: str, file_name: str) -> str:
    """Return the type to record: CSV for text kept under a .csv name."""
    return CSV if mime_type == TEXT and file_name.lower().endswith(".csv") else mime_type
