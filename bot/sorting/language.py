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
# Cyrillic text is another language when a letter Russian lacks, or a Ukrainian or Serbian
# word, comes more often than once in this many letters.
_FOREIGN_SHARE = 60


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


@dataclass(frozen=True)
class _Foreign:
    """Hold the letters and words of the languages the bot does not speak."""

    cyrillic_letters: frozenset[str]
    latin_letters: dict[str, frozenset[str]]
    words: dict[str, frozenset[str]]


_CYRILLIC_FOREIGN = ("uk", "sr", "kk")


@cache
def _foreign() -> _Foreign:
    """Load the foreign letters and words shipped in language.toml."""
    raw = read_shipped_toml("language.toml")["foreign"]
    letters: dict[str, str] = raw["letters"]
    return _Foreign(
        cyrillic_letters=frozenset("".join(letters[code] for code in _CYRILLIC_FOREIGN)),
        latin_letters={
            code: frozenset(chars)
            for code, chars in letters.items()
            if code not in _CYRILLIC_FOREIGN
        },
        words={code: frozenset(tokenise(normalise(words))) for code, words in raw["words"].items()},
    )


@cache
def _translit() -> frozenset[str]:
    """Load the words of Russian typed in Latin letters."""
    return frozenset(read_shipped_toml("language.toml")["translit"]["ru"].split())


@cache
def _spoken_words() -> frozenset[str]:
    """Return the English and Spanish profile words (a foreign word list never counts them)."""
    raw = read_shipped_toml("language.toml")
    return frozenset(raw["en"]["words"].split()) | frozenset(raw["es"]["words"].split())


def _foreign_cyrillic_score(text: str, tokens: list[str]) -> float:
    """Count letters Russian lacks and Ukrainian or Serbian words."""
    foreign = _foreign()
    letters = sum(1 for char in text.lower() if char in foreign.cyrillic_letters)
    words = sum(
        1 for token in tokens if token in foreign.words["uk"] or token in foreign.words["sr"]
    )
    return float(letters + words)


def _foreign_latin_score(text: str, tokens: list[str]) -> float:
    """Score the strongest foreign Latin-script language: its words and its letters."""
    foreign = _foreign()
    lowered = text.lower()
    best = 0.0
    for code, words in foreign.words.items():
        if code in _CYRILLIC_FOREIGN:
            continue
        score = float(sum(1 for token in tokens if token in words))
        letters = foreign.latin_letters.get(code, frozenset())
        score += _MARK_WEIGHT * sum(1 for char in lowered if char in letters)
        best = max(best, score)
    return best


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
        foreign = _foreign_cyrillic_score(text, tokenise(normalised))
        return OTHER_LANGUAGE if foreign * _FOREIGN_SHARE > cyrillic else Language.RU
    tokens = tokenise(normalised)
    profiles = _profiles()
    english = _latin_score(tokens, profiles["en"])
    spanish = _latin_score(tokens, profiles["es"])
    spanish += _MARK_WEIGHT * sum(1 for char in text.lower() if char in _SPANISH_MARKS)
    translit = float(sum(1 for token in tokens if token in _translit()))
    foreign = _foreign_latin_score(text, tokens)
    if translit > max(english, spanish, foreign):
        return Language.RU
    if foreign > max(english, spanish):
        return OTHER_LANGUAGE
    if english > spanish:
        return Language.EN
    if spanish > english:
        return Language.ES
    if hint in ("en", "es"):
        return Language(hint)
    return OTHER_LANGUAGE
