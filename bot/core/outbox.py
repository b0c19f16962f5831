"""What became of one message the bot sent on its own: the outcome every sender reports."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    """How one send ended, as far as the bot can know."""

    SENT = "sent"
    BLOCKED = "blocked"  # the user blocked the bot (403): mark them, never try again
    REJECTED = "rejected"  # Telegram refused this message for good (400, chat not found...)
    RETRY_AFTER = "retry_after"  # flood control (429): everybody waits `wait` seconds
    TRANSIENT = "transient"  # the message surely did not go out: try again later
    UNCONFIRMED = "unconfirmed"  # the request may have reached Telegram: never send it again


@dataclass(frozen=True)
class Sent:
    """The outcome of one send, with the message id, the wait asked for, or the error."""

    outcome: Outcome
    message_id: int | None = None
    wait: float = 0.0
    error: str = ""

    @property
    def ok(self) -> bool:
        """Tell whether the message arrived."""
        return self.outcome is Outcome.SENT
