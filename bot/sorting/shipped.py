"""Read the data files shipped inside the package (lexicons, word lists, model weights)."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

RESOURCE_DIR = "resources"


def shipped_file_exists(name: str) -> bool:
    """Tell whether a shipped data file is present."""
    return (
        resources.files(__package__ or "bot.sorting").joinpath(f"{RESOURCE_DIR}/{name}").is_file()
    )


def read_shipped_text(name: str) -> str:
    """Return the UTF-8 text of a shipped data file."""
    return (
        resources.files(__package__ or "bot.sorting")
        .joinpath(f"{RESOURCE_DIR}/{name}")
        .read_text("utf-8")
    )


def read_shipped_bytes(name: str) -> bytes:
    """Return the bytes of a shipped data file."""
    return (
        resources.files(__package__ or "bot.sorting")
        .joinpath(f"{RESOURCE_DIR}/{name}")
        .read_bytes()
    )


def read_shipped_toml(name: str) -> dict[str, Any]:
    """Parse a shipped TOML data file."""
    return tomllib.loads(read_shipped_text(name))
