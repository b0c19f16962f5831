"""Message catalogs: every language has every key, with the same placeholders, and HTML parses."""

from __future__ import annotations

import re

import pytest

from bot.core.i18n import Translator, placeholders
from tests.telegram_html import html_problems

translator = Translator.from_directory()
KEYS = sorted(translator.keys("en"))


def test_english_spanish_and_russian_exist() -> None:
    assert {"en", "es", "ru"} <= set(translator.languages)


@pytest.mark.parametrize("language", [lang for lang in translator.languages if lang != "en"])
def test_same_keys_as_english(language: str) -> None:
    missing = set(KEYS) - translator.keys(language)
    extra = translator.keys(language) - set(KEYS)
    assert not missing, f"{language} lacks {sorted(missing)}"
    assert not extra, f"{language} has keys English lacks: {sorted(extra)}"


@pytest.mark.parametrize("key", KEYS)
def test_placeholders_match_across_languages(key: str) -> None:
    expected = placeholders(translator("en", key))
    for language in translator.languages:
        assert placeholders(translator(language, key)) == expected, (language, key)


@pytest.mark.parametrize("key", KEYS)
def test_texts_are_valid_telegram_html(key: str) -> None:
    for language in translator.languages:
        problems = html_problems(translator(language, key))
        assert not problems, (language, key, problems)
        stray = re.search(r"&(?!(amp|lt|gt|quot|#\d+);)", translator(language, key))
        assert stray is None, f"{language} {key}: a bare & must be written &amp;"


def test_missing_key_detection_works_on_a_broken_catalog() -> None:
    broken = Translator({"en": {"a": "x {n}", "b": "y"}, "es": {"a": "x {m}"}})
    assert broken.keys("en") - broken.keys("es") == {"b"}
    assert placeholders(broken("es", "a")) != placeholders(broken("en", "a"))
