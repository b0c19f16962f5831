"""Message catalogs: gettext .po files under config/locales, one per language."""

from __future__ import annotations

import gettext
import logging
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import read_po

from config import LOCALES_DIR

log = logging.getLogger(__name__)
DOMAIN = "bot"


def placeholders(text: str) -> set[str]:
    """Return the {named} placeholders a message uses."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True)
class Catalog:
    """One language's texts: singular ones by key, plural ones as forms and the rule to pick."""

    texts: dict[str, str]
    plurals: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rule: Callable[[int], int] = field(default=lambda n: int(n != 1))

    def form(self, key: str, count: object) -> str | None:
        """Return the plural form of key for count (the last, "other", without a number)."""
        forms = self.plurals.get(key)
        if not forms:
            return None
        index = self.rule(count) if isinstance(count, int) else len(forms) - 1
        return forms[min(index, len(forms) - 1)]


def load_catalog(path: Path) -> dict[str, str]:
    """Read one .po file into a mapping of message key to text (untranslated ones left out)."""
    return read_catalog(path).texts


def read_catalog(path: Path) -> Catalog:
    """Read one .po file: singular texts, plural forms (ngettext entries) and its plural rule."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    texts, plurals = {}, {}
    for message in catalog:
        if not message.id or not message.string or message.fuzzy:
            continue
        if message.pluralizable:
            forms = tuple(str(form) for form in message.string)
            if all(forms):
                plurals[str(message.id[0])] = forms
        else:
            texts[str(message.id)] = str(message.string)
    rule = gettext.c2py(catalog.plural_expr)
    return Catalog(texts, plurals, rule)


class Translator:
    """Look up user-facing texts by key in the user's language.

    A plural entry (ngettext-style in the .po file) is picked by the `count` parameter with the
    language's own rule: Russian has three forms ("1 файл", "2 файла", "5 файлов").
    """

    def __init__(self, catalogs: dict[str, dict[str, str] | Catalog], default: str = "en") -> None:
        if default not in catalogs:
            raise ValueError(f"no catalog for the default language {default!r}")
        self._catalogs = {
            language: texts if isinstance(texts, Catalog) else Catalog(texts)
            for language, texts in catalogs.items()
        }
        self.default = default

    @classmethod
    def from_directory(cls, directory: Path = LOCALES_DIR, default: str = "en") -> Translator:
        """Load every <lang>/LC_MESSAGES/bot.po below directory."""
        catalogs: dict[str, dict[str, str] | Catalog] = {
            po.parent.parent.name: read_catalog(po)
            for po in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
        }
        return cls(catalogs, default)

    @property
    def languages(self) -> list[str]:
        """Return the language codes that have a catalog."""
        return sorted(self._catalogs)

    def keys(self, language: str) -> set[str]:
        """Return the message keys of one language, singular and plural."""
        catalog = self._catalogs[language]
        return set(catalog.texts) | set(catalog.plurals)

    def forms(self, language: str, key: str) -> tuple[str, ...]:
        """Return the plural forms of a key in a language (empty for a singular text)."""
        return self._catalogs[language].plurals.get(key, ())

    def __call__(self, language: str, key: str, /, **params: object) -> str:
        """Return the text for key in language, formatted with params (plural by `count`)."""
        catalog = self._catalogs.get(language, self._catalogs[self.default])
        fallback = self._catalogs[self.default]
        count = params.get("count")
        template = (
            catalog.texts.get(key)
            or catalog.form(key, count)
            or fallback.texts.get(key)
            or fallback.form(key, count)
        )
        if template is None:
            log.warning("missing message", extra={"key": key, "language": language})
            return key
        return template.format(**params) if params else template
