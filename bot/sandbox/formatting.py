"""Telegram's HTML parse mode, entity rendering and automatic entities for user text.

The HTML parser mirrors tdlib's ``parse_html``: the same allowed tags, the same
handling of attributes and character references, and the same error descriptions
(without the ``Bad Request: can't parse entities:`` prefix, which callers add).
Offsets and lengths of entities are counted in UTF-16 code units like Telegram.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.sandbox.errors import JsonDict, utf16_len

ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\r\n\f\v"


class EntityParseError(ValueError):
    """Text that Telegram cannot parse in the requested parse mode."""


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int
    text_pos: int


def _byte_offset(text: str, index: int) -> int:
    """Return the UTF-8 byte offset of a character index, as Telegram reports."""
    return len(text[:index].encode("utf-8"))


def decode_char_reference(text: str, pos: int) -> tuple[str, int] | None:
    """Decode ``&name;`` / ``&#N;`` / ``&#xN;`` at ``pos``; return (char, next index)."""
    end = pos + 1
    value = 0
    if text.startswith("#", end):
        end += 1
        base, digits = 10, "0123456789"
        if text.startswith("x", end):
            end += 1
            base, digits = 16, "0123456789abcdefABCDEF"
        start = end
        while end < len(text) and text[end] in digits:
            end += 1
            value = int(text[start:end], base)
            if value >= 0x10FFFF:
                return None
        if value == 0 or end - pos >= 10 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[pos + 1 : end]
        if name not in _NAMED:
            return None
        char = _NAMED[name]
    if text.startswith(";", end):
        end += 1
    return char, end


def _is_valid_link(url: str) -> bool:
    """Return whether Telegram would accept ``url`` as a link target."""
    if re.match(r"^(tg|ton)://\S+$", url):
        return True
    match = re.match(r"^(?:(https?|ftp)://)?([^\s/?#]+)(\S*)$", url, re.IGNORECASE)
    if match is None:
        return False
    return bool(match.group(1)) or "." in match.group(2)


