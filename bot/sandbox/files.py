"""The file store: ids, paths and bytes of every file users and the bot send."""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import struct
import zlib
from dataclasses import dataclass

from bot.sandbox.errors import JsonDict

# Telegram's file_id prefixes differ per file type; mimic them for realism.
_ID_PREFIX = {
    "photo": "AgACAgIAAxkBAAI",
    "document": "BQACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
    "video": "BAACAgIAAxkBAAI",
    "audio": "CQACAgIAAxkBAAI",
}
_FOLDER = {
    "photo": "photos",
    "document": "documents",
    "voice": "voice",
    "sticker": "stickers",
    "video": "videos",
    "audio": "music",
}
_DEFAULT_EXT = {"photo": ".jpg", "voice": ".oga", "sticker": ".webp", "video": ".mp4"}
_DEFAULT_MIME = {"photo": "image/jpeg", "voice": "audio/ogg", "sticker": "image/webp"}


@dataclass
class StoredFile:
    """One file known to the emulator, with its bytes and metadata."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    path: str
    filename: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    duration: int | None = None

    @property
    def size(self) -> int:
        """Return the size in bytes."""
        return len(self.data)

    def file_api(self) -> JsonDict:
        """Return the Bot API ``File`` object for getFile."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.path,
        }

    def document_api(self) -> JsonDict:
        """Return the Bot API ``Document`` object."""
        doc: JsonDict = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.filename:
            doc["file_name"] = self.filename
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        doc["file_size"] = self.size
        return doc

    def photo_size_api(self) -> JsonDict:
        """Return the Bot API ``PhotoSize`` object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "width": self.width or 0,
            "height": self.height or 0,
        }


def image_size(data: bytes) -> tuple[int, int] | None:
    """Return (width, height) of a PNG, GIF, JPEG or WebP image, or None if unknown."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP" and data[12:16] == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk JPEG segments to the first start-of-frame marker."""
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return int(width), int(height)
        pos += 2 + length
    return None


class FileStore:
    """Assign ids and paths to files and find them again by id or path."""

    def __init__(self) -> None:
        """Start with an empty store."""
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = 0

    def __len__(self) -> int:
        """Return how many files are stored."""
        return len(self._by_id)

    def add(
        self,
        kind: str,
        data: bytes,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
        width: int | None = None,
        height: int | None = None,
        duration: int | None = None,
    ) -> StoredFile:
        """Store bytes as a new file of ``kind`` and return its record."""
        self._counter += 1
        number = self._counter
        digest = hashlib.sha256(f"{kind}:{number}".encode()).digest()
        token = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        ext = _extension(kind, filename, mime_type)
        stored = StoredFile(
            file_id=_ID_PREFIX.get(kind, "BQACAgIAAxkBAAI") + token,
            file_unique_id="AQAD" + token[:12],
            kind=kind,
            data=data,
            path=f"{_FOLDER.get(kind, 'documents')}/file_{number}{ext}",
            filename=filename,
            mime_type=mime_type or _DEFAULT_MIME.get(kind) or _guess_mime(filename),
            width=width,
            height=height,
            duration=duration,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """Return the file with this file_id, if any."""
        return self._by_id.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        """Return the file served at this download path, if any."""
        return self._by_path.get(path)

    def all(self) -> list[StoredFile]:
        """Return every stored file, oldest first."""
        return list(self._by_id.values())


def _guess_mime(filename: str | None) -> str | None:
    if not filename:
        return None
    return mimetypes.guess_type(filename)[0]


def _extension(kind: str, filename: str | None, mime_type: str | None) -> str:
    if kind == "photo":
        return ".jpg"
    if filename and "." in filename:
        return "." + filename.rsplit(".", 1)[1].lower()
    if mime_type:
        guessed = mimetypes.guess_extension(mime_type)
        if guessed:
            return guessed
    return _DEFAULT_EXT.get(kind, "")


def make_png(width: int = 64, height: int = 48, rgb: tuple[int, int, int] = (0, 102, 204)) -> bytes:
    """Return a valid solid-colour PNG image, handy as a photo in tests and demos."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(row * height)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
