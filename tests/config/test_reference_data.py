"""CONFIG_DIR: an administration's own offices and topics, checked before the bot starts."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli.check_config import check_config, topic_warnings
from config import CONFIG_DIR
from config.reference_data import load_taxonomy
from config.settings import SettingsError
from tests.config.reference_files import CUSTOM_OFFICES, CUSTOM_TOPICS, write_reference_data
from tests.config.test_settings import _cli
from tests.conftest import SettingsFactory

SHIPPED_TOPICS = (CONFIG_DIR / "topics.toml").read_text(encoding="utf-8")


def test_the_default_is_the_shipped_examples(make_settings: SettingsFactory) -> None:
    settings = make_settings()
    assert settings.config_dir == CONFIG_DIR
    assert load_taxonomy(settings.config_dir) == load_taxonomy()


def test_an_administrations_files_are_read_with_aliases_and_coordinates(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    settings = make_settings(config_dir=write_reference_data(tmp_path / "cr"))
    taxonomy = load_taxonomy(settings.config_dir)
    airport = taxonomy.office("SJO")
    assert airport is not None and airport.aliases == ("Aeropuerto", "SJO", "Juan Santamaría")
    assert (airport.lat, airport.lon) == (9.9939, -84.2088)
    assert taxonomy.office("LIMON") is not None and taxonomy.office("LIMON").lat is None  # type: ignore[union-attr]
    renamed = taxonomy.topic("release_delays")
    assert renamed is not None and renamed.name("en") == "Waiting at the border"
    added = taxonomy.topic("phytosanitary")
    assert added is not None and added.name("ru") == "Фитосанитарный контроль"


OFFICE = '[[office]]\ncode = "A"\nen = "Office A"\n'


@pytest.mark.parametrize(
    ("file", "text", "problem"),
    [
        ("offices.toml", "[[office]\ncode = 1", "offices.toml: not valid TOML"),
        ("offices.toml", "# nothing yet\n", "offices.toml: no [[office]] entries"),
        ("offices.toml", OFFICE + OFFICE, "offices.toml: office 2 (A): code 'A' is used twice"),
        (
            "offices.toml",
            '[[office]]\ncode = "A"\nes = "Aduana"\n',
            "office 1 (A): no English name",
        ),
        ("offices.toml", '[[office]]\nen = "X"\n', "office 1: code must be 1-32 characters"),
        ("offices.toml", '[[office]]\ncode = "a b"\nen = "X"\n', "office 1 (a b): code must be"),
        ("offices.toml", '[[office]]\ncode = "other"\nen = "X"\n', "'other' is reserved"),
        ("offices.toml", OFFICE + "lat = 9.9\n", "office 1 (A): give both lat and lon"),
        ("offices.toml", OFFICE + "lat = 99\nlon = 1\n", "lat must be a number from -90 to 90"),
        ("offices.toml", OFFICE + 'lon = "x"\nlat = 1\n', "lon must be a number from -180"),
        ("offices.toml", OFFICE + 'aliases = "SJO"\n', "aliases must be a list of text"),
        ("offices.toml", OFFICE + 'alias = ["SJO"]\n', "office 1 (A): unknown key 'alias'"),
        (
            "topics.toml",
            SHIPPED_TOPICS.replace('code = "other"', 'code = "misc"'),
            "no topic with code 'other'",
        ),
        (
            "topics.toml",
            SHIPPED_TOPICS + '[[topic]]\ncode = "not_sure"\nen = "?"\n',
            "topic 11 (not_sure): code 'not_sure' is reserved",
        ),
    ],
)
def test_a_bad_file_is_one_line_naming_file_entry_and_problem(
    make_settings: SettingsFactory, tmp_path: Path, file: str, text: str, problem: str
) -> None:
    folder = write_reference_data(tmp_path / "admin")
    (folder / file).write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as raised:
        make_settings(config_dir=folder)
    assert len(raised.value.lines) == 1
    line = raised.value.lines[0]
    assert line.startswith(f"Invalid setting CONFIG_DIR: {folder / file}") and problem in line


def test_a_missing_folder_or_file_is_named(make_settings: SettingsFactory, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"CONFIG_DIR: .*nowhere is not a folder"):
        make_settings(config_dir=tmp_path / "nowhere")
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "topics.toml").write_text(CUSTOM_TOPICS, encoding="utf-8")
    with pytest.raises(SettingsError, match=r"half/offices.toml: cannot read"):
        make_settings(config_dir=tmp_path / "half")


def test_topics_the_classifier_does_not_know_are_warned_about(tmp_path: Path) -> None:
    assert topic_warnings(load_taxonomy()) == []
    dropped = CUSTOM_TOPICS.replace('code = "integrity"', 'code = "ethics"')
    warnings = topic_warnings(
        load_taxonomy(write_reference_data(tmp_path, dropped, CUSTOM_OFFICES))
    )
    assert warnings == [
        "topic 'ethics' is offered to traders but the classifier never suggests it",
        "topic 'phytosanitary' is offered to traders but the classifier never suggests it",
        "topic 'integrity' is known to the classifier but not in topics.toml: never suggested",
    ]


def test_check_config_describes_and_warns(make_settings: SettingsFactory, tmp_path: Path) -> None:
    settings = make_settings(config_dir=write_reference_data(tmp_path / "cr"), holidays="CR")
    out, err = io.StringIO(), io.StringIO()
    assert check_config(settings, out, err) == 0
    assert "11 topics, 3 offices (1 with coordinates)" in out.getvalue()
    assert "'phytosanitary' is offered to traders" in err.getvalue()


def test_check_config_exits_2_with_one_line_on_a_bad_file(tmp_path: Path) -> None:
    folder = write_reference_data(tmp_path / "admin", offices=OFFICE + OFFICE)
    bad = _cli(tmp_path, "check-config", CONFIG_DIR=str(folder))
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        f"Invalid setting CONFIG_DIR: {folder / 'offices.toml'}: "
        "office 2 (A): code 'A' is used twice"
    )
    write_reference_data(folder)
    fine = _cli(tmp_path, "check-config", CONFIG_DIR=str(folder))
    assert fine.returncode == 0 and "Settings OK" in fine.stdout, fine.stderr
