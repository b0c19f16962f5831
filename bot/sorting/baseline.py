"""A keyword-only sorter over the same seed lexicons, kept as the evaluation baseline."""

from __future__ import annotations

from bot.core.labels import KINDS, TOPICS, Classification
from bot.core.taxonomy import OTHER_TOPIC, Kind, Urgency
from bot.sorting.features import analyse
from bot.sorting.lexicon import cue_lexicons, topic_lexicon
from bot.sorting.sentiment import sentiment, warm_up

QUESTION_MARK_WEIGHT = 1.5
HIGH_URGENCY_SCORE = 2.0


class KeywordClassifier:
    """Sort by counting lexicon cues only: no learning, no thresholds beyond 'no hit'."""

    def __init__(self) -> None:
        """Load the shipped lexicons."""
        self._topics = topic_lexicon()
        self._cues = cue_lexicons()
        warm_up()

    def classify(self, text: str, lang_hint: str | None = None) -> Classification:
        """Pick the label with the most cue weight for each head."""
        doc = analyse(text, lang_hint)
        topic_scores = self._topics.scores(doc)
        topic = max(TOPICS, key=lambda label: topic_scores.get(label, 0.0))
        topic_total = sum(topic_scores.values())
        if topic_scores.get(topic, 0.0) == 0.0:
            topic = OTHER_TOPIC
        kind_scores = self._cues["kind"].scores(doc)
        if "?" in text or "¿" in text:
            kind_scores["question"] = kind_scores.get("question", 0.0) + QUESTION_MARK_WEIGHT
        kind = max(KINDS, key=lambda label: kind_scores.get(label, 0.0))
        if kind_scores.get(kind, 0.0) == 0.0:
            kind = Kind.ISSUE
        urgency: Urgency = "low"
        if kind is Kind.ISSUE:
            high = self._cues["urgency"].scores(doc).get("high", 0.0)
            urgency = "high" if high >= HIGH_URGENCY_SCORE else "normal"
        confidence = topic_scores.get(topic, 0.0) / topic_total if topic_total else 0.0
        return Classification(
            kind=kind,
            topic=topic,
            urgency=urgency,
            sentiment=sentiment(doc),
            confidence=round(confidence, 4),
            language=doc.language,
            topic_confidence=round(confidence, 4),
        )
