"""Settings, message catalogs and reference data (topics, offices)."""

from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parent
LOCALES_DIR = CONFIG_DIR / "locales"
