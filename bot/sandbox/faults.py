"""Fault injection, flood-control limits, call records and counters."""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import NamedTuple

from bot.sandbox.errors import ApiError, JsonDict, too_many_requests

# Methods subject to flood control: the ones that post or change messages in a chat.
SENDING_METHODS = frozenset(
    {
        "sendmessage",
        "senddocument",
        "sendphoto",
        "sendvoice",
        "sendaudio",
        "sendvideo",
        "sendsticker",
        "sendlocation",
        "sendcontact",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
    }
)


class DroppedConnection(Exception):
    """An injected fault that closes the connection without any HTTP response."""


@dataclass
class ApiCall:
    """One Bot API call as the emulator saw it."""

    method: str
    params: JsonDict
    ok: bool
    time: float
    duration: float = 0.0
    error_code: int | None = None
    description: str | None = None
    injected: bool = False


class Rejection(NamedTuple):
    """A call the emulator answered with an error."""

    method: str
    params: JsonDict
    error_code: int
    description: str
    injected: bool = False


@dataclass
class Fault:
    """A scripted failure for the next ``times`` matching calls."""

    method: str | None
    error_code: int
    description: str
    retry_after: int | None = None
    times: int = 1
    chat_id: int | str | None = None
    disconnect: bool = False
    hits: int = 0

    def matches(self, method: str, chat_id: object) -> bool:
        """Return whether this fault applies to a call."""
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or str(self.chat_id) == str(chat_id)

    def error(self) -> ApiError:
        """Build the error response for this fault."""
        if self.error_code == 429:
            error = too_many_requests(self.retry_after or 1, injected=True)
            if self.description:
                error.description = self.description
            return error
        params = {"retry_after": self.retry_after} if self.retry_after else None
        return ApiError(self.error_code, self.description, params, injected=True)


def default_description(error_code: int, retry_after: int | None) -> str:
    """Return the description Telegram uses for an error code."""
    if error_code == 429:
        return f"Too Many Requests: retry after {retry_after or 1}"
    try:
        return HTTPStatus(error_code).phrase
    except ValueError:
        return f"Error {error_code}"


class Faults:
    """Scripted failures and artificial latency for the emulated API."""

    def __init__(self) -> None:
        """Start with no faults and no latency."""
        self.latency = 0.0
        self.method_latency: dict[str, float] = {}
        self._pending: list[Fault] = []

    def fail_next(
        self,
        method: str | None = "sendMessage",
        error_code: int = 429,
        *,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | str | None = None,
        disconnect: bool = False,
    ) -> Fault:
        """Fail the next ``times`` calls of ``method`` (None = any) with ``error_code``.

        429 responses carry ``parameters.retry_after`` (default 1) and the description
        ``Too Many Requests: retry after N``; other codes default to the HTTP phrase,
        e.g. ``Internal Server Error`` or ``Bad Gateway``. With ``disconnect=True`` the
        connection is dropped without any response instead.
        """
        if error_code == 429 and retry_after is None:
            retry_after = 1
        fault = Fault(
            method=method,
            error_code=error_code,
            description=description or default_description(error_code, retry_after),
            retry_after=retry_after,
            times=times,
            chat_id=chat_id,
            disconnect=disconnect,
        )
        self._pending.append(fault)
        return fault

    @property
    def pending(self) -> list[Fault]:
        """Return faults that still have calls left to fail."""
        return [fault for fault in self._pending if fault.times > 0]

    def clear(self) -> None:
        """Remove all pending faults and latency."""
        self._pending.clear()
        self.latency = 0.0
        self.method_latency.clear()

    def take(self, method: str, chat_id: object) -> Fault | None:
        """Consume and return the first pending fault matching this call."""
        for fault in self._pending:
            if fault.times > 0 and fault.matches(method, chat_id):
                fault.times -= 1
                fault.hits += 1
                return fault
        return None

    def delay_for(self, method: str) -> float:
        """Return the artificial latency for a method, in seconds."""
        per_method = {name.lower(): value for name, value in self.method_latency.items()}
        return self.latency + per_method.get(method.lower(), 0.0)


@dataclass
class Limits:
    """Telegram-like flood control (off by default); each limit is a sliding window."""

    global_per_second: int | None = None
    per_chat_per_second: int | None = None
    per_group_per_minute: int | None = None
    methods: frozenset[str] = SENDING_METHODS
    _global: deque[float] = field(default_factory=deque, repr=False)
    _per_chat: dict[str, deque[float]] = field(default_factory=dict, repr=False)

    def reset(self) -> None:
        """Forget all past calls."""
        self._global.clear()
        self._per_chat.clear()

    def check(self, method: str, chat_id: object, now: float, *, group: bool) -> int | None:
        """Record a call; return a retry_after in seconds if it exceeds a limit."""
        if method.lower() not in self.methods:
            return None
        windows: list[tuple[deque[float], int, float]] = []
        if self.global_per_second:
            windows.append((self._global, self.global_per_second, 1.0))
        if chat_id is not None:
            chat_window = self._per_chat.setdefault(str(chat_id), deque())
            if self.per_chat_per_second:
                windows.append((chat_window, self.per_chat_per_second, 1.0))
            if group and self.per_group_per_minute:
                windows.append((chat_window, self.per_group_per_minute, 60.0))
        wait = 0.0
        for window, limit, span in windows:
            recent = [t for t in window if t > now - span]
            if len(recent) >= limit:
                wait = max(wait, recent[-limit] + span - now)
        if wait > 0:
            return max(1, math.ceil(wait))
        touched = [self._global]
        if chat_id is not None:
            touched.append(self._per_chat[str(chat_id)])
        for window in touched:
            window.append(now)
            while window and window[0] <= now - 60:
                window.popleft()
        return None


@dataclass
class Stats:
    """Counters over the emulator's lifetime."""

    calls: Counter[str] = field(default_factory=Counter)
    sent_per_chat: Counter[int] = field(default_factory=Counter)
    edits_per_chat: Counter[int] = field(default_factory=Counter)
    too_many_requests: int = 0
    rate_limited: int = 0
    injected_faults: int = 0
    rejections: int = 0
    updates: int = 0
    webhook_deliveries: int = 0
    webhook_failures: int = 0

    @property
    def messages_sent(self) -> int:
        """Return how many messages the bot sent in all chats."""
        return sum(self.sent_per_chat.values())
