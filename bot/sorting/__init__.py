"""Sort traders' feedback into kind, topic and urgency, with sentiment and language."""

from bot.core.labels import KINDS, TOPICS, Classification, LabelledExample
from bot.sorting.baseline import KeywordClassifier
from bot.sorting.classifier import Classifier, ClassifierSettings
from bot.sorting.language import detect_language

__all__ = [
    "KINDS",
    "TOPICS",
    "Classification",
    "Classifier",
    "ClassifierSettings",
    "KeywordClassifier",
    "LabelledExample",
    "detect_language",
]
