"""Users of the bot: who they are, what they chose, and what they may do."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

OTHER_LANGUAGE: Literal["other"] = "other"  # a text in none of the bot's languages


class Language(StrEnum):
    """Languages the bot speaks."""

    EN = "en"
    ES = "es"
    RU = "ru"

    @classmethod
    def from_code(cls, code: str | None, default: Language) -> Language:
        """Return the language for a Telegram language_code like 'es-AR', or default."""
        if code:
            base = code.split("-")[0].lower()
            for language in cls:
                if language.value == base:
                    return language
        return default


TextLanguage = Language | Literal["other"]  # the language a text is written in


class BusinessRole(StrEnum):
    """What the user does in trade."""

    TRADER = "trader"
    BROKER = "broker"
    FORWARDER = "forwarder"
    OTHER = "other"


class BusinessSize(StrEnum):
    """Size of the user's business, for aggregate statistics only."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"
    UNDISCLOSED = "undisclosed"


class WomenLed(StrEnum):
    """Whether the business is women-owned or women-led, for aggregate statistics only."""

    YES = "yes"
    NO = "no"
    UNDISCLOSED = "undisclosed"


class Access(StrEnum):
    """What a user may do: everyone is a user; officers and admins are Customs staff."""

    USER = "user"
    OFFICER = "officer"
    ADMIN = "admin"

    def includes(self, other: Access) -> bool:
        """Tell whether this access level grants everything the other one does."""
        order = [Access.USER, Access.OFFICER, Access.ADMIN]
        return order.index(self) >= order.index(other)


class TelegramProfile(BaseModel):
    """What Telegram tells us about a user on every update."""

    model_config = ConfigDict(frozen=True)

    id: int
    first_name: str = ""
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


class User(BaseModel):
    """A registered user as stored."""

    model_config = ConfigDict(frozen=True)

    id: int
    first_name: str = ""
    last_name: str | None = None
    username: str | None = None
    language: Language = Language.EN
    business_role: BusinessRole | None = None
    organisation: str | None = None
    business_size: BusinessSize | None = None
    women_led: WomenLed | None = None
    staff_role: Access | None = None
    onboarding_step: str | None = None
    privacy_accepted_at: datetime | None = None
    notices_enabled: bool = True
    blocked_bot: bool = False
    created_at: datetime
    updated_at: datetime

    @property
    def onboarded(self) -> bool:
        """Tell whether the user has finished onboarding (accepted the privacy notice)."""
        return self.privacy_accepted_at is not None and self.onboarding_step is None

    def access(self, admin_ids: frozenset[int]) -> Access:
        """Return this user's access level, admins by configuration included."""
        if self.id in admin_ids:
            return Access.ADMIN
        return self.staff_role or Access.USER


def display_name(first_name: str, last_name: str | None, username: str | None) -> str:
    """Return how a staff member is named in the team list."""
    name = " ".join(part for part in (first_name, last_name) if part).strip()
    return name or (f"@{username}" if username else "—")
