"""Plural forms: ngettext-style catalog entries, picked by count with each language's rule."""

from __future__ import annotations

import pytest

from bot.core.i18n import Translator, placeholders

translator = Translator.from_directory()
PLURAL_KEYS = sorted(key for key in translator.keys("en") if translator.forms("en", key))


def test_russian_has_three_forms_picked_by_its_rule() -> None:
    done = {n: translator("ru", "report.attachments_done", count=n) for n in (1, 2, 5, 11, 21, 22)}
    assert done == {
        1: "Готово (1 файл)",
        2: "Готово (2 файла)",
        5: "Готово (5 файлов)",
        11: "Готово (11 файлов)",
        21: "Готово (21 файл)",
        22: "Готово (22 файла)",
    }


def test_english_and_spanish_say_one_and_many() -> None:
    assert translator("es", "report.attachments_done", count=1) == "Listo (1 archivo)"
    assert translator("es", "report.attachments_done", count=3) == "Listo (3 archivos)"
    one = translator("en", "meeting.cancel_done", title="Fair", count=1)
    assert "the 1 person who answered is being told" in one
    assert "1 people" not in one
    assert "2 people" in translator("en", "meeting.cancel_done", title="Fair", count=2)


def test_every_plural_entry_is_complete_in_every_language() -> None:
    assert len(PLURAL_KEYS) >= 5
    counts = {"en": 2, "es": 3, "ru": 3}
    for key in PLURAL_KEYS:
        expected = placeholders(translator.forms("en", key)[0])
        assert "count" in expected, key
        for language, number in counts.items():
            forms = translator.forms(language, key)
            assert len(forms) == number, (language, key)
            assert all(placeholders(form) == expected for form in forms), (language, key)


def test_a_count_given_as_text_gets_the_general_form() -> None:
    assert translator("ru", "report.attachments_done", count="5") == "Готово (5 файлов)"


@pytest.mark.parametrize(
    ("count", "words"),
    [(1, "связанное обращение"), (3, "связанных обращения"), (5, "связанных обращений")],
)
def test_linked_reports_agree_with_their_count_in_russian(count: int, words: str) -> None:
    assert f"{count} {words}" in translator("ru", "action.resolve_reports", count=count)


def test_a_single_unconfirmed_recipient_is_named_in_the_singular() -> None:
    assert "1 unconfirmed recipient." in translator("en", "broadcast.resent", number=7, count=1)
    assert "1 destinatario sin confirmar" in translator("es", "broadcast.resent", number=7, count=1)
    assert "1 получателю" in translator("ru", "broadcast.resent", number=7, count=1)
