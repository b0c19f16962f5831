"""A notification: what a service asks the bot to tell someone, rendered by its capability."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Notification:
    """A message to send: a catalog key and its parameters, to a private or group chat.

    `language` is the recipient's language (None: the chat's default); `report_id` lets the
    sender add the report's buttons (answer, rate).
    """

    chat_id: int
    key: str
    params: dict[str, str | int] = field(default_factory=dict)
    language: str | None = None
    report_id: int | None = None
