"""Tests for the sorter's generalising parts: stems, embeddings, linear heads, abstention."""

from __future__ import annotations

import numpy as np
import pytest

from bot.core.similarity import EMBEDDING_THRESHOLD, cosine
from bot.core.taxonomy import OTHER_TOPIC
from bot.sorting import TOPICS, Classifier, ClassifierSettings, detect_language
from bot.sorting.encoder import DIMENSIONS, Encoder, shared_encoder
from bot.sorting.features import analyse
from bot.sorting.linear import LinearModel, TrainingSettings, fit_head
from bot.sorting.vectors import WIDTH, feature_row, snowball_stems


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    """Load the sentence encoder once for the session (about a second)."""
    return shared_encoder()


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    """Build one shipped classifier for the module."""
    return Classifier()


def test_snowball_stems_join_word_forms() -> None:
    russian = {snowball_stems(analyse(word, "ru"))[0] for word in ("таможня", "таможни")}
    assert len(russian) == 1
    spanish = {snowball_stems(analyse(word, "es"))[0] for word in ("demora", "demoras")}
    assert len(spanish) == 1


def test_embeddings_match_a_problem_across_languages(encoder: Encoder) -> None:
    english, spanish, russian, unrelated = encoder.embed(
        [
            "Our trucks have been waiting at the border for five days without explanation.",
            "Nuestros camiones llevan cinco días esperando en la frontera sin explicación.",
            "Наши грузовики уже пять дней стоят на границе без объяснений.",
            "How do I pay the import duty online with a credit card?",
        ]
    )
    assert cosine(english, spanish) >= EMBEDDING_THRESHOLD
    assert cosine(english, russian) >= EMBEDDING_THRESHOLD
    assert cosine(english, unrelated) < EMBEDDING_THRESHOLD
    assert encoder.embed([""])[0].shape == (DIMENSIONS,)
    assert not encoder.embed(["   "])[0].any()


def test_feature_row_has_the_embedding_lexicon_and_hashed_parts(encoder: Encoder) -> None:
    text = "The scanner at the port is broken again"
    row = feature_row(analyse(text, "en"), encoder.embed_one(text))
    assert row.shape == (WIDTH,)
    assert np.allclose(row[:DIMENSIONS], encoder.embed_one(text))
    assert row[DIMENSIONS:].any()


def test_linear_head_learns_and_round_trips() -> None:
    rng = np.random.default_rng(7)
    features = rng.normal(size=(120, 6)).astype(np.float32)
    labels = ["a" if x[0] + x[1] > 0 else "b" for x in features]
    head = fit_head(features, labels, ("a", "b"), settings=TrainingSettings(steps=200))
    predicted = ["ab"[i] for i in head.probabilities(features).argmax(axis=1)]
    assert sum(p == g for p, g in zip(predicted, labels, strict=True)) >= 110
    model = LinearModel({"topic": head}, {"examples": "120"})
    again = LinearModel.from_bytes(model.to_bytes())
    assert again.meta == {"examples": "120"}
    assert again.heads["topic"].classes == ("a", "b")
    first, second = model.probabilities(features[0]), again.probabilities(features[0])
    assert first["topic"]["a"] == pytest.approx(second["topic"]["a"], abs=1e-2)


def test_not_sure_leaves_two_guesses(classifier: Classifier) -> None:
    text = "The customs website is down and our payment of duties keeps failing"
    sure = classifier.classify(text, "en")
    assert sure.sure and sure.guesses == ()
    doubtful = Classifier(settings=ClassifierSettings(abstain_threshold=1.01)).classify(text, "en")
    assert not doubtful.sure
    assert len(doubtful.guesses) == 2 and OTHER_TOPIC not in doubtful.guesses
    assert set(doubtful.guesses) <= set(TOPICS)
    assert doubtful.topic == sure.topic  # the best guess is kept for the officer


@pytest.mark.parametrize(
    "text",
    [
        "Наш контейнер стоїть на митниці вже п'ять днів, ніхто нічого не пояснює",
        "Наш камион чека на царини већ три дана, нико ништа не објашњава",
        "Naš kamion čeka na carini već tri dana i niko ništa ne objašnjava",
        "Біздің жүк кеденде үш күн тұр, ешкім түсіндірмейді",
        "Nossa mercadoria está parada na alfândega há cinco dias sem explicação",
        "La nostra merce è ferma in dogana da cinque giorni senza spiegazioni",
        "Notre marchandise est bloquée à la douane depuis cinq jours sans explication",
    ],
)
def test_languages_the_bot_does_not_speak_are_other(text: str) -> None:
    assert detect_language(text) == "other"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Our container has been held at the port for five days", "en"),
        ("Nuestro contenedor lleva cinco días retenido en el puerto", "es"),
        ("Наш контейнер уже пять дней задерживают в порту", "ru"),
    ],
)
def test_languages_the_bot_speaks_stay_detected(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_sentiment_is_on_one_scale(classifier: Classifier) -> None:
    complaints = {
        "en": "This is outrageous, the officers lost our papers again and nobody helps.",
        "es": "Es indignante, los funcionarios perdieron otra vez nuestros papeles y nadie ayuda.",
        "ru": "Это возмутительно, сотрудники снова потеряли наши документы и никто не помогает.",
    }
    scores = {lang: classifier.classify(text, lang).sentiment for lang, text in complaints.items()}
    assert all(score < -0.2 for score in scores.values()), scores
    assert max(scores.values()) - min(scores.values()) <= 0.5, scores
