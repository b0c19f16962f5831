"""One checker of Telegram HTML (parse_mode HTML) for the tests of every text the bot sends."""

from __future__ import annotations

from html.parser import HTMLParser

from bot.sandbox.formatting import EntityParseError, parse_html
from handlers.kit.render import split_message
from handlers.kit.text import utf16_len

ALLOWED_TAGS = frozenset({"b", "i", "u", "s", "code", "pre", "a", "blockquote"})


class _TagChecker(HTMLParser):
    """Collect the tags Telegram would refuse and those left unbalanced."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note a tag Telegram does not know, and open it."""
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag {tag}")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        """Close the tag opened last; anything else is unbalanced."""
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"unbalanced {tag}")


def html_problems(text: str) -> list[str]:
    """Return what makes a text invalid Telegram HTML (empty: it is valid)."""
    checker = _TagChecker()
    checker.feed(text)
    checker.close()
    return checker.problems + [f"unclosed {tag}" for tag in checker.stack]


HOSTILE_TEXTS = {
    "ampersands": "&" * 3500,
    "emoji": "😀" * 4096,
    "rtl": "مرحبا שלום hello \u202eevil\u202c " * 200,
    "invisible": "start\x00\u200b\u200d\u2060\ufeff" * 300 + " end",
    "html": "<b <i>x</i> &amp; </blockquote> <a href='x'>" * 70,
}


def refusals(text: str, limit: int = 4096) -> list[str]:
    """Return why Telegram would refuse any piece the bot sends of a text (empty: none)."""
    problems: list[str] = []
    for piece in split_message(text, limit):
        try:
            plain = parse_html(piece)[0].strip()
        except EntityParseError as error:
            problems.append(f"can't parse entities: {error}")
            continue
        if not plain or utf16_len(plain) > limit:
            problems.append(f"a piece of {utf16_len(plain)} units")
    return problems
