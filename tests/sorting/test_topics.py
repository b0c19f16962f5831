"""The classifier's topic codes are the taxonomy's: config/topics.toml, the model, the lexicon."""

from __future__ import annotations

from bot.core.taxonomy import OTHER_TOPIC
from bot.sorting import TOPICS
from bot.sorting.model import SortingModel
from bot.sorting.shipped import read_shipped_toml
from config.reference_data import load_taxonomy

TAXONOMY_CODES = tuple(topic.code for topic in load_taxonomy().topics)


def test_every_taxonomy_topic_can_be_chosen_by_the_classifier() -> None:
    missing = [code for code in TAXONOMY_CODES if code not in TOPICS]
    assert not missing, f"in config/topics.toml but unknown to the classifier: {missing}"


def test_every_classifier_topic_is_in_the_taxonomy() -> None:
    unknown = [code for code in TOPICS if code not in TAXONOMY_CODES]
    assert not unknown, f"chosen by the classifier but not in config/topics.toml: {unknown}"
    assert OTHER_TOPIC in TAXONOMY_CODES


def test_the_shipped_model_knows_exactly_the_taxonomy_topics() -> None:
    assert set(SortingModel.shipped().heads["topic"].classes) == set(TAXONOMY_CODES)


def test_the_topic_lexicon_names_only_taxonomy_topics() -> None:
    unknown = set(read_shipped_toml("topics.toml")) - set(TAXONOMY_CODES)
    assert not unknown, f"bot/sorting/resources/topics.toml has unknown topics: {unknown}"
