"""Bot API errors carrying Telegram's exact codes, descriptions and parameters."""

from __future__ import annotations

import time
from typing import Any

JsonDict = dict[str, Any]


def unix_now() -> int:
    """Return the current time as Telegram's unix timestamp."""
    return int(time.time())


def utf16_len(text: str) -> int:
    """Return the length of a string in UTF-16 code units, the way Telegram counts."""
    return len(text.encode("utf-16-le")) // 2


class ApiError(Exception):
    """A failed Bot API call, rendered as Telegram's error envelope."""

    def __init__(
        self,
        error_code: int,
        description: str,
        parameters: JsonDict | None = None,
        *,
        injected: bool = False,
    ) -> None:
        """Store the HTTP status, the description and optional response parameters."""
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters
        self.injected = injected

    def envelope(self) -> JsonDict:
        """Return the JSON body Telegram sends for this error."""
        body: JsonDict = {"ok": False, "error_code": self.error_code}
        body["description"] = self.description
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """Build a 400 error, e.g. ``bad_request("chat not found")``."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """Build a 403 error, e.g. ``forbidden("bot was blocked by the user")``."""
    return ApiError(403, f"Forbidden: {detail}")


def conflict(detail: str) -> ApiError:
    """Build a 409 error such as the getUpdates/webhook conflict."""
    return ApiError(409, f"Conflict: {detail}")


def too_many_requests(retry_after: int, *, injected: bool = False) -> ApiError:
    """Build Telegram's flood-control error with its ``retry_after`` parameter."""
    return ApiError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        {"retry_after": retry_after},
        injected=injected,
    )


def unauthorized() -> ApiError:
    """Build the error Telegram returns for an invalid bot token."""
    return ApiError(401, "Unauthorized")


def not_found() -> ApiError:
    """Build the error Telegram returns for an unknown method or file."""
    return ApiError(404, "Not Found")


def entity_too_large() -> ApiError:
    """Build the error Telegram returns for an upload above the size limit."""
    return ApiError(413, "Request Entity Too Large")
