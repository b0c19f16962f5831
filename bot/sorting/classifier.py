"""Sort a feedback message into kind, topic and urgency, and learn from officers' corrections."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from bot.core.labels import KINDS, TOPICS, Classification, LabelledExample
from bot.core.taxonomy import OTHER_TOPIC, Kind, Urgency
from bot.sorting.encoder import Embedder, Vectors, shared_encoder
from bot.sorting.features import HEAD_FEATURES, Document, analyse
from bot.sorting.lexicon import Lexicon, cue_lexicons, topic_lexicon, unless_negated
from bot.sorting.linear import LinearModel
from bot.sorting.model import SortingModel
from bot.sorting.precedents import PrecedentMemory
from bot.sorting.sentiment import expected_polarity, sentiment, warm_up
from bot.sorting.shipped import read_shipped_bytes, shipped_file_exists
from bot.sorting.vectors import feature_row, sentiment_row

SHIPPED_LINEAR = "linear.npz"

Label = TypeVar("Label", bound=str)
QUESTION_WEIGHTS = {"first": 3.0, "later": 0.5, "none": 0.0}
# What the sender wants is usually said in the opening sentence; the rest is the story.
OPENING_CUE_SCALE = 1.5
LATER_CUE_SCALE = 0.5
POSITIONAL_KINDS = frozenset({Kind.QUESTION, Kind.SUGGESTION})


@dataclass(frozen=True)
class ClassifierSettings:
    """Hold the few global knobs that blend the learned model with the seed lexicons."""

    topic_model_scale: float = 1.0
    topic_lexicon_scale: float = 2.5
    kind_model_scale: float = 1.0
    kind_lexicon_scale: float = 0.7
    urgency_model_scale: float = 2.0
    urgency_lexicon_scale: float = 1.0
    topic_threshold: float = 0.3
    # With the linear model: below this topic probability the classifier is not sure (the
    # topic is left for an officer); chosen on cross-validation folds, see docs/sorting.md.
    abstain_threshold: float = 0.87
    linear_scale: float = 1.0
    # The sentiment head's share; the rest is the lexicon blend, which reads negation
    # ("не плохо"). 5-fold agreement with labels barely moves from 0.8 to 0.5; 0.5 keeps
    # negated words right and the three languages' scales closest.
    sentiment_head_weight: float = 0.5
    # Kind leans on the lexicons' opening-sentence cues: leave-one-style-out kind accuracy
    # (styles other than typos) was 0.841 at 1.0, 0.847 at 0.5 and 0.845 at 0.25.
    kind_linear_scale: float = 0.25
    # With the linear model, a correction must outweigh its sharper log-probabilities.
    linear_precedent_scale: float = 24.0
    min_known_share: float = 0.15
    tag_threshold: float = 0.25
    high_urgency_threshold: float = 0.5
    correction_weight: float = 3.0
    precedent_scale: float = 8.0
    precedent_min_similarity: float = 0.4


@dataclass(frozen=True)
class HeadScores:
    """Hold one head's class probabilities and whether any evidence was found."""

    probabilities: dict[str, float]
    known_share: float
    lexicon_hits: float
    has_words: bool = True

    def best(self) -> tuple[str, float]:
        """Return the most probable class and its probability."""
        label = max(self.probabilities, key=self.probabilities.__getitem__)
        return label, self.probabilities[label]


def softmax(logits: Mapping[str, float]) -> dict[str, float]:
    """Turn logits into probabilities that sum to one."""
    top = max(logits.values())
    exps = {label: math.exp(value - top) for label, value in logits.items()}
    total = sum(exps.values())
    return {label: value / total for label, value in exps.items()}


