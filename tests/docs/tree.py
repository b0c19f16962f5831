"""The code tree in docs/architecture.md: render it from the filesystem, check it, rewrite it.

Run ``python -m tests.docs.tree`` to rewrite the tree after adding, moving or renaming a
module (or changing its docstring's first line); ``--check`` only reports whether it is stale.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
FOLDERS = ("bot", "handlers", "storage", "config")
START = "<!-- tree:start (python -m tests.docs.tree rewrites this block) -->"
END = "<!-- tree:end -->"
SKIPPED = {"__pycache__", "__init__.py"}
SUMMARY_COLUMN = 36
LONGEST_SUMMARY = 110


def render_tree(root: Path = ROOT) -> str:
    """Return the tree of the code folders, one entry a line, each with its summary."""
    lines: list[str] = []
    for name in FOLDERS:
        lines.append(_entry(f"{name}/", _summary(root / name)))
        lines.extend(_children(root / name, ""))
    return "\n".join(lines) + "\n"


def _children(folder: Path, prefix: str) -> list[str]:
    entries = sorted(
        (p for p in folder.iterdir() if _shown(p)), key=lambda p: (p.is_file(), p.name)
    )
    lines: list[str] = []
    for index, path in enumerate(entries):
        last = index == len(entries) - 1
        label = f"{prefix}{'└── ' if last else '├── '}{path.name}{'/' if path.is_dir() else ''}"
        lines.append(_entry(label, _summary(path)))
        if path.is_dir():
            lines.extend(_children(path, prefix + ("    " if last else "│   ")))
    return lines


def _shown(path: Path) -> bool:
    return not (
        path.name in SKIPPED
        or path.name.startswith(".")
        or path.suffix in {".pyc", ".pyo"}
        or path.name.endswith(".egg-info")
    )


def _entry(label: str, summary: str) -> str:
    if not summary:
        return label
    return f"{label.ljust(SUMMARY_COLUMN - 2)}  {summary}"


def _summary(path: Path) -> str:
    """Return what a file or package says of itself: its docstring or its opening comment."""
    if path.is_dir():
        init = path / "__init__.py"
        return _docstring(init) if init.is_file() else ""
    if path.suffix == ".py":
        return _docstring(path)
    if path.suffix in {".sql", ".toml", ".env"}:
        return _opening_comment(path)
    return ""


def _docstring(path: Path) -> str:
    text = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    if not text:
        return ""
    return _first_sentence(text.split("\n\n", 1)[0].split())


def _opening_comment(path: Path) -> str:
    words: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        marker = "--" if stripped.startswith("--") else "#" if stripped.startswith("#") else ""
        if not marker or not stripped.removeprefix(marker).strip():
            break
        words.append(stripped.removeprefix(marker).strip())
    return _first_sentence(" ".join(words).split())


def _first_sentence(words: list[str]) -> str:
    """Return the words up to the first full stop, shortened to LONGEST_SUMMARY characters."""
    paragraph = " ".join(words)
    end = paragraph.find(". ")
    sentence = paragraph[: end + 1] if end >= 0 else paragraph
    if len(sentence) <= LONGEST_SUMMARY:
        return sentence
    return sentence[: LONGEST_SUMMARY - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def documented_tree(doc: Path = DOC) -> str:
    """Return the tree as docs/architecture.md has it, between its markers."""
    text = doc.read_text(encoding="utf-8")
    block = text.split(START, 1)[1].split(END, 1)[0]
    return block.strip("\n").removeprefix("```text\n").removesuffix("\n```") + "\n"


def rewrite(doc: Path = DOC, root: Path = ROOT) -> bool:
    """Write the current tree into the doc between its markers; tell whether it changed."""
    text = doc.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    fresh = f"{head}{START}\n```text\n{render_tree(root)}```\n{END}{tail}"
    if fresh == text:
        return False
    doc.write_text(fresh, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    """Rewrite the tree in docs/architecture.md, or with --check exit 1 if it is stale."""
    parser = argparse.ArgumentParser(prog="python -m tests.docs.tree", description=__doc__)
    parser.add_argument("--check", action="store_true", help="report only; do not write")
    args = parser.parse_args(argv)
    if args.check:
        stale = documented_tree() != render_tree()
        print(f"{DOC.relative_to(ROOT)}: tree is {'stale' if stale else 'up to date'}")
        return 1 if stale else 0
    changed = rewrite()
    print(f"{DOC.relative_to(ROOT)}: tree {'rewritten' if changed else 'already up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
