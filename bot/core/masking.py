"""Quotes of what people typed, safe to show others: contacts, numbers and names masked."""

from __future__ import annotations

import re
from functools import lru_cache

QUOTE_LENGTH = 120
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|ru|es)\b\S*")
_MENTION = re.compile(r"(?<!\w)@\w{3,}")
_NUMBER = re.compile(r"(?<![\w+])\+?(?:\(\d+\) ?)?\d+(?:[ ./-]\d+)*(?!\w)")  # phones, ids
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
MASK = "[…]"
_DOMAINS = ("com", "org", "net", "ru", "es")
_DIGIT = re.compile(r"\d")


def _mask_number(match: re.Match[str]) -> str:
    """Mask a phone or a long number (7+ digits), not a date."""
    text = match.group(0)
    if _DATE.fullmatch(text.strip()) or sum(char.isdigit() for char in text) < 7:
        return text
    return MASK


def mask_personal(text: str, names: tuple[str, ...] = ()) -> str:
    """Replace e-mails, URLs, @mentions, phones, long numbers and the given names by [...].

    The names are the reporter's own (first, last, username, organisation).
    """
    masked = text
    if "@" in masked:  # cheap checks first: most texts have no address, link or number
        masked = _MENTION.sub(MASK, _EMAIL.sub(MASK, masked))
    lowered = masked.lower()
    if "www." in lowered or "://" in lowered or any(f".{end}" in lowered for end in _DOMAINS):
        masked = _URL.sub(MASK, masked)
    if _DIGIT.search(masked):
        masked = _NUMBER.sub(_mask_number, masked)
    pattern = _names_pattern(names)
    return pattern.sub(MASK, masked) if pattern else masked


@lru_cache(maxsize=4096)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """Return one pattern for the names (3+ characters), longest first; None without any."""
    kept = sorted({n.strip() for n in names if len(n.strip()) >= 3}, key=len, reverse=True)
    if not kept:
        return None
    either = "|".join(re.escape(name) for name in kept)
    return re.compile(rf"(?<!\w)(?:{either})(?!\w)", re.IGNORECASE)


def short_quote(text: str, limit: int = QUOTE_LENGTH) -> str:
    """Return text on one line, cut at a word boundary to at most limit characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] if " " in flat[: limit - 1] else flat[: limit - 1]
    return cut.rstrip(" ,.;:") + "…"
