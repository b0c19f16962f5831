"""A user's open guided conversation: which flow, and its data as JSON."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict


class Flow(StrEnum):
    """The guided conversations a user can be in."""

    REPORT = "report"  # writing a report (the data is a Draft)
    ADD_INFO = "add_info"  # adding information to one of their reports
    MEETING = "meeting"  # an officer's meeting form (the data is a MeetingDraft)
    TYPED_ANSWER = "typed_answer"  # a typed text an action waits for (data: "<action>:<report>")
    NOTICE = "notice"  # an admin writing a notice (data: the draft notice's id)
    COMMENT = "comment"  # a comment on a consultation (data: the notice's id)
    BULLETIN = "bulletin"  # an admin rewriting a bulletin's item (data: "<bulletin>:<item>")


class Conversation(BaseModel):
    """A stored conversation."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    flow: Flow
    data: str
    updated_at: datetime


class ConversationStore(Protocol):
    """Where forms in progress are kept across restarts."""

    async def get(self, user_id: int) -> Conversation | None: ...
    async def save(self, user_id: int, flow: str, data: str) -> None: ...
    async def clear(self, user_id: int) -> bool: ...
    async def idle_since(self, before: datetime) -> list[Conversation]: ...
    async def clear_if_unchanged(self, conversation: Conversation) -> bool: ...
    async def oldest_update(self, excluding: tuple[str, ...] = ()) -> datetime | None: ...
