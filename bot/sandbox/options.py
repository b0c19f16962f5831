"""The sandbox's command-line options, light to import (the CLI builds its parser from them)."""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_PORT = 8080


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the sandbox's options to a parser (shared with ``feedback-bot sandbox``)."""
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="web page port (default: %(default)s)"
    )
    parser.add_argument(
        "--db", type=Path, default=None, help="SQLite file to keep (default: a temporary one)"
    )
    parser.add_argument(
        "--demo-data",
        type=int,
        default=0,
        metavar="N",
        help="file N synthetic reports by demo traders at start (default: none)",
    )
