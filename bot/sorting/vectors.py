"""Turn an analysed message into the dense feature row the linear heads read.

A row is: the sentence embedding (512), the lexicons' scores per label, and hashed sparse
features (Snowball stems, the naive Bayes heads' stems, stem pairs, character n-grams,
openings and punctuation flags).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from functools import cache

import numpy as np
import snowballstemmer

from bot.core.labels import KINDS, TOPICS
from bot.core.taxonomy import URGENCIES
from bot.sorting.encoder import DIMENSIONS, Vectors
from bot.sorting.features import Document, kind_features, topic_features, urgency_features
from bot.sorting.lexicon import Lexicon, cue_lexicons, topic_lexicon, unless_negated
from bot.sorting.sentiment import polarity_features

HASHED = 4096
_SNOWBALL_NAMES = {"en": "english", "es": "spanish", "ru": "russian"}
LEXICON_COLUMNS = len(TOPICS) + len(KINDS) + len(URGENCIES) + 3
WIDTH = DIMENSIONS + LEXICON_COLUMNS + HASHED
QUESTION_POSITIONS = ("first", "later", "none")


@cache
def _stemmer(language: str) -> Callable[[str], str]:
    """Return the Snowball stemmer of a language the bot speaks (others are left whole)."""
    name = _SNOWBALL_NAMES.get(language)
    if name is None:
        return lambda word: word
    stemmer = snowballstemmer.stemmer(name)
    return stemmer.stemWord  # type: ignore[no-any-return]


def snowball_stems(doc: Document) -> list[str]:
    """Return the Snowball stems of the content words (Cyrillic words with the Russian one)."""
    stems = []
    for token, is_content in zip(doc.tokens, doc.content, strict=True):
        if not is_content or token.isdigit():
            continue
        language = "ru" if "а" <= token[0] <= "я" else doc.language
        stems.append(_stemmer(language)(token))
    return stems


@cache
def _lexicons() -> tuple[Lexicon, Lexicon, Lexicon]:
    """Load the topic, kind and urgency lexicons once."""
    cues = cue_lexicons()
    return topic_lexicon(), cues["kind"], cues["urgency"]


def lexicon_row(doc: Document) -> list[float]:
    """Return log-damped lexicon scores per topic, kind and urgency, and the question position."""
    topics, kinds, urgencies = _lexicons()
    topic_scores = topics.scores(doc)
    kind_scores = kinds.scores(doc)
    urgency_scores = urgencies.scores(doc, unless_negated(doc))
    row = [topic_scores.get(label, 0.0) for label in TOPICS]
    row += [kind_scores.get(str(label), 0.0) for label in KINDS]
    row += [urgency_scores.get(label, 0.0) for label in URGENCIES]
    damped = [math.log1p(max(value, 0.0)) for value in row]
    return damped + [float(doc.question_at == where) for where in QUESTION_POSITIONS]


def _bucket(feature: str) -> int:
    """Return a stable hash bucket of a feature name."""
    return zlib.crc32(feature.encode("utf-8")) % HASHED


def sparse_features(doc: Document) -> set[str]:
    """Return every sparse feature name of the message."""
    features = topic_features(doc) | kind_features(doc) | urgency_features(doc)
    features.update("sb:" + word for word in snowball_stems(doc))
    return features


def sentiment_row(doc: Document, embedding: Vectors) -> Vectors:
    """Return the sentiment head's row: the embedding and the polarity cues."""
    cues = np.asarray(polarity_features(doc), dtype=np.float32)
    row: Vectors = np.concatenate([embedding.astype(np.float32), cues])
    return row


def feature_row(doc: Document, embedding: Vectors) -> Vectors:
    """Return the message's full feature row."""
    row = np.zeros(WIDTH, dtype=np.float32)
    row[:DIMENSIONS] = embedding
    row[DIMENSIONS : DIMENSIONS + LEXICON_COLUMNS] = lexicon_row(doc)
    buckets = {_bucket(feature) for feature in sparse_features(doc)}
    if buckets:
        offset = DIMENSIONS + LEXICON_COLUMNS
        row[[offset + bucket for bucket in buckets]] = 1.0
    return row
