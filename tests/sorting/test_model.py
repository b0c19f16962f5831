"""Tests for the feedback sorter: labels, language, sentiment, learning and the baseline."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.core.taxonomy import URGENCIES
from bot.core.text import normalise, stem, tokenise
from bot.sorting import (
    KINDS,
    TOPICS,
    Classification,
    Classifier,
    KeywordClassifier,
    LabelledExample,
    detect_language,
)
from bot.sorting.features import analyse
from bot.sorting.lexicon import Lexicon, cue_lexicons, parse_entry, unless_negated
from bot.sorting.model import SortingModel, train_model
from bot.sorting.naive_bayes import NaiveBayes

LABEL_FIELDS = ("text", "lang", "kind", "topic", "urgency")

# Freshly written for these tests (not from the development data set).
FRESH_EXAMPLES = [
    (
        "en",
        "The customs website crashed again and I cannot log in to submit my entry.",
        "it_systems",
    ),
    ("en", "An official asked me for a bribe before he would stamp our papers.", "integrity"),
    ("en", "How do I get a refund of the duty we overpaid last month?", "fees_payments"),
    (
        "en",
        "Please install a second X-ray scanner, every lorry gets opened by hand.",
        "inspections",
    ),
    ("en", "Which HS heading applies to electric bicycles?", "classification_valuation"),
    (
        "en",
        "Our lorry with fresh fish has been waiting at the port for four days.",
        "release_delays",
    ),
    (
        "en",
        "Nobody announced the new regulation on the website before it came into force.",
        "transparency",
    ),
    (
        "en",
        "The crossing closes at 6pm but the veterinary service leaves at 4pm.",
        "border_cooperation",
    ),
    (
        "es",
        "El sistema no funciona desde la mañana y no podemos transmitir las declaraciones.",
        "it_systems",
    ),
    ("es", "El funcionario nos pidió una coima para liberar el contenedor.", "integrity"),
    (
        "es",
        "Sugiero publicar en la página web los cambios de procedimiento con anticipación.",
        "transparency",
    ),
    (
        "es",
        "Nuestro camión lleva tres días esperando en la frontera con carga perecible.",
        "release_delays",
    ),
    (
        "es",
        "Me reclasificaron la mercancía a otra partida arancelaria más cara.",
        "classification_valuation",
    ),
    ("es", "¿Dónde se paga la multa por declarar mal el peso?", "fees_payments"),
    ("ru", "Система не работает с утра, не можем подать декларацию.", "it_systems"),
    ("ru", "Инспектор потребовал взятку за быстрый выпуск груза.", "integrity"),
    ("ru", "Какие документы нужны для ввоза медицинского оборудования?", "documentation"),
    ("ru", "Наша машина стоит на границе уже пятые сутки, груз портится.", "release_delays"),
    ("ru", "Предлагаю поставить ещё один сканер, досмотр идёт слишком долго.", "inspections"),
    ("ru", "Таможня увеличила стоимость товара и изменила код ТН ВЭД.", "classification_valuation"),
]


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    """Build one shipped classifier for the module."""
    return Classifier()


@pytest.mark.parametrize(("lang", "text", "topic"), FRESH_EXAMPLES)
def test_fresh_sentences_get_expected_topic(
    classifier: Classifier, lang: str, text: str, topic: str
) -> None:
    result = classifier.classify(text, lang)
    assert result.topic == topic
    assert result.language == lang


@pytest.mark.parametrize(("lang", "text", "topic"), FRESH_EXAMPLES)
def test_labels_are_valid_codes_and_confidence_in_range(
    classifier: Classifier, lang: str, text: str, topic: str
) -> None:
    result = classifier.classify(text, lang)
    assert result.kind in KINDS
    assert result.topic in TOPICS
    assert result.urgency in URGENCIES
    assert 0.0 <= result.confidence <= 1.0
    assert -1.0 <= result.sentiment <= 1.0
    for value in (result.kind_confidence, result.topic_confidence, result.urgency_confidence):
        assert 0.0 <= value <= 1.0
    assert result.topic not in result.tags


def test_kind_and_urgency_of_clear_cases(classifier: Classifier) -> None:
    question = classifier.classify("Which documents do I need to export honey to Japan?", "en")
    assert (question.kind, question.urgency) == ("question", "low")
    suggestion = classifier.classify("Sugiero que la aduana acepte pagos con tarjeta.", "es")
    assert (suggestion.kind, suggestion.urgency) == ("suggestion", "low")
    stuck = classifier.classify("Срочно! Фура с фруктами стоит на посту третьи сутки.", "ru")
    assert (stuck.kind, stuck.urgency) == ("issue", "high")


@pytest.mark.parametrize("text", ["asdf qwer zxcv", "qqqq wwww eeee rrrr", "zzzzzz", "12345"])
def test_gibberish_is_other_with_low_confidence(classifier: Classifier, text: str) -> None:
    result = classifier.classify(text)
    assert result.topic == "other"
    assert result.confidence < 0.5


@pytest.mark.parametrize("text", ["", "   \n\t", "🙂🙂🙂", "😡", "!!! ???"])
def test_empty_and_symbol_only_messages_are_other(classifier: Classifier, text: str) -> None:
    result = classifier.classify(text)
    assert result.topic == "other"
    assert result.language == "other"
    assert result.confidence == 0.0


def test_ten_thousand_characters_are_fast(classifier: Classifier) -> None:
    text = ("The truck is stuck at the border and the portal is down. " * 200)[:10_000]
    start = time.perf_counter()
    result = classifier.classify(text, "en")
    assert time.perf_counter() - start < 1.0
    assert result.topic in TOPICS
    assert classifier.classify("ж" * 10_000).topic in TOPICS


def test_mixed_scripts_and_emoji(classifier: Classifier) -> None:
    mixed = classifier.classify("Портал ASYCUDA опять не работает, error 504 😡 help", "en")
    assert mixed.language == "ru"
    assert mixed.topic == "it_systems"
    assert mixed.sentiment < 0
    emoji = classifier.classify("🚛🚛🚛 stuck at the border for 3 days 😤😤", "en")
    assert emoji.topic == "release_delays"


def test_language_is_detected_from_the_text_not_the_setting() -> None:
    assert detect_language("My container has been held at the port since Monday.", "es") == "en"
    assert detect_language("Mi contenedor está retenido en el puerto desde el lunes.", "en") == "es"
    assert detect_language("Мой контейнер задержан в порту с понедельника.", "en") == "ru"
    assert detect_language("12345 !!!", "es") == "other"
    assert detect_language("zxcv qwer", "es") == "es"
    assert detect_language("zxcv qwer") == "other"


def test_spanish_setting_user_writing_english(classifier: Classifier) -> None:
    result = classifier.classify("Why is the scanner closed every weekend?", "es")
    assert result.language == "en"


@pytest.mark.parametrize(
    ("lang", "text", "sign"),
    [
        ("en", "Thank you, the new online payment is excellent and saves us hours.", 1),
        ("en", "This is a terrible, slow and frustrating process.", -1),
        ("es", "Muchas gracias, el despacho fue muy rápido y el personal muy amable.", 1),
        ("es", "El trato fue pésimo y el sistema es horrible.", -1),
        ("es", "No es justo, el proceso no es bueno.", -1),
        ("ru", "Спасибо, всё прошло быстро, инспекторы очень вежливые.", 1),
        ("ru", "Ужасное обслуживание, инспектор хамил и кричал.", -1),
        ("ru", "Не плохо, всё хорошо.", 1),
    ],
)
def test_sentiment_sign(classifier: Classifier, lang: str, text: str, sign: int) -> None:
    assert classifier.classify(text, lang).sentiment * sign > 0.2


def test_correction_changes_a_later_prediction_for_a_similar_text() -> None:
    learner = Classifier()
    corrected = "Our shipment of solar lamps was valued by the officer with the wrong batch number"
    similar = "Our shipment of solar panels was valued with the wrong batch number again"
    assert learner.classify(similar, "en").topic != "documentation"
    learner.learn(corrected, "en", topic="documentation", urgency="high")
    after = learner.classify(similar, "en")
    assert after.topic == "documentation"
    assert after.urgency == "high"
    unrelated = learner.classify("Customs changed the value of our imported shoes", "en")
    assert unrelated.topic == "classification_valuation"
    assert Classifier().classify(similar, "en").topic != "documentation"


def test_train_rebuilds_from_base_plus_corrections() -> None:
    learner = Classifier()
    text = "Los camiones de flores esperan el sello del veterinario toda la noche"
    learner.train([LabelledExample(text=text, lang="es", topic="border_cooperation")])
    assert learner.classify(text, "es").topic == "border_cooperation"
    assert len(learner.corrections) == 1
    learner.train([])
    assert len(learner.corrections) == 0


def test_classifier_without_shipped_model_still_sorts_by_lexicon() -> None:
    lexicon_only = Classifier(use_shipped_model=False)
    assert lexicon_only.classify("The scanner is broken again", "en").topic == "inspections"


def test_keyword_baseline_returns_valid_labels() -> None:
    baseline = KeywordClassifier()
    result = baseline.classify("El funcionario pidió una coima en la frontera", "es")
    assert result.topic == "integrity"
    assert baseline.classify("asdf qwer zxcv").topic == "other"


def test_normalisation_folds_accents_and_stems_share_prefixes() -> None:
    assert tokenise(normalise("Declaración RETENIDA ¿Qué? Ёлка")) == [
        "declaracion",
        "retenida",
        "que",
        "елка",
    ]
    stems = {stem(word, "ru") for word in ("задержка", "задержки", "задержали")}
    assert all(value.startswith("задерж") for value in stems)
    assert stem("demoras", "es") == stem("demora", "es")
    assert stem("delays", "en") == stem("delayed", "en")


def test_lexicon_entries_match_stems_phrases_and_openings() -> None:
    lexicon = Lexicon(
        {
            "en": [
                parse_entry("inspections", "scan*:2"),
                parse_entry("it_systems", "single window"),
                parse_entry("question", "^what"),
            ]
        }
    )
    doc = analyse("Scanners broke. The single window is down. And what now? What next?", "en")
    assert lexicon.scores(doc) == {"inspections": 2.0, "it_systems": 1.0, "question": 1.0}
    with pytest.raises(ValueError, match="empty"):
        parse_entry("x", "***")


def test_model_round_trips_through_json() -> None:
    model = train_model(
        [
            LabelledExample(
                text="portal down", lang="en", kind="issue", topic="it_systems", urgency="high"
            ),
            LabelledExample(text="refund please", lang="en", topic="fees_payments"),
        ]
    )
    again = SortingModel.from_json(model.to_json())
    assert again.heads["topic"].counts == model.heads["topic"].counts
    with pytest.raises(ValueError, match="format"):
        SortingModel.from_json({"format": 99, "heads": {}})
    assert SortingModel.shipped().heads["topic"].counts


def test_naive_bayes_prefers_the_class_that_saw_the_features() -> None:
    model = NaiveBayes(("a", "b"))
    model.add({"x", "y"}, "a")
    model.add({"z"}, "b")
    evidence = model.evidence({"x", "unknown"})
    assert evidence.known_features == 1
    assert evidence.total_features == 2
    assert evidence.average_log_likelihood["a"] > evidence.average_log_likelihood["b"]


def test_classification_is_validated_and_frozen() -> None:
    with pytest.raises(ValidationError):
        Classification(
            kind="issue", topic="other", urgency="low", sentiment=2.0, confidence=0.5, language="en"
        )
    result = Classification(
        kind="issue", topic="other", urgency="low", sentiment=0.0, confidence=0.5, language="en"
    )
    with pytest.raises(ValidationError):
        result.topic = "integrity"  # type: ignore[misc]


# --- What the sender wants is read from where the question or the proposal stands. ---


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("Which form do I fill for a temporary export? We ship next week.", "first"),
        ("Buenas tardes. ¿Dónde se presenta el recurso de apelación?", "first"),
        ("Добрый день! Какие документы нужны для транзита?", "first"),
        ("Our lorry was turned back twice this week. Who decides these things?", "later"),
        ("The scanner is broken again.", "none"),
        ("", "none"),
    ],
)
def test_question_position_skips_greetings(text: str, position: str) -> None:
    assert analyse(text).question_at == position


@pytest.mark.parametrize(
    ("lang", "text", "kind"),
    [
        ("en", "What is the deadline to file an appeal against a fine?", "question"),
        ("en", "pls advise which papers are needed to re-export a rented crane", "question"),
        (
            "en",
            "They opened all 12 pallets, repacked nothing and left them in the rain. "
            "Who pays for this?",
            "issue",
        ),
        (
            "en",
            "Please accept electronic phytosanitary certificates. Right now our driver "
            "brings the paper from the capital every time.",
            "suggestion",
        ),
        ("en", "Would be good to have one counter for all border agencies.", "suggestion"),
        ("es", "Sería bueno que publiquen los cambios con un mes de anticipación.", "suggestion"),
        ("es", "¿Cuánto cuesta la tasa de almacenaje por día?", "question"),
        ("es", "Nos rechazaron la declaración tres veces por el mismo campo.", "issue"),
        ("ru", "Предлагаю принимать оплату сборов картой прямо на посту.", "suggestion"),
        ("ru", "Подскажите, где посмотреть график работы ветеринарного контроля?", "question"),
        ("ru", "Третий раз отклоняют декларацию из-за ошибки в системе.", "issue"),
    ],
)
def test_kind_follows_the_opening_sentence(
    classifier: Classifier, lang: str, text: str, kind: str
) -> None:
    assert classifier.classify(text, lang).kind == kind


def test_overlapping_cues_of_one_label_count_once() -> None:
    lexicon = Lexicon(
        {
            "en": [
                parse_entry("documentation", "papers"),
                parse_entry("documentation", "paper*:1.5"),
                parse_entry("classification_valuation", "hs:2"),
            ],
            "any": [parse_entry("classification_valuation", "hs:2")],
        }
    )
    doc = analyse("Same papers, same HS code, again and again", "en")
    assert lexicon.scores(doc) == {"documentation": 1.5, "classification_valuation": 2.0}


def test_number_part_matches_digits_and_counting_words() -> None:
    lexicon = Lexicon({"en": [parse_entry("release_delays", "# days:2")]})
    assert lexicon.scores(analyse("held for 12 days", "en")) == {"release_delays": 2.0}
    assert lexicon.scores(analyse("held for three days", "en")) == {"release_delays": 2.0}
    assert lexicon.scores(analyse("held for days", "en")) == {"release_delays": 0.0}


def test_position_weight_scales_cues() -> None:
    lexicon = Lexicon({"en": [parse_entry("suggestion", "please:2")]})
    doc = analyse("Please help.", "en")
    assert lexicon.scores(doc, lambda index, label: 0.5) == {"suggestion": 1.0}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Not urgent: how do refunds of overpaid duty work?"),
        ("es", "No es urgente, pero quisiera saber cómo se pide un reembolso."),
        ("ru", "Не срочно, но как вернуть переплату по пошлине?"),
    ],
)
def test_negated_urgency_cue_does_not_count(lang: str, text: str) -> None:
    doc = analyse(text, lang)
    urgency = cue_lexicons()["urgency"]
    assert urgency.scores(doc, unless_negated(doc))["high"] == 0.0
    assert urgency.scores(doc)["high"] > 0.0


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "The officer wanted 50 dollars to stamp the papers, no receipt of course."),
        ("es", "El vista nos pidió 200 dólares para firmar el levante."),
    ],
)
def test_money_asked_by_an_official_is_integrity_and_high(
    classifier: Classifier, lang: str, text: str
) -> None:
    result = classifier.classify(text, lang)
    assert (result.topic, result.urgency) == ("integrity", "high")


def test_heldout_file_is_well_formed() -> None:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "sorting_heldout.jsonl"
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    counts = Counter(row["lang"] for row in rows)
    assert min(counts[lang] for lang in ("en", "es", "ru")) >= 30
    assert len({row["id"] for row in rows}) == len(rows)
    for row in rows:
        LabelledExample.model_validate({key: row[key] for key in LABEL_FIELDS})
    assert {row["topic"] for row in rows} == set(TOPICS)
