"""Entity utilities: trimming, rendering entities back to HTML, and auto-detected entities."""

from __future__ import annotations

import html
import re

from bot.sandbox.errors import JsonDict, utf16_len


def strip_text(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Trim surrounding whitespace like Telegram and shift/clip entities accordingly."""
    stripped = text.lstrip()
    shift = utf16_len(text) - utf16_len(stripped)
    stripped = stripped.rstrip()
    total = utf16_len(stripped)
    result: list[JsonDict] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


_OPEN_TAGS = {
    "bold": "<b>",
    "italic": "<i>",
    "underline": "<u>",
    "strikethrough": "<s>",
    "spoiler": "<tg-spoiler>",
    "code": "<code>",
    "blockquote": "<blockquote>",
    "expandable_blockquote": "<blockquote expandable>",
}


def _tags(entity: JsonDict) -> tuple[str, str]:
    """Return the opening and closing HTML for one entity ('' for plain entities)."""
    kind = entity.get("type", "")
    if kind in _OPEN_TAGS:
        opening = _OPEN_TAGS[kind]
        return opening, "</" + opening[1:].split(" ")[0].rstrip(">") + ">"
    if kind == "pre":
        language = entity.get("language")
        if language:
            return f'<pre><code class="language-{html.escape(language)}">', "</code></pre>"
        return "<pre>", "</pre>"
    if kind == "text_link":
        return f'<a href="{html.escape(str(entity.get("url", "")))}">', "</a>"
    if kind == "text_mention":
        user_id = entity.get("user", {}).get("id", 0)
        return f'<a href="tg://user?id={user_id}">', "</a>"
    if kind == "custom_emoji":
        return f'<tg-emoji emoji-id="{html.escape(str(entity.get("custom_emoji_id")))}">', (
            "</tg-emoji>"
        )
    return "", ""


def render_html(text: str, entities: list[JsonDict]) -> str:
    """Render plain text with entities back to Telegram HTML (like PTB's ``text_html``)."""
    units = text.encode("utf-16-le")

    def piece(start: int, end: int) -> str:
        chunk = units[2 * start : 2 * end].decode("utf-16-le", errors="replace")
        return html.escape(chunk, quote=False)

    out: list[str] = []
    stack: list[tuple[int, str]] = []
    pos = 0
    for entity in sorted(entities, key=lambda e: (e["offset"], -e["length"])):
        start = entity["offset"]
        while stack and stack[-1][0] <= start:
            end, closing = stack.pop()
            out.append(piece(pos, end) + closing)
            pos = end
        out.append(piece(pos, start))
        pos = start
        opening, closing = _tags(entity)
        end = start + entity["length"]
        if stack:
            end = min(end, stack[-1][0])
        out.append(opening)
        stack.append((end, closing))
    while stack:
        end, closing = stack.pop()
        out.append(piece(pos, end) + closing)
        pos = end
    out.append(piece(pos, len(units) // 2))
    return "".join(out)


_AUTO_PATTERNS = (
    ("bot_command", re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    ("url", re.compile(r"(?<![\w@])(?:https?://)[^\s<>\"]+[^\s<>\".,;:!?)\]]")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d_]\w*")),
)


def auto_entities(text: str) -> list[JsonDict]:
    """Return the entities Telegram detects in user-typed text (commands, links, ...)."""
    found: list[JsonDict] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            taken.append(span)
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: span[0]]),
                    "length": utf16_len(match.group(0)),
                }
            )
    found.sort(key=lambda e: e["offset"])
    return found


def entity_text(text: str, entity: JsonDict) -> str:
    """Return the substring an entity covers (offsets in UTF-16 code units)."""
    units = text.encode("utf-16-le")
    start, end = 2 * entity["offset"], 2 * (entity["offset"] + entity["length"])
    return units[start:end].decode("utf-16-le", errors="replace")
