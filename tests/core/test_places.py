"""Offices near a shared location, and voice notes read by their bytes."""

from __future__ import annotations

import pytest

from bot.core import files
from bot.core.errors import UserError
from bot.core.taxonomy import Office, Taxonomy, distance_km

OFFICES = (
    Office(code="NORTH", kind="border", names={"en": "North"}, lat=10.7, lon=-85.6),
    Office(code="PORT", kind="port", names={"en": "Port"}, lat=9.99, lon=-83.03),
    Office(code="HQ", kind="hq", names={"en": "HQ"}),  # no coordinates: never the nearest
)


def test_the_nearest_office_with_coordinates_is_found() -> None:
    taxonomy = Taxonomy(topics=(), offices=OFFICES)
    assert taxonomy.nearest_office(10.6, -85.5) == OFFICES[0]
    assert taxonomy.nearest_office(10.0, -83.1) == OFFICES[1]
    assert Taxonomy(topics=(), offices=OFFICES[2:]).nearest_office(10.0, -83.0) is None


def test_distance_is_the_great_circle_in_kilometres() -> None:
    assert distance_km(0, 0, 0, 1) == pytest.approx(111.19, abs=0.01)
    assert distance_km(10.7, -85.6, 10.7, -85.6) == 0


def test_a_voice_note_must_be_ogg_opus() -> None:
    ogg = b"OggS\x00\x02" + bytes(20) + b"\x01\x13OpusHead\x01\x01" + bytes(8)
    assert files.sniff_voice(ogg) == files.OGG
    for forged in (b"MZ\x90\x00program", b"OggS\x00\x02" + bytes(40), b"ID3\x03mp3"):
        with pytest.raises(UserError):
            files.sniff_voice(forged)
