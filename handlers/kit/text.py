"""Telegram HTML measured and cut the way Telegram counts: UTF-16 units of the parsed text."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

TEXT_LIMIT = 4096  # a message's text, after parsing, in UTF-16 code units
CAPTION_LIMIT = 1024  # a caption, after parsing, in UTF-16 code units

_ATOM = re.compile(r"<[^<>]*>|&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[a-zA-Z]{2,8});|[^<&]|[<&]")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z-]+)")
# Control characters Telegram would drop or refuse (tab and newline stay), and lone surrogates.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def utf16_len(text: str) -> int:
    """Return the length of a string in UTF-16 code units, the way Telegram counts."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clean(text: str) -> str:
    """Replace control characters and lone surrogates that Telegram refuses with spaces."""
    return _UNSAFE.sub(" ", text.replace("\r\n", "\n"))


@dataclass(frozen=True)
class _Atom:
    """One indivisible piece of HTML: a tag, a character reference or one character."""

    raw: str
    shown: str  # what the reader sees ("" for a tag)
    width: int  # UTF-16 units of what the reader sees
    tag: str = ""  # the tag's name for a tag
    closing: bool = False


def _atoms(text: str) -> list[_Atom]:
    """Cut Telegram HTML into atoms that a split must never break."""
    atoms: list[_Atom] = []
    for match in _ATOM.finditer(text):
        raw = match.group(0)
        if raw.startswith("<") and len(raw) > 1:
            name = _TAG_NAME.match(raw)
            tag = name.group(1).lower() if name else ""
            atoms.append(_Atom(raw, "", 0, tag, raw.startswith("</")))
            continue
        shown = html.unescape(raw) if raw.startswith("&") and len(raw) > 1 else raw
        atoms.append(_Atom(raw, shown, utf16_len(shown)))
    return atoms


def visible_length(text: str) -> int:
    """Return a HTML text's length as Telegram checks it: parsed, trimmed, in UTF-16 units."""
    return utf16_len("".join(atom.shown for atom in _atoms(text)).strip())


def _break_at(atoms: list[_Atom], start: int, end: int) -> int:
    """Return where to end a piece in atoms[start:end]: a paragraph, a line, a space, or end."""
    for wanted in ("\n\n", "\n", " "):
        for index in range(end - 1, start, -1):
            if atoms[index].shown == wanted[-1] and (
                len(wanted) == 1 or (index > start and atoms[index - 1].shown == "\n")
            ):
                return index + 1
    return end


def split_html(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split Telegram HTML into valid pieces of at most limit visible UTF-16 units each.

    Pieces end between atoms (never inside a tag or ``&amp;``), preferably at a blank line,
    a line end or a space; a tag open at a cut is closed there and reopened in the next piece.
    """
    if visible_length(text) <= limit:
        return [text]
    atoms = _atoms(text)
    pieces: list[str] = []
    opened: list[_Atom] = []
    start = 0
    while start < len(atoms):
        width, end = 0, start
        while end < len(atoms) and width + atoms[end].width <= limit:
            width += atoms[end].width
            end += 1
        if end < len(atoms):
            end = _break_at(atoms, start, end)
        prefix = "".join(atom.raw for atom in opened)
        for atom in atoms[start:end]:
            if atom.tag and atom.closing:
                if opened:
                    opened.pop()
            elif atom.tag:
                opened.append(atom)
        suffix = "".join(f"</{atom.tag}>" for atom in reversed(opened))
        body = "".join(atom.raw for atom in atoms[start:end])
        if "".join(atom.shown for atom in atoms[start:end]).strip():
            pieces.append(f"{prefix}{body}{suffix}".strip())
        start = end
    return pieces or [text]
