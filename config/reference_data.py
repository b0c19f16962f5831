"""Load the topics and offices from config/topics.toml and config/offices.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from bot.core.taxonomy import Office, Taxonomy, Topic
from config import CONFIG_DIR


def _names(entry: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in entry.items() if len(key) == 2}


def load_taxonomy(
    topics: Path = CONFIG_DIR / "topics.toml", offices: Path = CONFIG_DIR / "offices.toml"
) -> Taxonomy:
    """Read topics and offices; every entry needs a code and an English name."""
    topic_entries = tomllib.loads(topics.read_text(encoding="utf-8"))["topic"]
    office_entries = tomllib.loads(offices.read_text(encoding="utf-8"))["office"]
    return Taxonomy(
        topics=tuple(
            Topic(code=entry["code"], tfa=entry.get("tfa", ""), names=_names(entry))
            for entry in topic_entries
        ),
        offices=tuple(
            Office(code=entry["code"], kind=entry.get("kind", ""), names=_names(entry))
            for entry in office_entries
        ),
    )
