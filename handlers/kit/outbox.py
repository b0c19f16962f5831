"""The one place that tells what became of a message the bot sent on its own.

Every sender (notices, meetings, follow-up, digests, the error handler) classifies Telegram's
answer here: sent, blocked (the user is marked so), rejected, retry after N seconds,
transient (surely not sent: try again) or unconfirmed (it may have arrived: never again).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta

import httpx
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import ExtBot
from telegram.warnings import PTBDeprecationWarning

from bot.container import Services
from bot.core.notifications import Notification
from bot.core.outbox import Outcome, Sent
from handlers.kit.metrics import count_send
from handlers.kit.render import escape, send_text

log = logging.getLogger(__name__)
# Causes after which the request surely never reached Telegram.
NOT_SENT = (TelegramError, httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def retry_seconds(error: RetryAfter) -> float:
    """Return how long Telegram asked to wait, whether PTB gives an int or a timedelta."""
    with warnings.catch_warnings():  # the int form warns that it will become a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait: int | timedelta = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


def classify(error: TelegramError) -> Sent:
    """Return the outcome of a send that raised `error` (the one ladder of Telegram errors)."""
    if isinstance(error, RetryAfter):
        return Sent(Outcome.RETRY_AFTER, wait=retry_seconds(error), error="429")
    if isinstance(error, Forbidden):
        return Sent(Outcome.BLOCKED, error=str(error))
    if isinstance(error, BadRequest):  # before NetworkError, which it subclasses
        return Sent(Outcome.REJECTED, error=str(error))
    if isinstance(error, (TimedOut, NetworkError)):  # TimedOut subclasses NetworkError too
        cause = error.__cause__
        unsent = cause is None or isinstance(cause, NOT_SENT)
        return Sent(Outcome.TRANSIENT if unsent else Outcome.UNCONFIRMED, error=str(error))
    return Sent(Outcome.REJECTED, error=str(error))  # invalid token, chat migrated, conflict


async def attempt(sending: Awaitable[object]) -> Sent:
    """Await one send and return its outcome (Telegram's errors classified, never raised)."""
    try:
        result = await sending
    except TelegramError as error:
        return count_send(classify(error))
    message_id = getattr(result, "message_id", None)
    return count_send(
        Sent(Outcome.SENT, message_id=message_id if isinstance(message_id, int) else None)
    )


async def delivered(
    services: Services, chat_id: int, sending: Awaitable[object], what: str, **extra: object
) -> bool:
    """Await what the bot sends one chat on its own; log (never raise) if it does not arrive.

    A user who blocked the bot is marked so; the caller goes on with the next chat.
    """
    result = await attempt(sending)
    await settle(services, chat_id, result, what, **extra)
    return result.ok


async def settle(
    services: Services, chat_id: int, result: Sent, what: str, **extra: object
) -> None:
    """Record a send's outcome: mark a user who blocked the bot, log what did not arrive."""
    extra = {"what": what, **extra}
    if result.outcome is Outcome.BLOCKED:
        await services.users.mark_blocked(chat_id)
        log.info("not delivered: chat unreachable", extra=extra)
    elif result.outcome is Outcome.REJECTED:
        log.warning("refused by Telegram", extra={**extra, "error": result.error})
    elif not result.ok:
        log.warning("not delivered", extra={**extra, "error": result.error})


# --- notifications: what services return to tell someone, rendered by their capability -------

Rendered = tuple[str, InlineKeyboardMarkup | None]
Renderer = Callable[[Services, Notification], Rendered]
_renderers: dict[str, Renderer] = {}


def register_renderer(family: str, render: Renderer) -> None:
    """Render the notifications whose catalog key starts with `family.` (done at start)."""
    _renderers[family] = render


def render_notification(services: Services, note: Notification) -> Rendered:
    """Return a notification's text and buttons, by its family's renderer (else plain text)."""
    render = _renderers.get(note.key.split(".", 1)[0])
    if render is not None:
        return render(services, note)
    t = services.translate
    params = {k: escape(v) if isinstance(v, str) else v for k, v in note.params.items()}
    return t(note.language or t.default, note.key, **params), None


async def send_notifications(
    bot: ExtBot[None], services: Services, notes: Iterable[Notification]
) -> int:
    """Send each notification; return how many arrived (unreachable chats are logged, skipped)."""
    sent = 0
    for note in notes:
        text, markup = render_notification(services, note)
        sending = send_text(bot, note.chat_id, text, markup)
        sent += await delivered(services, note.chat_id, sending, "notification", key=note.key)
    return sent
