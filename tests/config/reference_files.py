"""Write an administration's own topics.toml and offices.toml into a folder, for tests."""

from __future__ import annotations

from pathlib import Path

from config import CONFIG_DIR

# The shipped topics with one renamed and one added that the classifier does not know.
CUSTOM_TOPICS = (CONFIG_DIR / "topics.toml").read_text(encoding="utf-8").replace(
    'en = "Release and clearance times"', 'en = "Waiting at the border"'
) + (
    '\n[[topic]]\ncode = "phytosanitary"\nen = "Plant and animal health checks"\n'
    'es = "Controles fitosanitarios"\nru = "Фитосанитарный контроль"\n'
)

CUSTOM_OFFICES = """
[[office]]
code = "SJO"
kind = "airport"
aliases = ["Aeropuerto", "SJO", "Juan Santamaría"]
lat = 9.9939
lon = -84.2088
en = "Juan Santamaría International Airport"
es = "Aeropuerto Internacional Juan Santamaría"
ru = "Международный аэропорт Хуан-Сантамария"

[[office]]
code = "PENAS-BLANCAS"
kind = "border"
en = "Peñas Blancas border post"
es = "Puesto fronterizo Peñas Blancas"
ru = "Погранпереход Пеньяс-Бланкас"

[[office]]
code = "LIMON"
kind = "port"
en = "Port of Limón"
es = "Puerto de Limón"
ru = "Порт Лимон"
"""


def write_reference_data(
    folder: Path, topics: str = CUSTOM_TOPICS, offices: str = CUSTOM_OFFICES
) -> Path:
    """Write both files into folder (created) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "topics.toml").write_text(topics, encoding="utf-8")
    (folder / "offices.toml").write_text(offices, encoding="utf-8")
    return folder
