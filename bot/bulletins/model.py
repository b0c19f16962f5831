"""Bulletins: months, items, headline figures and the rules that keep them public-safe."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from bot.core.errors import UserError
from bot.core.text import typed_line

SMALL_GROUP = 5  # no figure is published for a group of fewer traders
MAX_OUTCOME = 600  # characters of an item's published text
MAX_ITEMS = 12  # items of each kind in a draft


class ItemKind(StrEnum):
    """What an item reports: a resolved recurring issue, an action item done, a notice sent."""

    ISSUE = "issue"
    ACTION = "action"
    NOTICE = "notice"


class Status(StrEnum):
    """A bulletin waits for an admin, then is out."""

    DRAFT = "draft"
    PUBLISHED = "published"


class Month(BaseModel):
    """A calendar month, the period a bulletin covers."""

    model_config = ConfigDict(frozen=True)

    first: date

    @classmethod
    def before(cls, day: date) -> Month:
        """Return the calendar month before the one holding `day`."""
        last = day.replace(day=1) - timedelta(days=1)
        return cls(first=last.replace(day=1))

    @classmethod
    def parse(cls, text: str) -> Month:
        """Read YYYY-MM; raise UserError otherwise."""
        if not re.fullmatch(r"\d{4}-\d{2}", text.strip()):
            raise UserError("bulletin.error_month", text=text)
        year, month = int(text[:4]), int(text[5:7])
        if not 1 <= month <= 12 or year < 2000:
            raise UserError("bulletin.error_month", text=text)
        return cls(first=date(year, month, 1))

    @property
    def key(self) -> str:
        """Return YYYY-MM."""
        return f"{self.first:%Y-%m}"

    @property
    def end(self) -> date:
        """Return the first day of the next month."""
        return (self.first + timedelta(days=32)).replace(day=1)

    @property
    def last(self) -> date:
        """Return the last day of the month."""
        return self.end - timedelta(days=1)


class Headline(BaseModel):
    """The month's headline figures, as the digests compute them."""

    model_config = ConfigDict(frozen=True)

    reports: int = 0
    resolved_in_time: int = 0  # resolved within the service level...
    resolved_measured: int = 0  # ...of those whose resolution was measured
    satisfaction: float | None = None  # average rating, 1-5
    rated: int = 0  # how many ratings the average is over


def public_count(count: int) -> int | None:
    """Return a count fit to publish, None for a group smaller than SMALL_GROUP."""
    return count if count >= SMALL_GROUP else None


def public_share(part: int, whole: int) -> float | None:
    """Return part / whole fit to publish, None when the whole is a small group."""
    return part / whole if whole >= SMALL_GROUP else None


class Item(BaseModel):
    """One thing a bulletin says changed."""

    model_config = ConfigDict(frozen=True)

    id: int = 0
    kind: ItemKind
    topic: str | None = None
    office: str | None = None
    traders: int = 0
    outcome: str = ""
    texts: dict[str, str] = Field(default_factory=dict)
    edited: bool = False
    dropped: bool = False
    report_ids: tuple[int, ...] = ()

    def text_in(self, language: str) -> str:
        """Return what the item says in a language (an edited text replaces every language)."""
        if self.edited:
            return self.outcome
        return self.texts.get(language) or self.outcome


class Bulletin(BaseModel):
    """A month's bulletin: its items, figures and where it stands."""

    model_config = ConfigDict(frozen=True)

    id: int
    month: Month
    status: Status = Status.DRAFT
    figures: Headline = Headline()
    items: tuple[Item, ...] = ()
    created_at: datetime
    published_at: datetime | None = None

    @property
    def published(self) -> tuple[Item, ...]:
        """Return the items that go out (those not dropped)."""
        return tuple(item for item in self.items if not item.dropped)

    def item(self, item_id: int) -> Item:
        """Return one of its items; raise UserError if it has no such item."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise UserError("bulletin.error_stale")


def clean_outcome(text: str) -> str:
    """Return an admin's rewrite of an item, or raise UserError when empty or too long."""
    return typed_line(text, MAX_OUTCOME, "bulletin.error_empty", "bulletin.error_long")


def first_line(text: str, limit: int = 200) -> str:
    """Return the first line of a text with tags removed, cut at `limit` characters."""
    line = re.sub(r"<[^>]+>", "", text).strip().split("\n", 1)[0].strip()
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


_NUMBER = re.compile(r"\d{6,}")
_WORD = re.compile(r"\w+")
QUOTED_WORDS = 5  # this many words in a row from what a trader typed make a quote


def quotes(text: str, typed: tuple[str, ...]) -> bool:
    """Tell whether a text repeats QUOTED_WORDS words in a row of something a trader typed."""
    words = _WORD.findall(text.casefold())
    runs = {tuple(words[i : i + QUOTED_WORDS]) for i in range(len(words) - QUOTED_WORDS + 1)}
    for source in typed:
        said = _WORD.findall(source.casefold())
        for i in range(len(said) - QUOTED_WORDS + 1):
            if tuple(said[i : i + QUOTED_WORDS]) in runs:
                return True
    return False


def identifying(text: str, names: tuple[str, ...]) -> bool:
    """Tell whether a text names someone: one of `names` (3+ letters), an @username or an id."""
    lowered = text.casefold()
    if "@" in text or _NUMBER.search(text):
        return True
    for name in names:
        word = name.strip().casefold()
        if len(word) >= 3 and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered):
            return True
    return False
