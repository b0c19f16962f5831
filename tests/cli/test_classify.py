"""Tests for classify_stream: JSON lines in, JSON lines out, malformed lines reported."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.classify import OUTPUT_FIELDS, classify_stream
from bot.core.taxonomy import URGENCIES
from bot.sorting import KINDS, TOPICS, Classifier


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    """Build one shipped classifier for the module."""
    return Classifier()


def run(classifier: Classifier, text: str) -> tuple[int, list[dict[str, object]], list[str]]:
    """Run classify_stream over text and return the exit code, output rows and error lines."""
    out, err = io.StringIO(), io.StringIO()
    code = classify_stream(io.StringIO(text), out, err, classifier)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    return code, rows, err.getvalue().splitlines()


def test_valid_lines_give_one_output_each_and_exit_zero(classifier: Classifier) -> None:
    lines = [
        {"id": "a1", "text": "The portal is down again, nobody can log in."},
        {"id": 2, "text": "¿Dónde puedo pagar la multa?", "lang": "es"},
        {"id": "c3", "text": "Инспектор требует взятку", "lang": "ru"},
    ]
    code, rows, errors = run(classifier, "\n".join(json.dumps(line) for line in lines) + "\n")
    assert code == 0
    assert errors == []
    assert [row["id"] for row in rows] == ["a1", 2, "c3"]
    for row in rows:
        assert tuple(row) == OUTPUT_FIELDS
        assert row["kind"] in KINDS
        assert row["topic"] in TOPICS
        assert row["urgency"] in URGENCIES
        assert isinstance(row["sentiment"], float)
        assert isinstance(row["confidence"], float)
    assert rows[2]["language"] == "ru"


def test_blank_lines_are_ignored(classifier: Classifier) -> None:
    text = '\n   \n{"id": 1, "text": "scanner broken"}\n\n'
    code, rows, errors = run(classifier, text)
    assert (code, len(rows), errors) == (0, 1, [])


def test_malformed_lines_are_reported_with_line_numbers_and_skipped(
    classifier: Classifier,
) -> None:
    text = "\n".join(
        [
            '{"id": 1, "text": "Refund of overpaid duty, please"}',  # 1 fine
            "not json at all",  # 2
            "",  # 3 blank
            '{"text": "no id"}',  # 4
            '{"id": 5}',  # 5
            '{"id": 6, "text": 42}',  # 6
            '["a", "list"]',  # 7
            '{"id": true, "text": "boolean id"}',  # 8
            '{"id": 9, "text": "bad lang", "lang": 3}',  # 9
            '{"id": 10, "text": "Which HS code for tea?", "lang": "en"}',  # 10 fine
        ]
    )
    code, rows, errors = run(classifier, text)
    assert code == 1
    assert [row["id"] for row in rows] == [1, 10]
    numbers = [line.split(":")[0] for line in errors]
    assert numbers == ["line 2", "line 4", "line 5", "line 6", "line 7", "line 8", "line 9"]
    assert "invalid JSON" in errors[0]
    assert "missing 'id'" in errors[1]
    assert "missing 'text'" in errors[2]


def test_empty_input_exits_zero(classifier: Classifier) -> None:
    assert run(classifier, "") == (0, [], [])


def test_unicode_survives_and_language_is_detected(classifier: Classifier) -> None:
    line = json.dumps({"id": "ü", "text": "My truck is stuck at the border", "lang": "es"})
    code, rows, _ = run(classifier, line)
    assert code == 0
    assert rows[0]["id"] == "ü"
    assert rows[0]["language"] == "en"


def test_feedback_bot_classify_command(tmp_path: Path) -> None:
    """The installed CLI reads a file, writes parsable lines, reports bad ones and exits 1."""
    source = tmp_path / "gathered.jsonl"
    source.write_text(
        '{"id": "m1", "text": "Our truck has waited three days at the border"}\n'
        "this line is not json\n"
        '{"id": "m2", "text": "¿Qué documentos necesito para exportar café?", "lang": "es"}\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "classify", str(source)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["id"] for row in rows] == ["m1", "m2"]
    assert rows[1]["language"] == "es" and rows[1]["kind"] == "question"
    assert "line 2" in result.stderr
