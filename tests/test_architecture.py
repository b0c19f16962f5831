"""The import contracts keep up with the code: every capability module is domain or service."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAPABILITIES = ("reporting", "sorting", "followup", "accounts", "digests", "meetings", "notices")


def contracts() -> dict[str, dict[str, object]]:
    """Return the import-linter contracts of pyproject.toml by name."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {contract["name"]: contract for contract in config["contracts"]}


def modules_of(capability: str) -> set[str]:
    """Return the dotted names of a capability's modules in bot/."""
    folder = ROOT / "bot" / capability
    return {
        f"bot.{capability}.{path.stem}" for path in folder.glob("*.py") if path.stem != "__init__"
    }


def test_every_capability_module_is_either_domain_or_service() -> None:
    found = contracts()
    pure = next(c for name, c in found.items() if name.startswith("The domain is pure"))
    services = next(c for name, c in found.items() if name.startswith("Services take"))
    domain = set(pure["source_modules"])  # type: ignore[call-overload]
    service = set(services["source_modules"])  # type: ignore[call-overload]
    assert not domain & service
    for capability in CAPABILITIES:
        unlisted = modules_of(capability) - domain - service
        assert not unlisted, f"add {sorted(unlisted)} to the domain or services contract"


def test_every_capability_has_a_folder_in_each_layer() -> None:
    for capability in CAPABILITIES:
        assert (ROOT / "bot" / capability).is_dir()
        assert (ROOT / "handlers" / capability).is_dir()
        storage = ROOT / "storage"
        has_storage = (storage / capability).is_dir() or (storage / f"{capability}.py").exists()
        assert has_storage or capability == "sorting", capability  # sorting stores in reports
