"""Sort traders' feedback into kind, topic and urgency, with sentiment and language."""

from bot.core.labels import (
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
from bot.sorting.baseline import KeywordClassifier
from bot.sorting.classifier import Classifier, ClassifierSettings
from bot.sorting.language import detect_language

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
