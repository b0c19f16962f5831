"""Sort traders' feedback into kind, topic and urgency, with sentiment and language."""

from bot.domain.sorting.baseline import KeywordClassifier
from bot.domain.sorting.classifier import Classifier, ClassifierSettings
from bot.domain.sorting.labels import (
    KINDS,
    TOPICS,
    URGENCIES,
    Classification,
    Kind,
    LabelledExample,
    Language,
    Topic,
    Urgency,
)
from bot.domain.sorting.language import detect_language

__all__ = [
    "KINDS",
    "TOPICS",
    "URGENCIES",
    "Classification",
    "Classifier",
    "ClassifierSettings",
    "KeywordClassifier",
    "Kind",
    "LabelledExample",
    "Language",
    "Topic",
    "Urgency",
    "detect_language",
]
