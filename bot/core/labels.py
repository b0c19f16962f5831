"""Label codes of the feedback taxonomy and the result of sorting one message."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.core.taxonomy import OTHER_TOPIC, URGENCIES, Kind, Urgency
from bot.core.users import TextLanguage

KINDS: tuple[Kind, ...] = tuple(Kind)
# The topic codes the shipped model was trained on: config/topics.toml's codes, in its order
# (tests/sorting/test_topics.py fails if the two, or the model and the lexicon, disagree).
TOPICS: tuple[str, ...] = (
    "release_delays",
    "documentation",
    "fees_payments",
    "it_systems",
    "classification_valuation",
    "inspections",
    "transparency",
    "integrity",
    "border_cooperation",
    OTHER_TOPIC,
)

HEADS: dict[str, tuple[str, ...]] = {"kind": KINDS, "topic": TOPICS, "urgency": URGENCIES}


class Classification(BaseModel):
    """Hold the sorting of one message: labels, sentiment, confidence and language."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    topic: str
    urgency: Urgency
    sentiment: float = Field(ge=-1.0, le=1.0)
    confidence: float = Field(ge=0.0, le=1.0)
    language: TextLanguage
    kind_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    topic_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    urgency_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    tags: tuple[str, ...] = ()
    # False when the topic is too uncertain to assign: an officer picks it, from the guesses.
    sure: bool = True
    # When not sure: the two most probable topics, best first.
    guesses: tuple[str, ...] = ()


class LabelledExample(BaseModel):
    """Hold one message with the labels an officer or the data set gives it."""

    model_config = ConfigDict(frozen=True)

    text: str
    lang: str | None = None
    kind: Kind | None = None
    topic: str | None = None
    urgency: Urgency | None = None
