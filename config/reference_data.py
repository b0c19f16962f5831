"""Load and check the administration's topics and offices (topics.toml, offices.toml).

They are read from CONFIG_DIR (the examples in config/ by default). Names per language are the
entries' two-letter keys (en, es, ru); English is required, a missing language falls back to it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from bot.core.taxonomy import (
    NO_OFFICE,
    NOT_SURE,
    OTHER_OFFICE,
    OTHER_TOPIC,
    Office,
    Taxonomy,
    Topic,
)
from config import CONFIG_DIR

CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # short enough for a button's data
TOPIC_KEYS = {"code", "tfa"}
OFFICE_KEYS = {"code", "kind", "aliases", "lat", "lon"}
RESERVED = {"topic": {NOT_SURE}, "office": {OTHER_OFFICE, NO_OFFICE}}


class ReferenceDataError(ValueError):
    """A topics or offices file that cannot be used; the message names file, entry, problem."""


def load_taxonomy(directory: Path = CONFIG_DIR) -> Taxonomy:
    """Read and check topics.toml and offices.toml in a folder, or raise ReferenceDataError."""
    topics = _entries(directory / "topics.toml", "topic", TOPIC_KEYS)
    offices = _entries(directory / "offices.toml", "office", OFFICE_KEYS)
    if OTHER_TOPIC not in {entry["code"] for _, entry in topics}:
        raise ReferenceDataError(
            f"{directory / 'topics.toml'}: no topic with code {OTHER_TOPIC!r} "
            "(for feedback that fits no other topic)"
        )
    return Taxonomy(
        topics=tuple(
            Topic(code=entry["code"], tfa=str(entry.get("tfa", "")), names=_names(entry))
            for _, entry in topics
        ),
        offices=tuple(_office(label, entry) for label, entry in offices),
    )


def _entries(path: Path, table: str, keys: set[str]) -> list[tuple[str, dict[str, Any]]]:
    """Return the [[table]] entries of a file with a label each, checking codes and names."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as problem:
        raise ReferenceDataError(f"{path}: cannot read: {problem.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as problem:
        raise ReferenceDataError(f"{path}: not valid TOML: {problem}") from None
    entries = data.get(table)
    if not isinstance(entries, list) or not entries:
        raise ReferenceDataError(f"{path}: no [[{table}]] entries")
    seen: set[str] = set()
    checked = []
    for position, entry in enumerate(entries, start=1):
        code = entry.get("code") if isinstance(entry, dict) else None
        label = f"{path}: {table} {position}" + (f" ({code})" if isinstance(code, str) else "")
        if not isinstance(code, str) or not CODE_PATTERN.match(code):
            raise ReferenceDataError(f"{label}: code must be 1-32 characters of A-Z a-z 0-9 _ -")
        if code in seen or code in RESERVED[table]:
            taken = "used twice" if code in seen else "reserved by the bot"
            raise ReferenceDataError(f"{label}: code {code!r} is {taken}")
        seen.add(code)
        unknown = sorted(key for key in entry if key not in keys and len(key) != 2)
        if unknown:
            raise ReferenceDataError(f"{label}: unknown key {unknown[0]!r}")
        names = {key: value for key, value in entry.items() if len(key) == 2}
        if not isinstance(names.get("en"), str) or not names["en"].strip():
            raise ReferenceDataError(f'{label}: no English name (en = "...")')
        if not all(isinstance(value, str) and value.strip() for value in names.values()):
            raise ReferenceDataError(f"{label}: every name must be non-empty text")
        checked.append((label, entry))
    return checked


def _office(label: str, entry: dict[str, Any]) -> Office:
    """Build one office, checking its aliases and coordinates."""
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ReferenceDataError(f'{label}: aliases must be a list of text, e.g. ["SJO"]')
    lat, lon = entry.get("lat"), entry.get("lon")
    if (lat is None) != (lon is None):
        raise ReferenceDataError(f"{label}: give both lat and lon, or neither")
    for name, value, limit in (("lat", lat, 90), ("lon", lon, 180)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or abs(value) > limit
        ):
            raise ReferenceDataError(f"{label}: {name} must be a number from -{limit} to {limit}")
    return Office(
        code=entry["code"],
        kind=str(entry.get("kind", "")),
        names=_names(entry),
        aliases=tuple(alias.strip() for alias in aliases),
        lat=None if lat is None else float(lat),
        lon=None if lon is None else float(lon),
    )


def _names(entry: dict[str, Any]) -> dict[str, str]:
    """Return an entry's names by two-letter language code."""
    return {key: str(value) for key, value in entry.items() if len(key) == 2}
