"""Reading the bot's messages in one chat, in order, through a cursor."""

# ruff: noqa: ASYNC109  (a per-call ``timeout`` is the point of this test-facing API)

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.sandbox.views import BotMessage

if TYPE_CHECKING:
    from bot.sandbox.core import SandboxCore

Predicate = Callable[[BotMessage], bool]


class Inbox:
    """The bot's messages in one chat, read in order through a cursor."""

    def __init__(self, core: SandboxCore, chat_id: int, label: str) -> None:
        """Start reading from the beginning of the chat."""
        self._core = core
        self.chat_id = chat_id
        self.label = label
        self._cursor = 0

    @property
    def messages(self) -> list[BotMessage]:
        """Return the bot's messages in their current state, oldest first."""
        return self._core.sent_to(self.chat_id)

    @property
    def last(self) -> BotMessage | None:
        """Return the newest bot message, if any."""
        messages = self.messages
        return messages[-1] if messages else None

    async def wait_for_message(
        self,
        contains: str | None = None,
        *,
        timeout: float = 5.0,
        predicate: Predicate | None = None,
    ) -> BotMessage:
        """Return the next unread bot message (sent or edited) that matches.

        Unread messages before the match are skipped; each message version is
        returned once. On timeout, fail with everything the chat received.
        """
        world = self._core.world
        found: list[BotMessage] = []
        mine: list[int] = []  # this chat's events from the cursor on, found so far
        scanned = self._cursor  # events before this were looked at once (others' never again)

        def check() -> bool:
            nonlocal scanned
            events = world.events
            mine.extend(i for i in range(scanned, len(events)) if events[i].chat_id == self.chat_id)
            scanned = len(events)
            for index in mine:
                event = events[index]
                if event.kind == "deleted":
                    continue
                view = BotMessage.from_state(event.message, world.files)
                if contains is not None and contains not in view.content:
                    continue
                if predicate is not None and not predicate(view):
                    continue
                found.append(view)
                self._cursor = event.seq + 1
                return True
            return False

        if not await world.chat_signal(self.chat_id).wait_until(check, timeout):
            wanted = f"containing {contains!r}" if contains is not None else "matching"
            raise AssertionError(self.report(f"no bot message {wanted} within {timeout} s"))
        return found[0]

    async def wait_for_document(self, *, timeout: float = 5.0) -> BotMessage:
        """Return the next unread bot message that carries a document."""
        return await self.wait_for_message(
            timeout=timeout, predicate=lambda message: message.document is not None
        )

    def report(self, headline: str) -> str:
        """Describe everything this chat received, for failure messages."""
        core = self._core
        lines = [f"{self.label} (chat {self.chat_id}): {headline}."]
        events = [e for e in core.world.events if e.chat_id == self.chat_id]
        if events:
            lines.append("Bot activity in this chat (> = unread):")
        for event in events:
            marker = ">" if event.seq >= self._cursor else " "
            view = BotMessage.from_state(event.message, core.world.files)
            lines.append(f"  {marker} {event.kind:<7} {view.summary()}")
        if not events:
            lines.append("The bot sent nothing to this chat.")
        for rejection in core.rejections[-5:]:
            lines.append(
                f"Rejected call: {rejection.method} -> {rejection.error_code} "
                f"{rejection.description}"
            )
        undelivered = len(core.hub.undelivered)
        if undelivered:
            lines.append(f"{undelivered} update(s) not fetched by the bot yet.")
        return "\n".join(lines)


class Reader:
    """Something with an inbox: a simulated user or group chat."""

    def __init__(self, core: SandboxCore, chat_id: int, label: str) -> None:
        """Open the inbox of the given chat."""
        self._core = core
        self.inbox = Inbox(core, chat_id, label)

    @property
    def messages(self) -> list[BotMessage]:
        """Return the bot's messages in this chat, current state, oldest first."""
        return self.inbox.messages

    @property
    def last(self) -> BotMessage | None:
        """Return the newest bot message in this chat."""
        return self.inbox.last
