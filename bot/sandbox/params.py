"""Parse Bot API requests (query, form, multipart, JSON) and coerce values like Telegram."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from bot.sandbox.errors import ApiError, JsonDict, bad_request, entity_too_large

# Parameters whose string form is JSON-decoded when a call is recorded.
JSON_FIELDS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "message_ids",
        "user_id",
        "offset",
        "limit",
        "timeout",
        "allowed_updates",
        "reply_markup",
        "entities",
        "caption_entities",
        "reply_parameters",
        "link_preview_options",
        "reply_to_message_id",
        "commands",
        "scope",
        "menu_button",
        "disable_notification",
        "protect_content",
        "show_alert",
        "cache_time",
        "drop_pending_updates",
        "max_connections",
        "has_spoiler",
        "width",
        "height",
    }
)

_CHUNK = 1 << 16


@dataclass(frozen=True, repr=False)
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:
        """Describe the upload without dumping its bytes."""
        return f"UploadedFile({self.field!r}, {self.filename!r}, {len(self.data)} bytes)"


def _decode(value: object) -> object:
    """JSON-decode a string if it is valid JSON, else return it unchanged."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class Params:
    """Typed access to the parameters of one Bot API call."""

    def __init__(self, values: JsonDict, files: dict[str, UploadedFile] | None = None) -> None:
        """Wrap raw parameter values and uploaded files."""
        self.values = values
        self.files = files or {}

    def has(self, name: str) -> bool:
        """Return whether the parameter was given and is not empty."""
        return self.values.get(name) not in (None, "")

    def raw(self, name: str) -> object:
        """Return the parameter as received (a string for form data)."""
        return self.values.get(name)

    def get_str(self, name: str, default: str | None = None) -> str | None:
        """Return the parameter as a string, or ``default`` when absent."""
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value, ensure_ascii=False)

    def get_int(self, name: str, default: int | None = None) -> int | None:
        """Return the parameter as an int; reject values Telegram cannot parse."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def require_int(self, name: str, missing: str) -> int:
        """Return an int parameter or fail with Telegram's ``missing`` description."""
        value = self.get_int(name)
        if value is None:
            raise bad_request(missing)
        return value

    def get_float(self, name: str, default: float | None = None) -> float | None:
        """Return the parameter as a float, or ``default`` when absent."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(str(value))
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        """Return the parameter as a bool using Telegram's lenient parsing."""
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in {"true", "yes", "1"}

    def get_json(self, name: str, error: str | None = None) -> object:
        """Return the JSON-decoded parameter, failing with ``error`` if it is not JSON."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(error or f"can't parse {name} JSON object") from None

    def file(self, name: str) -> UploadedFile | str | None:
        """Return the upload for a file parameter, or the file_id/URL string given instead."""
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            return self.files.get(value.removeprefix("attach://"))
        if name in self.files:
            return self.files[name]
        if value is None or value == "":
            return None
        return str(value)

    def record(self) -> JsonDict:
        """Return a readable copy with JSON fields decoded and uploads in place of attach://."""
        out: JsonDict = {}
        referenced: set[str] = set()
        for key, value in self.values.items():
            if isinstance(value, str) and value.startswith("attach://"):
                name = value.removeprefix("attach://")
                if name in self.files:
                    referenced.add(name)
                    out[key] = self.files[name]
                    continue
            out[key] = _decode(value) if key in JSON_FIELDS else value
        for name, upload in self.files.items():
            if name not in referenced:
                out.setdefault(name, upload)
        return out


async def _read_multipart(
    request: web.Request, values: JsonDict, max_bytes: int
) -> dict[str, UploadedFile]:
    """Read a multipart body into values and uploads, enforcing ``max_bytes`` per file."""
    files: dict[str, UploadedFile] = {}
    reader = await request.multipart()
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.filename is None:
            values[part.name] = await part.text()
            continue
        chunks: list[bytes] = []
        size = 0
        while chunk := await part.read_chunk(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise entity_too_large()
            chunks.append(chunk)
        content_type = part.headers.get("Content-Type", "application/octet-stream")
        files[part.name] = UploadedFile(part.name, part.filename, content_type, b"".join(chunks))
    return files


async def read_params(request: web.Request, max_upload_bytes: int) -> Params:
    """Collect a request's parameters from its query string and body."""
    values: JsonDict = dict(request.query)
    files: dict[str, UploadedFile] = {}
    content_type = request.content_type
    if content_type == "multipart/form-data":
        files = await _read_multipart(request, values, max_upload_bytes)
    elif content_type == "application/json":
        body = await request.read()
        if body.strip():
            try:
                data: Any = json.loads(body)
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON request body") from None
            if not isinstance(data, dict):
                raise ApiError(400, "Bad Request: JSON object expected as request body")
            values.update(data)
    elif request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            values[key] = value if isinstance(value, str) else str(value)
    return Params(values, files)
