"""Telegram's MarkdownV2 and legacy Markdown parse modes (after tdlib's parsers).

MarkdownV2 support covers bold, italic, underline, strikethrough, spoiler, inline
code, pre blocks (with language), text links and escapes, with Telegram's
reserved-character rule and error descriptions. Block quotes (``>`` at the start
of a line) are accepted as plain text without a blockquote entity.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.sandbox.errors import JsonDict, utf16_len
from bot.sandbox.formatting import EntityParseError

RESERVED = "_*[]()~`>#+-=|{}.!"
_TYPE_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
}


@dataclass
class _Open:
    kind: str
    language: str
    offset: int
    byte_offset: int
    text_pos: int


def _reserved(char: str) -> EntityParseError:
    return EntityParseError(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


class _MarkdownV2:
    """A single-use MarkdownV2 parser."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.out: list[str] = []
        self.length = 0
        self.utf16 = 0
        self.entities: list[JsonDict] = []
        self.stack: list[_Open] = []

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.length += len(chunk)
        self.utf16 += utf16_len(chunk)

    def at(self, i: int) -> str:
        return self.text[i] if i < len(self.text) else ""

    def closes(self, i: int) -> bool:
        """Return whether the reserved character at ``i`` ends the innermost entity."""
        if not self.stack:
            return False
        char, kind = self.text[i], self.stack[-1].kind
        if kind == "italic":
            return char == "_" and self.at(i + 1) != "_"
        if kind == "underline":
            return self.text.startswith("__", i)
        if kind == "spoiler":
            return self.text.startswith("||", i)
        if kind == "pre":
            return self.text.startswith("```", i)
        ends = {"bold": "*", "strikethrough": "~", "code": "`", "text_link": "]"}
        return ends.get(kind) == char

    def parse(self) -> tuple[str, list[JsonDict]]:
        i, text = 0, self.text
        while i < len(text):
            char = text[i]
            if char == "\\" and 0 < ord(self.at(i + 1) or "\x7f") <= 126:
                self.emit(text[i + 1])
                i += 2
                continue
            in_code = bool(self.stack) and self.stack[-1].kind in {"code", "pre"}
            reserved = "`" if in_code else RESERVED
            if char not in reserved or (char == ">" and (i == 0 or text[i - 1] == "\n")):
                self.emit(char)
                i += 1
                continue
            i = self.close(i) if self.closes(i) else self.open(i)
        if self.stack:
            opened = self.stack[-1]
            name = _TYPE_NAMES[opened.kind]
            if opened.kind == "pre" and opened.language:
                name = "PreCode"
            raise EntityParseError(
                f"Can't find end of {name} entity at byte offset {opened.byte_offset}"
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def open(self, i: int) -> int:
        text, char = self.text, self.text[i]
        byte_offset = len(text[:i].encode("utf-8"))
        language = ""
        if char == "_" and self.at(i + 1) == "_":
            kind, i = "underline", i + 2
        elif char in "_*~[":
            kind = {"_": "italic", "*": "bold", "~": "strikethrough", "[": "text_link"}[char]
            i += 1
        elif char == "|" and self.at(i + 1) == "|":
            kind, i = "spoiler", i + 2
        elif char == "`" and text.startswith("```", i):
            kind, i = "pre", i + 3
            end = i
            while end < len(text) and text[end] not in " \t\r\n`":
                end += 1
            if end != i and end < len(text) and text[end] != "`":
                language, i = text[i:end], end
            first = self.at(i)
            if first in ("\r", "\n"):
                second = self.at(i + 1)
                i += 2 if second in ("\r", "\n") and second != first else 1
        elif char == "`":
            kind, i = "code", i + 1
        else:
            raise _reserved(char)
        self.stack.append(_Open(kind, language, self.utf16, byte_offset, self.length))
        return i

    def close(self, i: int) -> int:
        opened = self.stack.pop()
        entity: JsonDict = {"type": opened.kind, "offset": opened.offset}
        entity["length"] = self.utf16 - opened.offset
        skip = entity["length"] == 0
        step = {"underline": 2, "spoiler": 2, "pre": 3}.get(opened.kind, 1)
        i += step
        if opened.kind == "pre" and opened.language:
            entity["language"] = opened.language
        if opened.kind == "text_link":
            url, i = self.link_target(i, opened)
            if not url:
                skip = True
            entity["url"] = url
        if not skip:
            self.entities.append(entity)
        return i

    def link_target(self, i: int, opened: _Open) -> tuple[str, int]:
        text = self.text
        if self.at(i) != "(":
            return "".join(self.out)[opened.text_pos :], i
        i += 1
        begin, chars = i, []
        while i < len(text) and text[i] != ")":
            if text[i] == "\\" and 0 < ord(self.at(i + 1) or "\x7f") <= 126:
                chars.append(text[i + 1])
                i += 2
                continue
            chars.append(text[i])
            i += 1
        if i >= len(text):
            offset = len(text[:begin].encode("utf-8"))
            raise EntityParseError(f"Can't find end of a URL at byte offset {offset}")
        return "".join(chars), i + 1


def parse_markdown_v2(text: str) -> tuple[str, list[JsonDict]]:
    """Parse MarkdownV2 into plain text and entities; raise EntityParseError if invalid."""
    return _MarkdownV2(text).parse()


def parse_markdown(text: str) -> tuple[str, list[JsonDict]]:
    """Parse legacy Markdown (``*bold*``, ``_italic_``, code, pre, links) into entities."""
    out: list[str] = []
    entities: list[JsonDict] = []
    utf16, i = 0, 0
    markers = {"*": "bold", "_": "italic", "`": "code"}
    while i < len(text):
        char = text[i]
        if char not in "*_`[":
            out.append(char)
            utf16 += utf16_len(char)
            i += 1
            continue
        byte_offset = len(text[:i].encode("utf-8"))
        if text.startswith("```", i):
            end = text.find("```", i + 3)
            kind, body, after = "pre", text[i + 3 : end], end + 3
        elif char == "[":
            close = text.find("](", i)
            end = text.find(")", close + 2) if close != -1 else -1
            kind, body, after = "text_link", text[i + 1 : close], end + 1
        else:
            end = text.find(char, i + 1)
            kind, body, after = markers[char], text[i + 1 : end], end + 1
        if end == -1:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {byte_offset}"
            )
        entity: JsonDict = {"type": kind, "offset": utf16, "length": utf16_len(body)}
        if kind == "text_link":
            entity["url"] = text[close + 2 : end]
        if body:
            entities.append(entity)
        out.append(body)
        utf16 += utf16_len(body)
        i = after
    return "".join(out), entities
