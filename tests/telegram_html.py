"""One checker of Telegram HTML (parse_mode HTML) for the tests of every text the bot sends."""

from __future__ import annotations

from html.parser import HTMLParser

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
