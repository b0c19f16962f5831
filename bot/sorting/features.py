"""Turn a message into tokens, stems and the sparse features each label head reads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.core.text import MAX_TEXT_CHARS, is_emoji, normalise, stem, tokenise
from bot.sorting.language import detect_language
from bot.sorting.shipped import read_shipped_toml

_SENTENCE_BREAK = re.compile(r"[.!?¿¡;\n]+")
# Sentences as a reader sees them: a stop, "!", "?" or ";" followed by a space, or a new line.
_RAW_SENTENCE_END = re.compile(r"(?<=[.!?;…])\s+|\n+")
_QUESTION_MARKS = ("?", "¿", "？")
_CHAR_NGRAM_SIZES = (4,)
_MIN_CONTENT_LENGTH = 2


@dataclass(frozen=True)
class Document:
    """Hold one message analysed once for every head: language, tokens and stems."""

    raw: str
    normalised: str
    language: str
    tokens: tuple[str, ...]
    sentence_starts: frozenset[int]
    stems: tuple[str, ...]
    content: tuple[bool, ...]
    question_at: str = "none"
    opening_length: int = 0


def _raw_sentences(text: str) -> list[str]:
    """Split text into sentences at a stop, '!', '?' or ';' before a space, or a new line."""
    return [part for part in _RAW_SENTENCE_END.split(text[:MAX_TEXT_CHARS]) if part.strip()]


@cache
def _greetings() -> frozenset[str]:
    """Load the greeting words that may open a message on their own."""
    words: str = read_shipped_toml("language.toml")["greetings"]["words"]
    return frozenset(tokenise(normalise(words)))


def _opening(sentences: list[str]) -> tuple[int, int]:
    """Return the index of the opening sentence, after any greeting, and its end in tokens."""
    greetings = _greetings()
    length = 0
    for index, sentence in enumerate(sentences):
        tokens = tokenise(normalise(sentence))
        length += len(tokens)
        if any(token not in greetings for token in tokens):
            return index, length
    return 0, length


def question_position(sentences: list[str], opening: int = 0) -> str:
    """Tell where the message asks: in its opening sentence ('first'), only 'later', or 'none'.

    Someone who wants information tends to lead with the question; a question
    that only closes a story of what went wrong is usually rhetorical.
    """
    asks = [any(mark in sentence for mark in _QUESTION_MARKS) for sentence in sentences]
    if not any(asks[opening:]):
        return "none"
    return "first" if asks[opening] else "later"


@cache
def _stopwords() -> dict[str, frozenset[str]]:
    """Load the per-language stopword lists shipped with the package."""
    raw = read_shipped_toml("language.toml")
    lists: dict[str, str] = raw["stopwords"]
    return {code: frozenset(tokenise(normalise(words))) for code, words in lists.items()}


def analyse(text: str, lang_hint: str | None = None) -> Document:
    """Analyse a message: detect its language, split sentences and stem its tokens."""
    language = detect_language(text, lang_hint)
    normalised = normalise(text)
    sentences = _raw_sentences(text)
    opening, opening_length = _opening(sentences)
    tokens: list[str] = []
    starts: set[int] = set()
    for sentence in _SENTENCE_BREAK.split(normalised):
        sentence_tokens = tokenise(sentence)
        if sentence_tokens:
            starts.add(len(tokens))
            tokens.extend(sentence_tokens)
    stop = _stopwords()
    stopwords = stop.get(language, stop["en"]) | stop["ru"]
    stems = tuple(stem(token, language) for token in tokens)
    content = tuple(
        token not in stopwords and len(token) >= _MIN_CONTENT_LENGTH for token in tokens
    )
    return Document(
        raw=text,
        normalised=normalised,
        language=language,
        tokens=tuple(tokens),
        sentence_starts=frozenset(starts),
        stems=stems,
        content=content,
        question_at=question_position(sentences, opening),
        opening_length=opening_length,
    )


def _char_ngrams(token: str) -> list[str]:
    """Return the character n-grams of a token padded with word boundaries."""
    padded = f"<{token}>"
    grams: list[str] = []
    for size in _CHAR_NGRAM_SIZES:
        grams.extend("c:" + padded[i : i + size] for i in range(len(padded) - size + 1))
    return grams


def _shape_flags(doc: Document) -> list[str]:
    """Return punctuation, capitals and emoji flags of the raw text."""
    raw = doc.raw[:MAX_TEXT_CHARS]
    flags: list[str] = []
    stripped = raw.rstrip()
    if "?" in raw or "¿" in raw:
        flags.append("f:question_mark")
    if stripped.endswith("?"):
        flags.append("f:ends_question")
    flags.append("f:question_" + doc.question_at)
    if "!" in raw:
        flags.append("f:exclamation")
    if "!!" in raw or "??" in raw:
        flags.append("f:repeated_mark")
    if any(word.isupper() and len(word) >= 4 for word in raw.split()):
        flags.append("f:shouting")
    if any(is_emoji(char) for char in raw):
        flags.append("f:emoji")
    if any(token.isdigit() for token in doc.tokens):
        flags.append("f:number")
    length = len(doc.tokens)
    flags.append("f:short" if length < 10 else "f:long" if length > 40 else "f:medium")
    return flags


def topic_features(doc: Document) -> set[str]:
    """Return word-stem, stem-bigram and character n-gram features of the content words."""
    features: set[str] = set()
    previous = ""
    for token, word_stem, is_content in zip(doc.tokens, doc.stems, doc.content, strict=True):
        if not is_content:
            previous = ""
            continue
        features.add("w:" + word_stem)
        if previous:
            features.add("b:" + previous + "_" + word_stem)
        previous = word_stem
        if not word_stem.startswith("#"):
            features.update(_char_ngrams(token))
    return features


def kind_features(doc: Document) -> set[str]:
    """Return all word stems, sentence openings and punctuation flags."""
    features = {"w:" + word_stem for word_stem in doc.stems}
    for start in doc.sentence_starts:
        opening = doc.stems[start : start + 2]
        features.add("s:" + opening[0])
        if len(opening) == 2:
            features.add("s:" + "_".join(opening))
    if doc.stems:
        features.add("first:" + doc.stems[0])
    features.update(_shape_flags(doc))
    return features


def urgency_features(doc: Document) -> set[str]:
    """Return word stems and punctuation flags that signal time pressure."""
    features = {"w:" + word_stem for word_stem in doc.stems}
    features.update(_shape_flags(doc))
    return features


HEAD_FEATURES = {
    "kind": kind_features,
    "topic": topic_features,
    "urgency": urgency_features,
}