def _normalize_link(url: str) -> str:
    """Add the default scheme Telegram adds to bare links."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", url):
        return url
    return f"http://{url}"


class _HtmlParser:
    """A single-use parser of one HTML-formatted text."""

    def __init__(self, text: str, strict_ampersand: bool) -> None:
        self.text = text
        self.strict_ampersand = strict_ampersand
        self.out: list[str] = []
        self.length = 0
        self.utf16 = 0
        self.entities: list[JsonDict] = []
        self.stack: list[_OpenTag] = []

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.length += len(chunk)
        self.utf16 += utf16_len(chunk)

    def parse(self) -> tuple[str, list[JsonDict]]:
        text, i = self.text, 0
        while i < len(text):
            char = text[i]
            if char == "&":
                decoded = decode_char_reference(text, i)
                if decoded is not None:
                    self.emit(decoded[0])
                    i = decoded[1]
                    continue
                if self.strict_ampersand:
                    offset = _byte_offset(text, i)
                    raise EntityParseError(
                        f'Character "&" at byte offset {offset} must be escaped as "&amp;"'
                    )
            if char != "<":
                self.emit(char)
                i += 1
                continue
            i = self.end_tag(i) if text.startswith("/", i + 1) else self.start_tag(i)
        if self.stack:
            tag = self.stack[-1].name
            raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def skip_spaces(self, i: int) -> int:
        while i < len(self.text) and self.text[i] in _SPACES:
            i += 1
        return i

    def start_tag(self, begin: int) -> int:
        text = self.text
        offset = _byte_offset(text, begin)
        tag_end = begin + 1
        while tag_end < len(text) and text[tag_end] not in _SPACES and text[tag_end] != ">":
            tag_end += 1
        if tag_end >= len(text):
            raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
        name = text[begin + 1 : tag_end].lower()
        if name not in ALLOWED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
        argument, i = self.attributes(name, tag_end, offset)
        if name == "span" and argument != "spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {offset}'
            )
        self.stack.append(_OpenTag(name, argument, self.utf16, self.length))
        return i + 1

    def attributes(self, name: str, i: int, offset: int) -> tuple[str, int]:
        """Parse the attributes of a start tag; return (argument, index of '>')."""
        text, argument = self.text, ""
        while True:
            i = self.skip_spaces(i)
            if i >= len(text):
                raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
            if text[i] == ">":
                return argument, i
            attr_begin = i
            while i < len(text) and text[i] not in _SPACES and text[i] not in "=>/\"'":
                i += 1
            attr = text[attr_begin:i]
            if not attr:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {offset}'
                )
            i = self.skip_spaces(i)
            if i >= len(text) or text[i] != "=":
                if name == "blockquote" and attr == "expandable":
                    argument = "1"
                continue
            i = self.skip_spaces(i + 1)
            if i >= len(text):
                raise EntityParseError(f'Unclosed start tag "{name}" at byte offset {offset}')
            value, i = self.attribute_value(i)
            if i >= len(text):
                raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
            if name == "a" and attr == "href":
                argument = value
            elif name == "code" and attr == "class" and value.startswith("language-"):
                argument = value.removeprefix("language-")
            elif name == "span" and attr == "class" and value.startswith("tg-"):
                argument = value.removeprefix("tg-")
            elif name == "tg-emoji" and attr == "emoji-id":
                argument = value
            elif name == "blockquote" and attr == "expandable":
                argument = "1"

    def attribute_value(self, i: int) -> tuple[str, int]:
        text = self.text
        if text[i] not in "'\"":
            token_begin = i
            while i < len(text) and ((text[i].isascii() and text[i].isalnum()) or text[i] in ".-"):
                i += 1
            if i < len(text) and text[i] not in _SPACES and text[i] != ">":
                offset = _byte_offset(text, token_begin)
                raise EntityParseError(f"Unexpected end of name token at byte offset {offset}")
            return text[token_begin:i].lower(), i
        quote, chars = text[i], []
        i += 1
        while i < len(text) and text[i] != quote:
            if text[i] == "&":
                decoded = decode_char_reference(text, i)
                if decoded is not None:
                    chars.append(decoded[0])
                    i = decoded[1]
                    continue
            chars.append(text[i])
            i += 1
        if i < len(text):
            i += 1
        return "".join(chars), i

    def end_tag(self, begin: int) -> int:
        text = self.text
        offset = _byte_offset(text, begin)
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {offset}")
        i = begin + 2
        while i < len(text) and text[i] not in _SPACES and text[i] != ">":
            i += 1
        end_name = text[begin + 2 : i].lower()
        i = self.skip_spaces(i)
        if i >= len(text) or text[i] != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {offset}")
        opened = self.stack[-1]
        if end_name and end_name != opened.name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {offset}, expected "</{opened.name}>", '
                f'found "</{end_name}>"'
            )
        self.stack.pop()
        if self.utf16 > opened.offset:
            self.close_entity(opened)
        return i + 1

    def close_entity(self, opened: _OpenTag) -> None:
        offset, length = opened.offset, self.utf16 - opened.offset
        entity: JsonDict = {"offset": offset, "length": length}
        last = self.entities[-1] if self.entities else None
        same_range = last is not None and (last["offset"], last["length"]) == (offset, length)
        if opened.name in _SIMPLE:
            entity["type"] = _SIMPLE[opened.name]
        elif opened.name == "tg-emoji":
            entity.update(type="custom_emoji", custom_emoji_id=opened.argument)
        elif opened.name == "a":
            url = opened.argument or "".join(self.out)[opened.text_pos :]
            user = re.fullmatch(r"tg://user\?id=(\d+)", url)
            if user:
                entity.update(type="text_mention", user={"id": int(user.group(1))})
            elif _is_valid_link(url):
                entity.update(type="text_link", url=_normalize_link(url))
            else:
                return
        elif opened.name == "blockquote":
            entity["type"] = "expandable_blockquote" if opened.argument else "blockquote"
        elif opened.name == "pre":
            if last is not None and same_range and last["type"] == "code":
                self.entities.pop()
                language = last.get("_language", "")
                if language:
                    entity["language"] = language
            entity["type"] = "pre"
        else:  # code
            if last is not None and same_range and last["type"] == "pre":
                if opened.argument:
                    last["language"] = opened.argument
                return
            entity["type"] = "code"
            if opened.argument:
                entity["_language"] = opened.argument
        self.entities.append(entity)


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[JsonDict]]:
    """Parse Telegram HTML into plain text and entities; raise EntityParseError if invalid."""
    plain, entities = _HtmlParser(text, strict_ampersand).parse()
    return plain, [canonical_entity(entity) for entity in entities]


def canonical_entity(entity: JsonDict) -> JsonDict:
    """Return an entity with Telegram's key order and without parser-internal keys."""
    head = {"type": entity["type"], "offset": entity["offset"], "length": entity["length"]}
    rest = {k: v for k, v in entity.items() if k not in head and not k.startswith("_")}
    return {**head, **rest}
