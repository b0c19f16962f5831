"""Label codes of the feedback taxonomy and the result of sorting one message."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["issue", "suggestion", "question"]
Topic = Literal[
    "release_delays",
    "documentation",
    "fees_payments",
    "it_systems",
    "classification_valuation",
    "inspections",
    "transparency",
    "integrity",
    "border_cooperation",
    "other",
]
Urgency = Literal["high", "normal", "low"]
Language = Literal["en", "es", "ru", "other"]

KINDS: tuple[Kind, ...] = get_args(Kind)
TOPICS: tuple[Topic, ...] = get_args(Topic)
URGENCIES: tuple[Urgency, ...] = get_args(Urgency)
LANGUAGES: tuple[Language, ...] = get_args(Language)
SUPPORTED_LANGUAGES: tuple[Language, ...] = ("en", "es", "ru")

HEADS: dict[str, tuple[str, ...]] = {"kind": KINDS, "topic": TOPICS, "urgency": URGENCIES}


class Classification(BaseModel):
    """Hold the sorting of one message: labels, sentiment, confidence and language."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    topic: Topic
    urgency: Urgency
    sentiment: float = Field(ge=-1.0, le=1.0)
    confidence: float = Field(ge=0.0, le=1.0)
    language: Language
    kind_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    topic_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    urgency_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    tags: tuple[Topic, ...] = ()


class LabelledExample(BaseModel):
    """Hold one message with the labels an officer or the data set gives it."""

    model_config = ConfigDict(frozen=True)

    text: str
    lang: str | None = None
    kind: Kind | None = None
    topic: Topic | None = None
    urgency: Urgency | None = None
