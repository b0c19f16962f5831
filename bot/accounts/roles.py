"""Customs staff: roles, one-time invite links, and the team list."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.core.users import Access

INVITE_PREFIX = "join_"
TOKEN_BYTES = 18  # 24 URL-safe characters; with the prefix well under Telegram's 64
_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class Role(StrEnum):
    """A staff role that an invite grants."""

    OFFICER = "officer"
    ADMIN = "admin"

    @property
    def access(self) -> Access:
        """Return the access level this role gives."""
        return Access(self.value)


class InviteFailure(StrEnum):
    """Why an invite link did not work."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    CANCELLED = "cancelled"  # by an admin, or because its maker may no longer invite


class Invite(BaseModel):
    """A one-time link that makes whoever opens it an officer or admin."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    token: str
    role: Role
    created_by: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None = None
    used_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancelled_by: int | None = None

    @property
    def payload(self) -> str:
        """Return the /start payload of the link: t.me/<bot>?start=<payload>."""
        return invite_payload(self.token)


class TeamMember(BaseModel):
    """An officer or admin; `configured` admins come from ADMIN_IDS and cannot be revoked."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    role: Role
    name: str
    configured: bool = False


def new_token() -> str:
    """Return a fresh unguessable invite token (A-Z, a-z, 0-9, _ and -)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def invite_payload(token: str) -> str:
    """Return the deep-link payload that carries an invite token."""
    payload = INVITE_PREFIX + token
    if not _PAYLOAD.match(payload):
        raise ValueError("a /start payload is 1-64 characters of A-Z, a-z, 0-9, _ and -")
    return payload


def token_from_payload(payload: str | None) -> str | None:
    """Return the invite token in a /start payload, or None if it is not an invite."""
    if not payload or not payload.startswith(INVITE_PREFIX) or not _PAYLOAD.match(payload):
        return None
    return payload.removeprefix(INVITE_PREFIX) or None
