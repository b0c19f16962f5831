"""Typed answers an action waits for: an officer's reply or reason, a reporter's comment."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.conversations import Conversation, ConversationStore, Flow
from bot.core.forms import FormService


class Awaited(StrEnum):
    """What the next text a user types is for."""

    REPLY = "reply"  # officer: a reply to the reporter
    INFO = "info"  # officer: a request for more information
    NOTE = "note"  # officer: an internal note
    REJECT = "reject"  # officer: the reason a report is rejected
    DUPLICATE = "duplicate"  # officer: the reference of the original report
    COMMENT = "comment"  # reporter: a comment after rating a resolved report


@dataclass(frozen=True)
class Prompt:
    """A typed answer a user owes: for what, about which report."""

    awaited: Awaited
    report_id: int


class PromptService:
    """Remember, across restarts, what a user's next typed text answers."""

    def __init__(self, conversations: ConversationStore) -> None:
        self._forms = FormService(conversations)

    async def expect(self, user_id: int, awaited: Awaited, report_id: int) -> None:
        """Wait for the user's next text as the answer (replacing any open form)."""
        await self._forms.save(user_id, Flow.TYPED_ANSWER, f"{awaited}:{report_id}")

    async def pending(self, user_id: int) -> Prompt | None:
        """Return what the user's next text answers, if anything."""
        return prompt_of(await self._forms.current(user_id))

    async def done(self, user_id: int) -> None:
        """Stop waiting: the answer was taken."""
        await self._forms.clear(user_id)


def prompt_of(conversation: Conversation | None) -> Prompt | None:
    """Return what an open form's typed answer is for; None if it is not a typed answer."""
    if conversation is None or conversation.flow is not Flow.TYPED_ANSWER:
        return None
    awaited, _, report = conversation.data.partition(":")
    try:
        return Prompt(Awaited(awaited), int(report))
    except ValueError:
        return None
