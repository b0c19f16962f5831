"""search_offices: part of a name in any language, or an alias, accents and case ignored."""

from __future__ import annotations

import random
from pathlib import Path

from bot.core.taxonomy import Taxonomy, folded, search_offices
from config import CONFIG_DIR
from config.reference_data import load_taxonomy
from tests.config.reference_files import CUSTOM_OFFICES, CUSTOM_TOPICS, write_reference_data

TOPICS = (CONFIG_DIR / "topics.toml").read_text(encoding="utf-8")
PLACES = [
    ("Peñas Blancas", "Пеньяс-Бланкас"),
    ("Paso Canoas", "Пасо-Каноас"),
    ("Caldera", "Кальдера"),
    ("Limón", "Лимон"),
    ("Ñeembucú", "Ньеэмбуку"),
    ("São Tomé", "Сан-Томе"),
    ("Ёлкино", "Ёлкино"),
]
KINDS = [("border post", "puesto fronterizo", "погранпереход"), ("port", "puerto", "порт")]


def _codes(taxonomy: Taxonomy, text: str, language: str = "en") -> list[str]:
    return [office.code for office in search_offices(taxonomy, text, language)]


def _generated(folder: Path, count: int = 300, seed: int = 7) -> Taxonomy:
    """Write an offices.toml of `count` offices (places x kinds x numbers) and load it."""
    rng = random.Random(seed)
    entries = []
    for number in range(count):
        place, place_ru = PLACES[number % len(PLACES)]
        kind_en, kind_es, kind_ru = KINDS[number % len(KINDS)]
        entries.append(
            f'[[office]]\ncode = "OFF-{number:03d}"\nkind = "border"\n'
            f'aliases = ["X{number:03d}"]\nlat = {rng.uniform(-60, 60):.4f}\n'
            f"lon = {rng.uniform(-170, 170):.4f}\n"
            f'en = "{place} {kind_en} {number}"\nes = "{kind_es} {place} {number}"\n'
            f'ru = "{kind_ru} {place_ru} {number}"\n'
        )
    return load_taxonomy(write_reference_data(folder, TOPICS, "\n".join(entries)))


def test_accents_and_case_are_ignored(tmp_path: Path) -> None:
    taxonomy = load_taxonomy(write_reference_data(tmp_path, CUSTOM_TOPICS, CUSTOM_OFFICES))
    assert folded("Peñas ÁÉÍ Ёж") == "penas aei еж"
    assert _codes(taxonomy, "penas") == ["PENAS-BLANCAS"]
    assert _codes(taxonomy, "LIMON") == ["LIMON"]
    assert _codes(taxonomy, "пеньяс") == ["PENAS-BLANCAS"]


def test_a_name_in_another_language_or_an_alias_finds_the_office(tmp_path: Path) -> None:
    taxonomy = load_taxonomy(write_reference_data(tmp_path, CUSTOM_TOPICS, CUSTOM_OFFICES))
    assert _codes(taxonomy, "aeropuerto", "en") == ["SJO"]  # an alias, and the Spanish name
    assert _codes(taxonomy, "sjo", "ru") == ["SJO"]
    assert _codes(taxonomy, "аэропорт") == ["SJO"]
    assert _codes(taxonomy, "santamaria internacional") == ["SJO"]  # words in any order
    assert _codes(taxonomy, "puerto", "es") == ["LIMON", "SJO"]  # name starts with it: first
    assert _codes(taxonomy, "  ") == [] and _codes(taxonomy, "Mars") == []


def test_three_hundred_offices(tmp_path: Path) -> None:
    taxonomy = _generated(tmp_path)
    assert len(taxonomy.offices) == 300
    assert _codes(taxonomy, "X123") == ["OFF-123"]  # the alias typed exactly comes first
    sao_tome = {f"OFF-{n:03d}" for n in range(300) if n % len(PLACES) == 5}
    assert set(_codes(taxonomy, "sao tome", "en")) == sao_tome
    assert _codes(taxonomy, "пуэрто") == []
    yolkino = {f"OFF-{n:03d}" for n in range(300) if n % len(PLACES) == 6}
    assert set(_codes(taxonomy, "ЕЛКИНО", "ru")) == yolkino  # ё typed as е, any case
    limon = search_offices(taxonomy, "limon 3", "es")
    assert limon and all("Limón" in office.name("es") for office in limon)
    assert all(o.lat is not None and -60 <= o.lat <= 60 for o in taxonomy.offices)
