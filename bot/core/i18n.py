"""Message catalogs: gettext .po files under config/locales, one per language."""

from __future__ import annotations

import logging
import string
from pathlib import Path

from babel.messages.pofile import read_po

from config import LOCALES_DIR

log = logging.getLogger(__name__)
DOMAIN = "bot"


def placeholders(text: str) -> set[str]:
    """Return the {named} placeholders a message uses."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def load_catalog(path: Path) -> dict[str, str]:
    """Read one .po file into a mapping of message key to text (untranslated ones left out)."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {
        str(message.id): str(message.string)
        for message in catalog
        if message.id and message.string and not message.fuzzy
    }


class Translator:
    """Look up user-facing texts by key in the user's language."""

    def __init__(self, catalogs: dict[str, dict[str, str]], default: str = "en") -> None:
        if default not in catalogs:
            raise ValueError(f"no catalog for the default language {default!r}")
        self._catalogs = catalogs
        self.default = default

    @classmethod
    def from_directory(cls, directory: Path = LOCALES_DIR, default: str = "en") -> Translator:
        """Load every <lang>/LC_MESSAGES/bot.po below directory."""
        catalogs = {
            po.parent.parent.name: load_catalog(po)
            for po in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
        }
        return cls(catalogs, default)

    @property
    def languages(self) -> list[str]:
        """Return the language codes that have a catalog."""
        return sorted(self._catalogs)

    def keys(self, language: str) -> set[str]:
        """Return the message keys of one language."""
        return set(self._catalogs[language])

    def __call__(self, language: str, key: str, /, **params: object) -> str:
        """Return the text for key in language, formatted with params."""
        catalog = self._catalogs.get(language, self._catalogs[self.default])
        template = catalog.get(key) or self._catalogs[self.default].get(key)
        if template is None:
            log.warning("missing message", extra={"key": key, "language": language})
            return key
        return template.format(**params) if params else template
