"""Detect whether a message is written in English, Spanish or Russian."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from bot.core.text import count_scripts, normalise, tokenise
from bot.core.users import OTHER_LANGUAGE, Language, TextLanguage
from bot.sorting.shipped import read_shipped_toml

_SPANISH_MARKS = frozenset("ñ¿¡áéíóú")
_SUFFIX_WEIGHT = 0.5
_MARK_WEIGHT = 1.5


@dataclass(frozen=True)
class _LatinProfile:
    """Hold the words and endings that vote for one Latin-script language."""

    words: frozenset[str]
    suffixes: tuple[str, ...]


@cache
def _profiles() -> dict[str, _LatinProfile]:
    """Load the English and Spanish word profiles shipped with the package."""
    raw = read_shipped_toml("language.toml")
    words = {code: frozenset(raw[code]["words"].split()) for code in ("en", "es")}
    shared = words["en"] & words["es"]
    return {
        code: _LatinProfile(words[code] - shared, tuple(raw[code]["suffixes"]))
        for code in ("en", "es")
    }


def _latin_score(tokens: list[str], profile: _LatinProfile) -> float:
    """Score how strongly the tokens look like the profile's language."""
    score = 0.0
    for token in tokens:
        if token in profile.words:
            score += 1.0
        elif len(token) > 4 and token.endswith(profile.suffixes):
            score += _SUFFIX_WEIGHT
    return score


def detect_language(text: str, hint: str | None = None) -> TextLanguage:
    """Return the language of the text itself, using the sender's setting only to break ties."""
    normalised = normalise(text)
    cyrillic, latin = count_scripts(normalised)
    if cyrillic + latin == 0:
        return OTHER_LANGUAGE
    if cyrillic >= latin:
        return Language.RU
    tokens = tokenise(normalised)
    profiles = _profiles()
    english = _latin_score(tokens, profiles["en"])
    spanish = _latin_score(tokens, profiles["es"])
    spanish += _MARK_WEIGHT * sum(1 for char in text.lower() if char in _SPANISH_MARKS)
    if english > spanish:
        return Language.EN
    if spanish > english:
        return Language.ES
    if hint in ("en", "es"):
        return Language(hint)
    return OTHER_LANGUAGE
