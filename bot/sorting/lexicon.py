"""Match hand-written cue lexicons (words, stems*, phrases, ^openings) against a message."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from bot.core.text import normalise, tokenise
from bot.sorting.features import Document
from bot.sorting.shipped import read_shipped_toml

ANY_LANGUAGE = "any"
NUMBER_PART = "#"
# Words that negate the word right after them ("not urgent", "no es urgente", "не срочно").
NEGATION_WORDS = frozenset({"not", "no", "never", "non", "nunca", "ni", "не", "ни", "нет"})
# Words a negation may reach across: "not so urgent", "no es urgente", "не очень срочно".
_NEGATION_BRIDGES = frozenset(
    {"so", "very", "too", "really", "es", "esta", "muy", "tan", "очень", "так"}
)


@cache
def _number_words() -> frozenset[str]:
    """Load the counting words ('three', 'tres', 'три') shipped in resources/language.toml."""
    words: str = read_shipped_toml("language.toml")["numbers"]["words"]
    return frozenset(tokenise(normalise(words)))


def is_number(token: str) -> bool:
    """Tell whether a token is a number written in digits or as a counting word."""
    return token.isdigit() or token in _number_words()


@dataclass(frozen=True)
class _Part:
    """Hold one word of an entry: the text and whether it matches as a prefix."""

    text: str
    is_prefix: bool

    def matches(self, token: str) -> bool:
        """Tell whether a token satisfies this part ('#' stands for any number)."""
        if self.text == NUMBER_PART:
            return is_number(token)
        return token.startswith(self.text) if self.is_prefix else token == self.text


@dataclass(frozen=True)
class LexiconEntry:
    """Hold one cue: its words, the label it points to, its weight and anchoring."""

    label: str
    parts: tuple[_Part, ...]
    weight: float
    anchored: bool
    source: str


def parse_entry(label: str, source: str) -> LexiconEntry:
    """Parse 'word', 'stem*', 'two words', '^opening', '#' (a number) and an optional ':weight'."""
    text, _, weight_text = source.partition(":")
    weight = float(weight_text) if weight_text else 1.0
    anchored = text.startswith("^")
    parts: list[_Part] = []
    for word in text.lstrip("^").split():
        if word == NUMBER_PART:
            parts.append(_Part(NUMBER_PART, False))
            continue
        is_prefix = word.endswith("*")
        tokens = tokenise(normalise(word.rstrip("*")))
        for index, token in enumerate(tokens):
            last = index == len(tokens) - 1
            parts.append(_Part(token, is_prefix and last))
    if not parts:
        raise ValueError(f"empty lexicon entry {source!r} for {label}")
    return LexiconEntry(label, tuple(parts), weight, anchored, source)


class Lexicon:
    """Index cue entries by language and first word and score messages against them."""

    def __init__(self, entries: Mapping[str, Sequence[LexiconEntry]]) -> None:
        """Index the entries given per language code (or 'any')."""
        self._exact: dict[str, dict[str, list[LexiconEntry]]] = {}
        self._prefix: dict[str, dict[str, list[LexiconEntry]]] = {}
        self._prefix_lengths: dict[str, tuple[int, ...]] = {}
        self.labels: tuple[str, ...] = tuple(
            sorted({entry.label for group in entries.values() for entry in group})
        )
        for language, group in entries.items():
            exact = self._exact.setdefault(language, {})
            prefix = self._prefix.setdefault(language, {})
            for entry in group:
                first = entry.parts[0]
                target = prefix if first.is_prefix else exact
                target.setdefault(first.text, []).append(entry)
            self._prefix_lengths[language] = tuple(sorted({len(key) for key in prefix}))

    def occurrences(self, doc: Document) -> list[tuple[int, LexiconEntry]]:
        """Return every (token index, entry) match in the message's language and 'any'."""
        if doc.language in self._exact:
            languages = [ANY_LANGUAGE, doc.language]
        else:
            languages = list(self._exact)
        found: list[tuple[int, LexiconEntry]] = []
        tokens = doc.tokens
        for language in languages:
            exact = self._exact.get(language, {})
            prefix = self._prefix.get(language, {})
            lengths = self._prefix_lengths.get(language, ())
            numbers = exact.get(NUMBER_PART, ())
            for index, token in enumerate(tokens):
                candidates = list(exact.get(token, ()))
                if numbers and is_number(token):
                    candidates.extend(numbers)
                for length in lengths:
                    if length > len(token):
                        break
                    candidates.extend(prefix.get(token[:length], ()))
                for entry in candidates:
                    if entry.anchored and index not in doc.sentence_starts:
                        continue
                    if _rest_matches(entry.parts, tokens, index):
                        found.append((index, entry))
        return found

    def matches(self, doc: Document) -> list[LexiconEntry]:
        """Return the distinct entries found in the message."""
        distinct: dict[int, LexiconEntry] = {}
        for _, entry in self.occurrences(doc):
            distinct.setdefault(id(entry), entry)
        return list(distinct.values())

    def scores(
        self, doc: Document, position_weight: Callable[[int, str], float] | None = None
    ) -> dict[str, float]:
        """Return the summed weight of matched entries per label, each word counted once.

        Entries of one label that overlap ("papers" and "paper*") or repeat (the same
        cue listed for a language and for "any") add only their strongest weight.
        position_weight(token index, label), when given, scales each match by where it is.
        """
        totals = dict.fromkeys(self.labels, 0.0)
        covered: dict[str, set[int]] = {}
        seen: set[tuple[str, tuple[_Part, ...]]] = set()
        ranked = sorted(self.occurrences(doc), key=lambda found: -found[1].weight)
        for index, entry in ranked:
            key = (entry.label, entry.parts)
            positions = covered.setdefault(entry.label, set())
            span = range(index, index + len(entry.parts))
            if key in seen or any(position in positions for position in span):
                continue
            seen.add(key)
            positions.update(span)
            scale = position_weight(index, entry.label) if position_weight else 1.0
            totals[entry.label] += entry.weight * scale
        return totals


def _rest_matches(parts: tuple[_Part, ...], tokens: tuple[str, ...], start: int) -> bool:
    """Tell whether the entry's later words follow the token at start."""
    if start + len(parts) > len(tokens):
        return False
    return all(part.matches(tokens[start + offset]) for offset, part in enumerate(parts))


def build_lexicon(groups: Mapping[str, Mapping[str, Sequence[str]]]) -> Lexicon:
    """Build a lexicon from {label: {language: [entry, ...]}}."""
    by_language: dict[str, list[LexiconEntry]] = {}
    for label, languages in groups.items():
        for language, sources in languages.items():
            by_language.setdefault(language, []).extend(
                parse_entry(label, source) for source in sources
            )
    return Lexicon(by_language)


def unless_negated(doc: Document) -> Callable[[int, str], float]:
    """Return a position weight that drops a cue right after a negation ('not urgent')."""

    tokens = doc.tokens

    def weight(index: int, label: str) -> float:
        before = index - 1
        if before > 0 and tokens[before] in _NEGATION_BRIDGES:
            before -= 1
        return 0.0 if before >= 0 and tokens[before] in NEGATION_WORDS else 1.0

    return weight


@cache
def topic_lexicon() -> Lexicon:
    """Load the topic lexicon shipped in resources/topics.toml."""
    return build_lexicon(read_shipped_toml("topics.toml"))


@cache
def cue_lexicons() -> dict[str, Lexicon]:
    """Load the kind and urgency cue lexicons shipped in resources/cues.toml."""
    raw = read_shipped_toml("cues.toml")
    return {head: build_lexicon(groups) for head, groups in raw.items()}