class Classifier:
    """Blend hand-written lexicons with a naive Bayes model trained on examples and corrections."""

    def __init__(
        self,
        base_model: SortingModel | None = None,
        settings: ClassifierSettings | None = None,
        *,
        use_shipped_model: bool = True,
        linear: LinearModel | None = None,
        encoder: Embedder | None = None,
        load_encoder: bool = True,
    ) -> None:
        """Load the lexicons and the models (the shipped ones unless told otherwise).

        With a linear model (shipped as resources/linear.npz) the message's sentence
        embedding, lexicon scores and sparse features are read by it; without one the
        naive Bayes model and the lexicons are blended as before. With load_encoder=False the
        encoder is attached later (see attach); until then it sorts as without a linear model.
        """
        if base_model is None:
            base_model = shipped_model() if use_shipped_model else SortingModel()
        if linear is None and use_shipped_model:
            linear = shipped_linear_model()
        self._linear = linear
        self._encoder: Embedder | None = encoder
        if encoder is None and linear is not None and load_encoder:
            self._encoder = shared_encoder()
        self.settings = settings or ClassifierSettings()
        self._base_model = base_model
        self._model = base_model
        self._model_is_shared = True
        self._corrections: list[LabelledExample] = []
        self._precedents = PrecedentMemory()
        self._lock = threading.Lock()
        self._topic_lexicon = topic_lexicon()
        self._cue_lexicons: dict[str, Lexicon] = cue_lexicons()
        warm_up()

    @property
    def corrections(self) -> tuple[LabelledExample, ...]:
        """Return the officers' corrections learned so far, oldest first."""
        return tuple(self._corrections)

    def learn(
        self,
        text: str,
        lang: str | None = None,
        kind: Kind | None = None,
        topic: str | None = None,
        urgency: Urgency | None = None,
    ) -> None:
        """Learn an officer's correction at once; only the labels given are learned."""
        example = LabelledExample(text=text, lang=lang, kind=kind, topic=topic, urgency=urgency)
        with self._lock:
            if self._model_is_shared:
                self._model = self._base_model.copy()
                self._model_is_shared = False
            self._corrections.append(example)
            _absorb(self._model, self._precedents, example, self.settings.correction_weight)

    def train(self, corrections: Iterable[LabelledExample]) -> None:
        """Rebuild the model from the base model plus all the given corrections, weighted."""
        examples = list(corrections)
        model = self._base_model.copy()
        precedents = PrecedentMemory()
        for example in examples:
            _absorb(model, precedents, example, self.settings.correction_weight)
        with self._lock:
            self._model = model
            self._model_is_shared = False
            self._precedents = precedents
            self._corrections = examples

    def classify(self, text: str, lang_hint: str | None = None) -> Classification:
        """Sort one message; say topic 'other' when the evidence is too weak."""
        doc = analyse(text, lang_hint)
        polarity = self._polarity(doc)
        if not doc.tokens:
            return Classification(
                kind=Kind.ISSUE,
                topic=OTHER_TOPIC,
                urgency="low",
                sentiment=polarity,
                confidence=0.0,
                language=doc.language,
            )
        learned = self._learned(doc)
        kind_scores = self._score("kind", doc, self._cue_lexicons["kind"], learned)
        topic_scores = self._score("topic", doc, self._topic_lexicon, learned)
        urgency_scores = self._score("urgency", doc, self._cue_lexicons["urgency"], learned)
        kind, kind_confidence = _pick(KINDS, kind_scores)
        topic, topic_confidence = self._pick_topic(topic_scores)
        sure = self._linear is None or topic_confidence >= self.settings.abstain_threshold
        guesses = () if sure else two_best(topic_scores.probabilities)
        urgency, urgency_confidence = self._pick_urgency(kind, urgency_scores)
        tags = tuple(
            label
            for label in TOPICS
            if label not in (topic, OTHER_TOPIC)
            and topic_scores.probabilities[label] >= self.settings.tag_threshold
        )
        return Classification(
            kind=kind,
            topic=topic,
            urgency=urgency,
            sentiment=polarity,
            confidence=round(min(kind_confidence, topic_confidence, urgency_confidence), 4),
            language=doc.language,
            kind_confidence=round(kind_confidence, 4),
            topic_confidence=round(topic_confidence, 4),
            urgency_confidence=round(urgency_confidence, 4),
            tags=tags,
            sure=sure,
            guesses=guesses,
        )

    @property
    def needs_encoder(self) -> bool:
        """Tell whether a linear model waits for its sentence encoder."""
        return self._linear is not None and self._encoder is None

    def attach(self, encoder: Embedder) -> None:
        """Start using the sentence encoder (loaded in the background)."""
        self._encoder = encoder

    def embed(self, texts: Sequence[str]) -> list[Vectors]:
        """Return each text's sentence embedding (none until the encoder is loaded)."""
        if self._encoder is None:
            return []
        return [self._encoder.embed_one(text) for text in texts]

    def _known_words(self, doc: Document) -> float:
        """Return the share of the message's content words the topic model has seen."""
        counts = self._model.heads["topic"].counts
        words = [f"w:{stem}" for stem, is_content in zip(doc.stems, doc.content, strict=True)]
        content = [word for word, keep in zip(words, doc.content, strict=True) if keep]
        return sum(1 for word in content if word in counts) / len(content) if content else 0.0

    def _polarity(self, doc: Document) -> float:
        """Score sentiment with the learned head when shipped, else with the old blend.

        A message with no word the models know (gibberish) keeps the old blend's score.
        """
        if self._linear is None or self._encoder is None or "sentiment" not in self._linear.heads:
            return sentiment(doc)
        if self._known_words(doc) < self.settings.min_known_share:
            return sentiment(doc)
        row = sentiment_row(doc, self._encoder.embed_one(doc.raw))
        head = expected_polarity(self._linear.probabilities(row, ("sentiment",))["sentiment"])
        weight = self.settings.sentiment_head_weight
        return round(max(-1.0, min(1.0, weight * head + (1 - weight) * sentiment(doc))), 4)

    def _learned(self, doc: Document) -> dict[str, dict[str, float]] | None:
        """Return the linear model's probabilities per head, or None without one."""
        if self._linear is None or self._encoder is None:
            return None
        row = feature_row(doc, self._encoder.embed_one(doc.raw))
        return self._linear.probabilities(row)

    def _score(
        self,
        head: str,
        doc: Document,
        lexicon: Lexicon,
        learned: dict[str, dict[str, float]] | None = None,
    ) -> HeadScores:
        """Blend the head's learned evidence with its lexicon hits into probabilities."""
        settings = self.settings
        model_scale, lexicon_scale = {
            "kind": (settings.kind_model_scale, settings.kind_lexicon_scale),
            "topic": (settings.topic_model_scale, settings.topic_lexicon_scale),
            "urgency": (settings.urgency_model_scale, settings.urgency_lexicon_scale),
        }[head]
        model = self._model.heads[head]
        evidence = model.evidence(HEAD_FEATURES[head](doc))
        priors = model.log_priors()
        if head == "kind":
            lexicon_scores = lexicon.scores(doc, _kind_position_weight(doc))
            for label, weight in _question_marks(doc).items():
                lexicon_scores[label] = lexicon_scores.get(label, 0.0) + weight
        elif head == "urgency":
            lexicon_scores = lexicon.scores(doc, unless_negated(doc))
        else:
            lexicon_scores = lexicon.scores(doc)
        precedents = {
            label: similarity
            for label, similarity in self._precedents.similarities(doc, head).items()
            if similarity >= settings.precedent_min_similarity
        }
        base = {
            label: priors[label]
            + model_scale * evidence.average_log_likelihood[label]
            + lexicon_scale * lexicon_scores.get(label, 0.0)
            for label in model.classes
        }
        if learned is not None and head in learned:
            scale = settings.kind_linear_scale if head == "kind" else settings.linear_scale
            for label in model.classes:
                base[label] += scale * math.log(max(learned[head][label], 1e-9))
        pull = settings.precedent_scale if learned is None else settings.linear_precedent_scale
        logits = {label: base[label] + pull * precedents.get(label, 0.0) for label in model.classes}
        known_share = (
            evidence.known_features / evidence.total_features if evidence.total_features else 0.0
        )
        if learned is not None:  # character n-grams match anything: count known words only
            known_share = self._known_words(doc)
        hits = sum(lexicon_scores.values()) + sum(precedents.values())
        has_words = any(token.isalpha() for token in doc.tokens)
        return HeadScores(softmax(logits), known_share, hits, has_words)

    def _pick_topic(self, scores: HeadScores) -> tuple[str, float]:
        """Pick the best topic, falling back to 'other' below the confidence threshold."""
        label, probability = _pick(TOPICS, scores)
        no_evidence = scores.lexicon_hits == 0 and (
            scores.known_share < self.settings.min_known_share or not scores.has_words
        )
        if no_evidence:
            ceiling = 1.0 - scores.known_share
            if self._linear is not None:
                ceiling = self.settings.min_known_share
            return OTHER_TOPIC, min(probability, ceiling)
        if self._linear is None and probability < self.settings.topic_threshold:
            return OTHER_TOPIC, probability
        return label, probability

    def _pick_urgency(self, kind: Kind, scores: HeadScores) -> tuple[Urgency, float]:
        """Pick urgency: suggestions and questions are low unless time pressure is clear."""
        probabilities = scores.probabilities
        high = probabilities["high"]
        if kind is not Kind.ISSUE:
            if high >= self.settings.high_urgency_threshold:
                return "normal", high
            return "low", 1.0 - high
        pressing = high / (high + probabilities["normal"])
        if pressing >= self.settings.high_urgency_threshold:
            return "high", pressing
        return "normal", 1.0 - pressing


