"""The callback-data registry: each button family's prefix declared once, encoded and parsed here.

Wire format (unchanged since the first release, so buttons already in chats keep working):
``prefix:part:part...``. A prefix is lowercase letters and digits only, so no prefix can
contain the separator and ``^prefix:`` never matches another family's data ("mtg:" and
"mtgf:" coexist). Data is at most 64 bytes, Telegram's limit. Data arrives from clients and
can be forged: parsing refuses anything malformed with ``BadCallback``, which button handlers
answer with the polite "this button no longer works".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from telegram.ext import CallbackQueryHandler

from handlers.kit.context import BotApplication
from handlers.kit.render import CALLBACK_DATA_LIMIT

SEPARATOR = ":"
LIMIT = CALLBACK_DATA_LIMIT  # 64 bytes of callback_data, as Telegram accepts
CODE = re.compile(r"[a-z0-9]+")
NUMBER_DIGITS = 18  # every id the bot makes fits; longer "numbers" are forged (SQLite: 63 bits)


class BadCallback(ValueError):
    """Callback data this bot did not build: forged, malformed, or of another prefix."""


@dataclass(frozen=True)
class Prefix:
    """One family of buttons: the code that starts their data and what they are for."""

    code: str
    purpose: str

    @property
    def pattern(self) -> str:
        """Return the CallbackQueryHandler pattern that matches this family's data only."""
        return f"^{self.code}{SEPARATOR}"

    def owns(self, data: str) -> bool:
        """Tell whether the data belongs to this family."""
        return data.startswith(self.code + SEPARATOR)


@dataclass(frozen=True)
class Fields:
    """The parts of pressed callback data after its prefix, read with checks."""

    parts: tuple[str, ...]

    def __len__(self) -> int:
        """Return how many parts the data had after its prefix."""
        return len(self.parts)

    @property
    def action(self) -> str:
        """Return the first part (most families say there what the button does)."""
        return self.text(0)

    def text(self, index: int, default: str | None = None) -> str:
        """Return a part, or the default when it is missing; no default: BadCallback."""
        if index < len(self.parts):
            return self.parts[index]
        if default is None:
            raise BadCallback(f"part {index} is missing")
        return default

    def number(self, index: int, default: int | None = None) -> int:
        """Return a part as a non-negative integer of at most NUMBER_DIGITS ASCII digits, or the
        default when it is missing."""
        if index >= len(self.parts) and default is not None:
            return default
        value = self.text(index)
        if not (value.isascii() and value.isdigit() and len(value) <= NUMBER_DIGITS):
            raise BadCallback(f"part {index} is not a number")
        return int(value)


class Registry:
    """The declared prefixes; a second claim on a code is refused when it is declared."""

    def __init__(self) -> None:
        """Start with no prefixes."""
        self._prefixes: dict[str, Prefix] = {}

    def prefix(self, code: str, purpose: str) -> Prefix:
        """Declare a prefix; refuse a code already taken or one that could not be matched."""
        if not CODE.fullmatch(code):
            raise ValueError(f"callback prefix {code!r} must be lowercase letters and digits")
        taken = self._prefixes.get(code)
        if taken is not None:
            raise ValueError(f"callback prefix {code!r} is already taken by {taken.purpose!r}")
        declared = Prefix(code, purpose)
        self._prefixes[code] = declared
        return declared

    def declared(self) -> tuple[Prefix, ...]:
        """Return every declared prefix, in declaration order."""
        return tuple(self._prefixes.values())

    def unhandled(self, patterns: Iterable[str]) -> list[Prefix]:
        """Return the declared prefixes whose pattern no handler listens to."""
        listened = set(patterns)
        return [p for p in self._prefixes.values() if p.pattern not in listened]


REGISTRY = Registry()


def prefix(code: str, purpose: str) -> Prefix:
    """Declare a prefix in the bot's registry (once per code, at import)."""
    return REGISTRY.prefix(code, purpose)


def require_handlers(app: BotApplication) -> None:
    """Refuse to start when a declared prefix has no CallbackQueryHandler listening to it."""
    patterns = [
        handler.pattern.pattern
        for group in app.handlers.values()
        for handler in group
        if isinstance(handler, CallbackQueryHandler) and isinstance(handler.pattern, re.Pattern)
    ]
    missing = REGISTRY.unhandled(patterns)
    if missing:
        codes = ", ".join(p.code for p in missing)
        raise RuntimeError(f"no button handler for callback prefixes: {codes}")


# Declared here because two capabilities build these buttons (followup's notices link to them).
MY_REPORTS = prefix("myr", "a reporter's own reports: pages, opening one, adding information")


def encode(family: Prefix, *parts: object, rest: object = None) -> str:
    """Build callback data; refuse a part holding the separator or data over 64 bytes.

    ``rest`` is a last part that may hold the separator (read back with ``parse(parts=...)``).
    """
    texts = [f"{part}" for part in parts]
    for text in texts:
        if SEPARATOR in text:
            raise ValueError(f"callback part {text!r} contains {SEPARATOR!r}")
    if rest is not None:
        texts.append(f"{rest}")
    data = SEPARATOR.join([family.code, *texts])
    if len(data.encode()) > LIMIT:
        raise ValueError(f"callback data {data!r} is over {LIMIT} bytes")
    return data


def parse(family: Prefix, data: str | None, *, parts: int | None = None) -> Fields:
    """Split pressed data into its parts (at most ``parts``, the last keeping the rest).

    Data of another family, or over 64 bytes, raises BadCallback.
    """
    if data is None or not family.owns(data) or len(data.encode()) > LIMIT:
        raise BadCallback(f"{data!r} is not {family.code} data")
    body = data[len(family.code) + len(SEPARATOR) :]
    split = -1 if parts is None else parts - 1
    return Fields(tuple(body.split(SEPARATOR, split)))
