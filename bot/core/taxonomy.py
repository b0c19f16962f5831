"""The words of shared/TAXONOMY.md: kinds, urgencies, topics (by TFA article) and offices."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

Urgency = Literal["high", "normal", "low"]
URGENCIES: tuple[Urgency, ...] = get_args(Urgency)
OTHER_TOPIC = "other"  # the topic code of feedback that fits no other topic
NOT_SURE = "not_sure"
OTHER_OFFICE = "other"
NO_OFFICE = "none"


class Kind(StrEnum):
    """What the sender wants."""

    ISSUE = "issue"
    SUGGESTION = "suggestion"
    QUESTION = "question"


class Topic(BaseModel):
    """A report topic from shared/TAXONOMY.md, with its names per language."""

    model_config = ConfigDict(frozen=True)

    code: str
    tfa: str = ""
    names: dict[str, str]

    def name(self, language: str) -> str:
        """Return the topic's name in language, English if missing."""
        return self.names.get(language) or self.names["en"]


class Office(BaseModel):
    """A customs office or border post."""

    model_config = ConfigDict(frozen=True)

    code: str
    kind: str
    names: dict[str, str]

    def name(self, language: str) -> str:
        """Return the office's name in language, English if missing."""
        return self.names.get(language) or self.names["en"]


class Taxonomy(BaseModel):
    """The topics and offices in use."""

    model_config = ConfigDict(frozen=True)

    topics: tuple[Topic, ...]
    offices: tuple[Office, ...]

    def topic(self, code: str | None) -> Topic | None:
        """Return the topic with this code."""
        return next((topic for topic in self.topics if topic.code == code), None)

    def office(self, code: str | None) -> Office | None:
        """Return the office with this code."""
        return next((office for office in self.offices if office.code == code), None)
