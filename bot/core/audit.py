"""The audit log: who did what to which report or role, and when."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator

Detail = dict[str, str | int | bool | None]


class Action(StrEnum):
    """What was done."""

    STATUS = "status"
    ASSIGN = "assign"
    REPLY = "reply"
    NOTE = "note"
    REQUEST_INFO = "request_info"
    CORRECT = "correct"
    REPORTER_REPLY = "reporter_reply"
    RATING = "rating"
    COMMENT = "comment"
    INVITE_CREATED = "invite_created"
    INVITE_REFUSED = "invite_refused"
    INVITE_CANCELLED = "invite_cancelled"
    ROLE_GRANTED = "role_granted"
    ROLE_REVOKED = "role_revoked"
    REFUSED = "refused"


class Actor(StrEnum):
    """Who did it: staff, the report's reporter (never by id), another user, or the bot."""

    STAFF = "staff"
    REPORTER = "reporter"
    USER = "user"
    SYSTEM = "system"


class AuditEntry(BaseModel):
    """One line of the audit log; a reporter's own steps are never stored with their id."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    report_id: int | None = None
    actor: Actor
    actor_id: int | None = None
    action: Action
    detail: Detail = {}
    at: datetime

    @model_validator(mode="after")
    def _reporter_without_id(self) -> AuditEntry:
        if self.actor is Actor.REPORTER and self.actor_id is not None:
            raise ValueError("the reporter's steps are audited without their id")
        if self.action is Action.REFUSED and self.report_id is not None:
            raise ValueError("a refusal is audited without the report, so it names nobody")
        return self
