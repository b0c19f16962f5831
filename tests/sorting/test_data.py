"""The labelled data for sorting in data/sorting/ parses, uses valid labels and is big enough."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.core.labels import KINDS, TOPICS
from bot.core.taxonomy import URGENCIES
from bot.core.users import Language

DATA = Path(__file__).resolve().parents[2] / "data" / "sorting"
LANGS = tuple(language.value for language in Language)
STYLES = ("terse", "angry", "formal", "typos", "mixed", "multi", "plain")
SENTIMENTS = ("negative", "neutral", "positive")
LABELLED_FIELDS = {"id", "lang", "text", "kind", "topic", "urgency", "sentiment", "source"}
DETECTION_LANGS = ("uk", "kk", "pt", "it", "fr", "en", "es", "ru")


def read(path: Path) -> list[dict[str, Any]]:
    """Return the objects of a JSON-lines file, failing on any line that is not an object."""
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)
        assert isinstance(row, dict), f"{path.name}:{number} is not a JSON object"
        rows.append(row)
    return rows


def labelled_files() -> list[Path]:
    """Return the labelled files, one per language and style."""
    return sorted((DATA / "labelled").glob("*.jsonl"))


def labelled() -> list[dict[str, Any]]:
    """Return every labelled message."""
    return [row for path in labelled_files() for row in read(path)]


def is_cyrillic(text: str) -> bool:
    """Tell whether most letters of text are Cyrillic."""
    letters = [char for char in text if char.isalpha()]
    return sum("\u0400" <= char <= "\u04ff" for char in letters) * 2 > len(letters)


def test_there_is_one_labelled_file_per_language_and_style() -> None:
    names = {path.stem for path in labelled_files()}
    assert names == {f"{lang}-{style}" for lang in LANGS for style in STYLES}


@pytest.mark.parametrize("path", labelled_files(), ids=lambda path: path.stem)
def test_every_labelled_message_has_valid_labels(path: Path) -> None:
    lang, style = path.stem.split("-")
    for row in read(path):
        assert set(row) == LABELLED_FIELDS, row
        assert re.fullmatch(rf"{lang}-{style}-\d{{4}}", row["id"]), row["id"]
        assert row["lang"] == lang, row["id"]
        assert row["text"].strip() == row["text"] and row["text"], row["id"]
        assert row["kind"] in KINDS, row["id"]
        assert row["topic"] in TOPICS, row["id"]
        assert row["urgency"] in URGENCIES, row["id"]
        assert row["sentiment"] in SENTIMENTS, row["id"]
        assert f"style {style}" in row["source"], row["id"]


def test_ids_and_texts_are_unique() -> None:
    rows = labelled()
    ids = Counter(row["id"] for row in rows)
    texts = Counter(row["text"].casefold() for row in rows)
    assert [key for key, n in ids.items() if n > 1] == []
    assert [key for key, n in texts.items() if n > 1] == []


def test_labelled_messages_meet_the_minimum_counts() -> None:
    rows = labelled()
    assert len(rows) >= 1650
    for lang in LANGS:
        mine = [row for row in rows if row["lang"] == lang]
        assert len(mine) >= 550, lang
        topics = Counter(row["topic"] for row in mine)
        assert {topic: topics[topic] for topic in TOPICS if topics[topic] < 30} == {}, lang
        assert set(KINDS) <= {row["kind"] for row in mine}, lang
        assert set(URGENCIES) <= {row["urgency"] for row in mine}, lang
        assert set(SENTIMENTS) <= {row["sentiment"] for row in mine}, lang


def test_kinds_and_urgencies_are_in_realistic_proportions() -> None:
    rows = labelled()
    kinds = Counter(row["kind"] for row in rows)
    urgencies = Counter(row["urgency"] for row in rows)
    assert kinds["issue"] > kinds["question"] > kinds["suggestion"] > len(rows) * 0.1
    assert urgencies["normal"] > urgencies["low"] > urgencies["high"] > len(rows) * 0.1


def test_paraphrase_pairs_meet_the_minimum_counts() -> None:
    pairs = read(DATA / "paraphrases.jsonl")
    for pair in pairs:
        assert set(pair) == {"a", "a_lang", "b", "b_lang", "same", "kind"}, pair
        assert {pair["a_lang"], pair["b_lang"]} <= set(LANGS), pair
        assert pair["a"] and pair["b"] and pair["a"] != pair["b"], pair
        crossing = pair["a_lang"] != pair["b_lang"]
        if pair["same"] is True:
            assert pair["kind"] == ("translation" if crossing else "paraphrase"), pair
        else:
            assert pair["same"] is False and pair["kind"] in {"same_topic", "unrelated"}, pair
    kinds = Counter((pair["same"], pair["kind"]) for pair in pairs)
    assert kinds[True, "paraphrase"] >= 60
    assert kinds[True, "translation"] >= 60
    assert kinds[True, "paraphrase"] + kinds[True, "translation"] >= 150
    assert kinds[False, "same_topic"] >= 50
    assert kinds[False, "same_topic"] + kinds[False, "unrelated"] >= 150
    crossings = {
        frozenset((pair["a_lang"], pair["b_lang"]))
        for pair in pairs
        if pair["kind"] == "translation"
    }
    assert crossings == {frozenset(("en", "es")), frozenset(("en", "ru")), frozenset(("es", "ru"))}
    assert len({(pair["a"], pair["b"]) for pair in pairs}) == len(pairs)


def test_sentiment_comments_are_balanced_and_enough() -> None:
    rows = read(DATA / "sentiment.jsonl")
    for row in rows:
        assert set(row) == {"lang", "text", "sentiment"}, row
        assert row["lang"] in LANGS and row["sentiment"] in SENTIMENTS and row["text"], row
    count = Counter((row["lang"], row["sentiment"]) for row in rows)
    for lang in LANGS:
        per_label = [count[lang, label] for label in SENTIMENTS]
        assert sum(per_label) >= 100, lang
        assert min(per_label) * 10 >= sum(per_label) * 3, (lang, per_label)  # each ≥ 30 %
    assert len({(row["lang"], row["text"]) for row in rows}) == len(rows)


def test_language_detection_texts_cover_every_language_and_script() -> None:
    rows = read(DATA / "languages.jsonl")
    for row in rows:
        assert set(row) == {"lang", "text"} and row["text"], row
    count = Counter(row["lang"] for row in rows)
    assert {lang: count[lang] for lang in DETECTION_LANGS if count[lang] < 40} == {}
    serbian = [row["text"] for row in rows if row["lang"] == "sr"]
    assert sum(map(is_cyrillic, serbian)) >= 40
    assert sum(not is_cyrillic(text) for text in serbian) >= 40
    assert set(count) == {*DETECTION_LANGS, "sr"}
    assert len({row["text"] for row in rows}) == len(rows)


def test_readme_counts_are_current() -> None:
    printed = subprocess.run(
        [sys.executable, str(DATA / "count.py")], capture_output=True, text=True, check=True
    ).stdout
    assert printed in (DATA / "README.md").read_text(encoding="utf-8"), (
        "run `.venv/bin/python data/sorting/count.py --write` to refresh data/sorting/README.md"
    )
