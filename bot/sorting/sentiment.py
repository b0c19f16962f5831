"""Score a message's sentiment from -1 (negative) to 1 (positive), offline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from bot.core.text import MAX_TEXT_CHARS, normalise, tokenise
from bot.sorting.features import Document
from bot.sorting.lexicon import Lexicon, build_lexicon
from bot.sorting.shipped import read_shipped_toml

_NEGATION_WINDOW = 2
_INTENSITY = 1.5
_EMOJI_WEIGHT = 0.25
_NEUTRAL_BAND = 0.05


@dataclass(frozen=True)
class _PolarityData:
    """Hold the polarity lexicon, negators, intensifiers and emoji sets."""

    lexicon: Lexicon
    negators: dict[str, frozenset[str]]
    intensifiers: dict[str, frozenset[str]]
    positive_emoji: frozenset[str]
    negative_emoji: frozenset[str]


def _word_sets(table: dict[str, list[str]]) -> dict[str, frozenset[str]]:
    """Normalise a {language: [word, ...]} table into sets."""
    return {code: frozenset(tokenise(normalise(" ".join(words)))) for code, words in table.items()}


@cache
def _polarity_data() -> _PolarityData:
    """Load resources/sentiment.toml shipped with the package."""
    raw = read_shipped_toml("sentiment.toml")
    return _PolarityData(
        lexicon=build_lexicon({"polarity": raw["polarity"]}),
        negators=_word_sets(raw["negators"]),
        intensifiers=_word_sets(raw["intensifiers"]),
        positive_emoji=frozenset(raw["emoji"]["positive"]),
        negative_emoji=frozenset(raw["emoji"]["negative"]),
    )


@cache
def _textblob_polarity() -> Callable[[str], float]:
    """Import TextBlob's PatternAnalyzer once (it reads the bundled en-sentiment.xml)."""
    from textblob.sentiments import PatternAnalyzer

    analyzer: Any = PatternAnalyzer()

    def polarity(text: str) -> float:
        """Return TextBlob's polarity of English text."""
        return float(analyzer.analyze(text)[0])

    return polarity


def warm_up() -> None:
    """Load the sentiment resources now rather than on the first message."""
    _polarity_data()
    _textblob_polarity()("ok")


def lexicon_polarity(doc: Document) -> float:
    """Score polarity with the shipped lexicon, flipping negated and boosting intensified words."""
    data = _polarity_data()
    negators = data.negators.get(doc.language, frozenset())
    intensifiers = data.intensifiers.get(doc.language, frozenset())
    total = 0.0
    magnitude = 0.0
    for index, entry in data.lexicon.occurrences(doc):
        value = entry.weight
        window = doc.tokens[max(0, index - _NEGATION_WINDOW) : index]
        if any(token in negators for token in window):
            value = -value
        if window and window[-1] in intensifiers:
            value *= _INTENSITY
        total += value
        magnitude += abs(value)
    return max(-1.0, min(1.0, total / (magnitude + 1.0)))


def emoji_polarity(text: str) -> float:
    """Return the balance of positive and negative emoji, -1..1."""
    data = _polarity_data()
    positive = sum(1 for char in text if char in data.positive_emoji)
    negative = sum(1 for char in text if char in data.negative_emoji)
    if positive + negative == 0:
        return 0.0
    return (positive - negative) / (positive + negative)


SENTIMENT_CLASSES = ("negative", "neutral", "positive")


def polarity_features(doc: Document) -> list[float]:
    """Return the polarity cues the sentiment head reads besides the embedding.

    The shipped lexicon's polarity (every language), TextBlob's (English text only, else 0)
    and the emoji balance.
    """
    raw = doc.raw[:MAX_TEXT_CHARS]
    blob = _textblob_polarity()(raw) if doc.language == "en" else 0.0
    return [lexicon_polarity(doc), blob, emoji_polarity(raw)]


def expected_polarity(probabilities: dict[str, float]) -> float:
    """Return one polarity on the common scale: P(positive) - P(negative), -1..1."""
    return round(probabilities["positive"] - probabilities["negative"], 4)


def sentiment(doc: Document) -> float:
    """Return the message's polarity: TextBlob for English, the shipped lexicon otherwise."""
    score = lexicon_polarity(doc)
    if doc.language == "en":
        blob = _textblob_polarity()(doc.raw[:MAX_TEXT_CHARS])
        if abs(blob) > _NEUTRAL_BAND:
            score = blob
    score += _EMOJI_WEIGHT * emoji_polarity(doc.raw[:MAX_TEXT_CHARS])
    return round(max(-1.0, min(1.0, score)), 4)
