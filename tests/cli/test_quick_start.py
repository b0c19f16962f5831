"""The quick commands start without charting, spreadsheet, Telegram or emulator libraries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("matplotlib", "openpyxl", "telegram", "aiohttp", "bot.sandbox.core", "bot.app")
PROBE = """
import json, sys
from bot.__main__ import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
sys.stdout.flush()
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def imported(*argv: str, stdin: str = "") -> set[str]:
    """Run the command line in a fresh interpreter; return the modules it had imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    modules: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return set(modules)


@pytest.mark.parametrize(
    ("argv", "stdin"),
    [(("--version",), ""), (("classify",), '{"id": 1, "text": "The portal is down"}\n')],
)
def test_quick_commands_import_no_heavy_library(argv: tuple[str, ...], stdin: str) -> None:
    modules = imported(*argv, stdin=stdin)
    assert "bot.__main__" in modules
    assert [name for name in HEAVY if name in modules] == []
