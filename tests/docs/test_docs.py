"""The docs say what the code has: every setting documented, the code tree current, links alive."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from config.settings import Settings
from tests.docs.tree import DOC, ROOT, documented_tree, render_tree, rewrite

SETTINGS_DOC = ROOT / "docs" / "settings.md"
EXAMPLE_ENV = ROOT / "config" / "example.env"
DOCUMENTED_KEY = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", re.MULTILINE)
ENV_KEY = re.compile(r"^([A-Z][A-Z0-9_]*)=", re.MULTILINE)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def documented_settings() -> set[str]:
    """Return the keys named in the first column of docs/settings.md's tables."""
    return set(DOCUMENTED_KEY.findall(SETTINGS_DOC.read_text(encoding="utf-8")))


def example_settings() -> set[str]:
    """Return the keys config/example.env sets."""
    return set(ENV_KEY.findall(EXAMPLE_ENV.read_text(encoding="utf-8")))


def model_settings() -> set[str]:
    """Return the keys of the Settings model, as written in the environment."""
    return {name.upper() for name in Settings.model_fields}


def test_every_setting_of_the_model_is_documented() -> None:
    missing = model_settings() - documented_settings()
    assert not missing, f"add to docs/settings.md: {sorted(missing)}"


def test_every_setting_of_example_env_is_documented() -> None:
    missing = example_settings() - documented_settings()
    assert not missing, f"add to docs/settings.md: {sorted(missing)}"


def test_docs_name_no_setting_the_bot_does_not_read() -> None:
    unknown = documented_settings() - model_settings()
    assert not unknown, f"not a setting of config/settings.py: {sorted(unknown)}"


def test_example_env_and_the_model_have_the_same_keys() -> None:
    assert example_settings() == model_settings()


def test_architecture_tree_is_the_code_as_it_is() -> None:
    assert documented_tree() == render_tree(), (
        "docs/architecture.md's tree is stale: run `python -m tests.docs.tree` to rewrite it"
    )


def test_tree_rewrite_follows_a_new_module(tmp_path: Path) -> None:
    root = tmp_path / "project"
    for folder in ("bot", "handlers", "storage", "config"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text(f'"""The {folder} package."""\n')
    (root / "bot" / "clock.py").write_text('"""The clock.\n\nMore words."""\n')
    doc = tmp_path / "architecture.md"
    doc.write_text(DOC.read_text(encoding="utf-8"), encoding="utf-8")

    assert rewrite(doc, root) is True
    assert documented_tree(doc) == render_tree(root)
    assert "└── clock.py" in documented_tree(doc)
    assert "The clock." in documented_tree(doc)
    assert rewrite(doc, root) is False


def markdown_files() -> list[Path]:
    """Return README.md, CHANGELOG.md and every page under docs/."""
    return [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("page", markdown_files(), ids=lambda p: p.name)
def test_relative_links_lead_to_files_that_exist(page: Path) -> None:
    targets = [t for t in LINK.findall(page.read_text(encoding="utf-8")) if "://" not in t]
    dead = [t for t in targets if not (page.parent / t).exists()]
    assert not dead, f"{page.name} links to missing files: {dead}"
