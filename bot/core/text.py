"""Normalise, tokenise and stem message text in English, Spanish and Russian."""

from __future__ import annotations

import re
import unicodedata

from bot.core.errors import UserError

_LATIN_FOLD = str.maketrans(
    {
        **dict.fromkeys("áàâäãå", "a"),
        **dict.fromkeys("éèêë", "e"),
        **dict.fromkeys("íìîï", "i"),
        **dict.fromkeys("óòôöõø", "o"),
        **dict.fromkeys("úùûü", "u"),
        "ñ": "n",
        "ç": "c",
        "ý": "y",
        "ё": "е",
        "’": "'",
        "`": "'",
    }
)
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"[a-zñáéíóúü]")
_DIGITS = re.compile(r"\d")

MAX_TEXT_CHARS = 4000


def _longest_first(endings: str) -> list[str]:
    """Return the distinct whitespace-separated endings, longest first."""
    return sorted(set(endings.split()), key=len, reverse=True)


_RU_ENDINGS = _longest_first(
    """
    ившись ывшись ившая ывшая ующая ующий ующие ующих ующим ующей ающий ающие ающих ающая
    ениями ениях ением ения ение ений ению ости остью ость ками ами ями иями ях ах
    ями ией ием иям ого его ему ому ыми ими ешь ишь ете ите ует уют ают яют ала ала ила ыла
    али или ыли ало ило ено ена ены ено ать ять еть ить уть ться тся ись ась ось ый ий ой
    ая яя ое ее ые ие ых их ую юю ом ем ам ям ах ях ов ев ей ий ия ие ию ью ть ла ло ли
    ет ит ут ют ат ят ал ил ыл ем им а я о е ы и у ю ь й
    """
)
_ES_ENDINGS = _longest_first(
    """
    ciones cion aciones amientos imientos amiento imiento uciones ucion adoras adores adora ador
    aciones acion idades idad mente ancias ancia encias encia ismos ismo istas ista
    ables ibles able ible ando iendo yendo aron ieron aban ando aste iste amos emos imos
    ados adas idos idas ado ada ido ida ara era iera aria eria ar er ir an en os as es
    o a e s
    """
)
_EN_ENDINGS = _longest_first(
    """
    ational ations ation ions ion ments ment ingly ings ing edly ers er ed ies es ness ly s
    """
)
_ENDINGS_BY_LANGUAGE = {"ru": _RU_ENDINGS, "es": _ES_ENDINGS, "en": _EN_ENDINGS}


def normalise(text: str) -> str:
    """Return the text in NFKC, lower case, with Latin accents and ё folded."""
    return unicodedata.normalize("NFKC", text[:MAX_TEXT_CHARS]).lower().translate(_LATIN_FOLD)


def tokenise(normalised_text: str) -> list[str]:
    """Split normalised text into word tokens of letters and digits."""
    return _TOKEN.findall(normalised_text)


def stem(token: str, language: str) -> str:
    """Strip the longest inflectional ending, keeping a stem of at least three letters."""
    if _DIGITS.search(token):
        return number_shape(token)
    if _CYRILLIC.match(token):
        endings = _RU_ENDINGS
    else:
        endings = _ENDINGS_BY_LANGUAGE.get(language, _EN_ENDINGS)
    for ending in endings:
        if token.endswith(ending) and len(token) - len(ending) >= 3:
            return token[: -len(ending)]
    return token


def number_shape(token: str) -> str:
    """Map a token with digits to a coarse shape such as '#4' for a four-digit number."""
    if token.isdigit():
        return f"#{min(len(token), 6)}"
    return "#x"


def count_scripts(normalised_text: str) -> tuple[int, int]:
    """Count Cyrillic and Latin letters in normalised text."""
    return len(_CYRILLIC.findall(normalised_text)), len(_LATIN.findall(normalised_text))


def is_emoji(char: str) -> bool:
    """Tell whether a character is a pictograph or symbol rather than a letter."""
    category = unicodedata.category(char)
    return category == "So" or (category == "Sk" and ord(char) > 0x2000)


def typed_line(text: str, limit: int, empty: str, too_long: str, param: str = "limit") -> str:
    """Return a typed answer on one line (spaces folded); raise UserError if empty or too long.

    `empty` and `too_long` are the catalog keys said; `param` names the limit in the latter.
    """
    line = " ".join(text.split())
    if not line:
        raise UserError(empty)
    if len(line) > limit:
        raise UserError(too_long, **{param: limit})
    return line