def two_best(probabilities: Mapping[str, float]) -> tuple[str, ...]:
    """Return the two most probable topics other than 'other', best first."""
    ranked = sorted(
        (label for label in TOPICS if label != OTHER_TOPIC),
        key=lambda label: -probabilities.get(label, 0.0),
    )
    return tuple(ranked[:2])


@cache
def shipped_model() -> SortingModel:
    """Return the process's one copy of the shipped model (classifiers copy it before training)."""
    return SortingModel.shipped()


@cache
def shipped_linear_model() -> LinearModel | None:
    """Load the shipped linear model once, or None if the package has none (it is read only)."""
    if not shipped_file_exists(SHIPPED_LINEAR):
        return None
    return LinearModel.from_bytes(read_shipped_bytes(SHIPPED_LINEAR))


def _absorb(
    model: SortingModel, precedents: PrecedentMemory, example: LabelledExample, weight: float
) -> None:
    """Count a correction in the model and remember it as a precedent.

    A topic the model does not know (one an administration added to topics.toml) is not learned.
    """
    doc = analyse(example.text, example.lang)
    topic = example.topic if example.topic in TOPICS else None
    labels = {"kind": example.kind, "topic": topic, "urgency": example.urgency}
    model.add(doc, labels, weight)
    precedents.add(doc, labels)


def _question_marks(doc: Document) -> dict[str, float]:
    """Score question marks: a question that opens the message counts, a closing one little."""
    weight = QUESTION_WEIGHTS[doc.question_at]
    return {"question": weight} if weight else {}


def _kind_position_weight(doc: Document) -> Callable[[int, str], float]:
    """Weigh question and suggestion cues up in the opening sentence and down after it."""
    opening = doc.opening_length

    def weight(index: int, label: str) -> float:
        if label not in POSITIONAL_KINDS:
            return 1.0
        return OPENING_CUE_SCALE if index < opening else LATER_CUE_SCALE

    return weight


def _pick(labels: tuple[Label, ...], scores: HeadScores) -> tuple[Label, float]:
    """Return the most probable of the given labels with its probability."""
    best = max(labels, key=lambda label: scores.probabilities[label])
    return best, scores.probabilities[best]
