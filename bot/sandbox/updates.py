"""The update queue: long polling with getUpdates, or sequential webhook delivery."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus

import aiohttp

from bot.sandbox.errors import JsonDict, conflict, unix_now
from bot.sandbox.faults import Stats
from bot.sandbox.state import Signal

UPDATE_TYPES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)
# Telegram leaves these out unless they are requested explicitly in allowed_updates.
NOT_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105  (a header name)

WebhookReplyHandler = Callable[[JsonDict], Awaitable[None]]


@dataclass
class WebhookConfig:
    """The webhook set with setWebhook."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None


@dataclass(frozen=True)
class WebhookDelivery:
    """One attempt to POST an update to the webhook."""

    update_id: int
    url: str
    attempt: int
    status: int | None
    error: str | None
    time: float

    @property
    def ok(self) -> bool:
        """Return whether the webhook answered with a 2xx status."""
        return self.status is not None and 200 <= self.status < 300


def update_type(update: JsonDict) -> str:
    """Return the kind of an update, e.g. ``message`` or ``callback_query``."""
    return next((key for key in update if key != "update_id"), "unknown")


class UpdateHub:
    """Hold updates until the bot fetches them or the webhook accepts them."""

    def __init__(self, signal: Signal, stats: Stats, first_update_id: int = 100_000_001) -> None:
        """Start with an empty queue and no webhook."""
        self.signal = signal
        self.stats = stats
        self.pending: list[JsonDict] = []
        self.history: list[JsonDict] = []
        self.allowed_updates: list[str] | None = None
        self.webhook: WebhookConfig | None = None
        self.deliveries: list[WebhookDelivery] = []
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.webhook_retries = 3
        self.webhook_retry_delay = 0.05
        self.webhook_timeout = 10.0
        self.on_webhook_reply: WebhookReplyHandler | None = None
        self.on_activity: Callable[[], None] | None = None
        self.closing = False
        self._delivered: set[int] = set()
        self._next_id = first_update_id
        self._poll_generation = 0
        self._posting = False
        self._worker: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def push(self, payload: JsonDict) -> JsonDict:
        """Queue an update (``update_id`` is assigned unless present) and return it."""
        update_id = int(payload.get("update_id") or self._next_id)
        self._next_id = max(self._next_id, update_id + 1)
        update = {"update_id": update_id, **{k: v for k, v in payload.items() if k != "update_id"}}
        self.pending.append(update)
        self.history.append(update)
        self.stats.updates += 1
        self._active()
        return update

    def _active(self) -> None:
        """Report activity (an update queued or handed over) and wake waiters."""
        if self.on_activity is not None:
            self.on_activity()
        self.signal.notify()

    @property
    def allowed(self) -> frozenset[str]:
        """Return the update types the bot currently receives."""
        if not self.allowed_updates:
            return frozenset(UPDATE_TYPES) - NOT_DEFAULT
        return frozenset(self.allowed_updates)

    @property
    def quiet(self) -> bool:
        """Return whether every queued update has reached the bot at least once."""
        if self.webhook is not None:
            return not self.pending and not self._posting
        return all(update["update_id"] in self._delivered for update in self.pending)

    @property
    def undelivered(self) -> list[JsonDict]:
        """Return queued updates the bot has not received yet."""
        return [u for u in self.pending if u["update_id"] not in self._delivered]

    def drop_pending(self) -> None:
        """Forget every queued update (``drop_pending_updates``)."""
        self.pending.clear()
        self._delivered.clear()
        self.signal.notify()

    def _prune(self) -> None:
        """Drop queued updates of types the bot does not receive."""
        allowed = self.allowed
        self.pending = [u for u in self.pending if update_type(u) in allowed]

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            self.pending = self.pending[offset:]
        elif offset > 0:
            for update in self.pending:
                if update["update_id"] < offset:
                    self._delivered.discard(update["update_id"])
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    async def get_updates(
        self,
        offset: int,
        limit: int,
        timeout: float,  # noqa: ASYNC109  (Telegram's long-polling parameter)
        allowed: list[str] | None,
    ) -> list[JsonDict]:
        """Answer getUpdates: confirm, then long-poll up to ``timeout`` seconds."""
        if self.webhook is not None:
            raise conflict(
                "can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first"
            )
        if allowed is not None:
            self.allowed_updates = allowed
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self.signal.notify()
        limit = min(max(limit, 1), 100)

        def ready() -> bool:
            self._prune()
            superseded = generation != self._poll_generation
            return superseded or self.closing or bool(self.pending) or bool(self.webhook)

        await self.signal.wait_until(ready, max(timeout, 0.0))
        if self.closing:
            return []
        if generation != self._poll_generation:
            raise conflict(
                "terminated by other getUpdates request; "
                "make sure that only one bot instance is running"
            )
        if self.webhook is not None:
            raise conflict("terminated by setWebhook request")
        batch = self.pending[:limit]
        self._delivered.update(u["update_id"] for u in batch)
        if batch:
            self._active()
        return batch

    def set_webhook(self, config: WebhookConfig, *, drop_pending: bool) -> None:
        """Switch to webhook delivery and start the delivery worker."""
        if drop_pending:
            self.drop_pending()
        self.webhook = config
        self._delivered.clear()
        self.signal.notify()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._deliver_loop(), name="sandbox-webhook")

    def delete_webhook(self, *, drop_pending: bool) -> None:
        """Switch back to getUpdates; undelivered updates stay queued."""
        if drop_pending:
            self.drop_pending()
        self.webhook = None
        self.signal.notify()

    def webhook_info(self) -> JsonDict:
        """Return the Bot API ``WebhookInfo`` object."""
        info: JsonDict = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.pending),
        }
        if self.webhook is not None:
            info["max_connections"] = self.webhook.max_connections
            if self.webhook.ip_address:
                info["ip_address"] = self.webhook.ip_address
        if self.allowed_updates:
            info["allowed_updates"] = list(self.allowed_updates)
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info

    async def _deliver_loop(self) -> None:
        """POST queued updates to the webhook one by one, in order."""
        while True:
            await self.signal.wait_until(lambda: self.webhook is None or bool(self.pending), 60)
            config = self.webhook
            if config is None:
                return
            self._prune()
            if not self.pending:
                continue
            update = self.pending[0]
            self._posting = True
            try:
                finished = await self._post(config, update)
            finally:
                self._posting = False
            if finished and self.pending and self.pending[0] is update:
                self.pending.pop(0)
            self._active()

    async def _post(self, config: WebhookConfig, update: JsonDict) -> bool:
        """Deliver one update with retries; return False if the webhook changed meanwhile."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = {"Content-Type": "application/json"}
        if config.secret_token:
            headers[SECRET_HEADER] = config.secret_token
        body = json.dumps(update, ensure_ascii=False).encode("utf-8")
        timeout = aiohttp.ClientTimeout(total=self.webhook_timeout)
        for attempt in range(1, self.webhook_retries + 2):
            if self.webhook is not config:
                return False
            status: int | None = None
            error: str | None = None
            reply = b""
            try:
                async with self._session.post(
                    config.url, data=body, headers=headers, timeout=timeout
                ) as response:
                    status = response.status
                    reply = await response.read()
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = _connection_error(exc)
            delivery = WebhookDelivery(
                update["update_id"], config.url, attempt, status, error, time.time()
            )
            self.deliveries.append(delivery)
            if status is not None and 200 <= status < 300:
                self.stats.webhook_deliveries += 1
                await self._handle_reply(reply)
                return True
            self.stats.webhook_failures += 1
            self.last_error_date = unix_now()
            self.last_error_message = error or _wrong_response(status)
            self.signal.notify()
            if attempt <= self.webhook_retries:
                await asyncio.sleep(self.webhook_retry_delay)
        return True

    async def _handle_reply(self, reply: bytes) -> None:
        """Execute a method the webhook returned in its response body, like Telegram."""
        if not reply.strip() or self.on_webhook_reply is None:
            return
        with contextlib.suppress(ValueError):
            payload = json.loads(reply)
            if isinstance(payload, dict) and isinstance(payload.get("method"), str):
                await self.on_webhook_reply(payload)

    async def close(self) -> None:
        """Stop the delivery worker and close its HTTP session."""
        self.webhook = None
        self.signal.notify()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._session is not None:
            await self._session.close()
            self._session = None


def _wrong_response(status: int | None) -> str:
    try:
        phrase = HTTPStatus(status or 0).phrase
    except ValueError:
        phrase = "Unknown"
    return f"Wrong response from the webhook: {status} {phrase}"


def _connection_error(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "Read timeout expired"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "Connection refused"
    return f"Connection error: {exc.__class__.__name__}"
