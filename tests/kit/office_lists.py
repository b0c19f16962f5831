"""A large administration's offices.toml: 300 offices named in en/es/ru, some with accents and
aliases, for the office picker's tests."""

from __future__ import annotations

from pathlib import Path

from tests.config.reference_files import CUSTOM_TOPICS

# 20 places (as written in en/es, and in ru) x 15 kinds of office = 300 offices.
PLACES = (
    ("Peñas", "Пеньяс"),
    ("Limón", "Лимон"),
    ("Golfito", "Гольфито"),
    ("Naranjo", "Наранхо"),
    ("Cañas", "Каньяс"),
    ("Sabalito", "Сабалито"),
    ("Upala", "Упала"),
    ("Orotina", "Оротина"),
    ("Quepos", "Кепос"),
    ("Jacó", "Хако"),
    ("Tilarán", "Тиларан"),
    ("Nicoya", "Никоя"),
    ("Liberia", "Либерия"),
    ("Guápiles", "Гуапилес"),
    ("Turrialba", "Турриальба"),
    ("Zarcero", "Сарсеро"),
    ("Siquirres", "Сикиррес"),
    ("Atenas", "Атенас"),
    ("Grecia", "Греция"),
    ("Alajuela", "Алахуэла"),
)
KINDS = (
    ("BP", "border", "{p} border post", "Puesto fronterizo {p}", "Погранпереход {r}"),
    ("SEA", "port", "{p} seaport", "Puerto marítimo {p}", "Морской порт {r}"),
    ("AIR", "airport", "{p} airport cargo", "Carga aérea {p}", "Авиагрузы {r}"),
    ("DEP", "inland", "{p} inland depot", "Depósito interior {p}", "Внутренний склад {r}"),
    ("RAIL", "inland", "{p} rail terminal", "Terminal ferroviaria {p}", "Ж/д терминал {r}"),
    ("MAIL", "inland", "{p} parcel office", "Paquetería postal {p}", "Почтовый пункт {r}"),
    ("FZ", "inland", "{p} free zone", "Zona franca {p}", "Свободная зона {r}"),
    ("BW", "inland", "{p} bonded warehouse", "Almacén fiscal {p}", "Таможенный склад {r}"),
    ("RIV", "border", "{p} river crossing", "Cruce fluvial {p}", "Речной переход {r}"),
    ("CH", "inland", "{p} customs house", "Aduana de {p}", "Таможня {r}"),
    ("FISH", "port", "{p} fish market", "Mercado pesquero {p}", "Рыбный рынок {r}"),
    ("TRK", "inland", "{p} truck park", "Parqueo de camiones {p}", "Стоянка грузовиков {r}"),
    ("EXP", "inland", "{p} courier hub", "Centro de mensajería {p}", "Курьерский центр {r}"),
    ("OIL", "inland", "{p} pipeline station", "Estación del oleoducto {p}", "Нефтебаза {r}"),
    ("PASS", "border", "{p} mountain pass", "Paso de montaña {p}", "Горный перевал {r}"),
)


def code_of(place: int, kind: int) -> str:
    """Return the code of the office of one place and kind: "P01-FZ"."""
    return f"P{place:02d}-{KINDS[kind][0]}"


def many_offices() -> str:
    """Return offices.toml with 300 offices; every fifth has an alias ("ZF-Limón" style)."""
    blocks = []
    for kind_index, (short, kind, en, es, ru) in enumerate(KINDS):
        for place_index, (place, russian) in enumerate(PLACES):
            number = kind_index * len(PLACES) + place_index
            alias = f'aliases = ["{short}-{place}"]\n' if number % 5 == 0 else ""
            blocks.append(
                f'[[office]]\ncode = "{code_of(place_index, kind_index)}"\nkind = "{kind}"\n'
                f'{alias}en = "{en.format(p=place)}"\nes = "{es.format(p=place)}"\n'
                f'ru = "{ru.format(r=russian)}"\n'
            )
    return "\n".join(blocks)


def write_many_offices(folder: Path) -> Path:
    """Write the 300 offices and the custom topics into folder (created) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "topics.toml").write_text(CUSTOM_TOPICS, encoding="utf-8")
    (folder / "offices.toml").write_text(many_offices(), encoding="utf-8")
    return folder
