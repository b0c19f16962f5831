"""Telegram HTML measured and cut the way Telegram counts: UTF-16 units of the parsed text."""

from __future__ import annotations

import functools
import html
import re

TEXT_LIMIT = 4096  # a message's text, after parsing, in UTF-16 code units
CAPTION_LIMIT = 1024  # a caption, after parsing, in UTF-16 code units

_TAG_NAME = re.compile(r"</?\s*([a-zA-Z-]+)")
# Control characters Telegram would drop or refuse (tab and newline stay), and lone surrogates.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def utf16_len(text: str) -> int:
    """Return the length of a string in UTF-16 code units, the way Telegram counts."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clean(text: str) -> str:
    """Replace control characters and lone surrogates that Telegram refuses with spaces."""
    return _UNSAFE.sub(" ", text.replace("\r\n", "\n"))


_TAG = re.compile(r"<[^<>]*>")
_TOKEN = re.compile(r"<[^<>]*>|&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[a-zA-Z]{2,8});|[^<&]+|[<&]")


@functools.lru_cache(maxsize=256)
def _unescape(reference: str) -> str:
    """Return the character a character reference such as &amp; stands for."""
    return html.unescape(reference)


class _Atoms:
    """HTML cut into atoms a split must never break: a tag, a character reference, a character.

    Parallel lists: the raw HTML of each atom, what the reader sees of it, its width in UTF-16
    units, and for a tag its name (with a leading "/" for an end tag); "" for text.
    """

    def __init__(self, text: str) -> None:
        self.raw: list[str] = []
        self.shown: list[str] = []
        self.width: list[int] = []
        self.tag: list[str] = []
        for match in _TOKEN.finditer(text):
            token = match.group(0)
            if token.startswith("<") and len(token) > 1:
                name = _TAG_NAME.match(token)
                closing = "/" if token.startswith("</") else ""
                self._add([token], [""], [0], [closing + (name.group(1).lower() if name else "")])
            elif token.startswith("&") and len(token) > 1:
                shown = _unescape(token)
                self._add([token], [shown], [utf16_len(shown)], [""])
            else:
                chars = list(token)
                widths = [2 if char > "\uffff" else 1 for char in chars]
                self._add(chars, chars, widths, [""] * len(chars))

    def _add(self, raw: list[str], shown: list[str], width: list[int], tag: list[str]) -> None:
        self.raw += raw
        self.shown += shown
        self.width += width
        self.tag += tag

    def __len__(self) -> int:
        """Return how many atoms there are."""
        return len(self.raw)


def visible_length(text: str) -> int:
    """Return a HTML text's length as Telegram checks it: parsed, trimmed, in UTF-16 units."""
    return utf16_len(html.unescape(_TAG.sub("", text)).strip())


def _break_at(atoms: _Atoms, start: int, end: int) -> int:
    """Return where to end a piece in atoms[start:end]: a paragraph, a line, a space, or end."""
    shown = atoms.shown
    for index in range(end - 1, start, -1):
        if shown[index] == "\n" and shown[index - 1] == "\n":
            return index + 1
    for wanted in ("\n", " "):
        for index in range(end - 1, start, -1):
            if shown[index] == wanted:
                return index + 1
    return end


def split_html(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split Telegram HTML into valid pieces of at most limit visible UTF-16 units each.

    Pieces end between atoms (never inside a tag or ``&amp;``), preferably at a blank line,
    a line end or a space; a tag open at a cut is closed there and reopened in the next piece.
    """
    if visible_length(text) <= limit:
        return [text]
    atoms = _Atoms(text)
    pieces: list[str] = []
    opened: list[str] = []  # the start tags open where the piece begins
    start = 0
    while start < len(atoms):
        width, end = 0, start
        while end < len(atoms) and width + atoms.width[end] <= limit:
            width += atoms.width[end]
            end += 1
        if end < len(atoms):
            end = _break_at(atoms, start, end)
        prefix = "".join(opened)
        for index in range(start, end):
            tag = atoms.tag[index]
            if tag.startswith("/"):
                if opened:
                    opened.pop()
            elif tag:
                opened.append(atoms.raw[index])
        suffix = "".join(f"</{_tag_name(raw)}>" for raw in reversed(opened))
        if "".join(atoms.shown[start:end]).strip():
            pieces.append(f"{prefix}{''.join(atoms.raw[start:end])}{suffix}".strip())
        start = end
    return pieces or [text]


def _tag_name(start_tag: str) -> str:
    """Return the name of a start tag such as <a href="...">."""
    name = _TAG_NAME.match(start_tag)
    return name.group(1).lower() if name else ""
