"""A user's open guided conversation: which flow, and its data as JSON."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Flow(StrEnum):
    """The guided conversations a user can be in."""

    REPORT = "report"  # writing a report (the data is a Draft)
    ADD_INFO = "add_info"  # adding information to one of their reports
    MEETING = "meeting"  # an officer's meeting form (the data is a MeetingDraft)
    TYPED_ANSWER = "typed_answer"  # a typed text an action waits for (data: "<action>:<report>")


class Conversation(BaseModel):
    """A stored conversation."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    flow: Flow
    data: str
    updated_at: datetime
