"""The words of shared/TAXONOMY.md: kinds, urgencies, topics (by TFA article) and offices."""

from __future__ import annotations

import math
import unicodedata
from enum import StrEnum
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

Urgency = Literal["high", "normal", "low"]
URGENCIES: tuple[Urgency, ...] = get_args(Urgency)
OTHER_TOPIC = "other"  # the topic code of feedback that fits no other topic
NOT_SURE = "not_sure"
OTHER_OFFICE = "other"
NO_OFFICE = "none"


class Kind(StrEnum):
    """What the sender wants."""

    ISSUE = "issue"
    SUGGESTION = "suggestion"
    QUESTION = "question"


class Topic(BaseModel):
    """A report topic from shared/TAXONOMY.md, with its names per language."""

    model_config = ConfigDict(frozen=True)

    code: str
    tfa: str = ""
    names: dict[str, str]

    def name(self, language: str) -> str:
        """Return the topic's name in language, English if missing."""
        return self.names.get(language) or self.names["en"]


class Office(BaseModel):
    """A customs office or border post, with other names people use and where it is."""

    model_config = ConfigDict(frozen=True)

    code: str
    kind: str
    names: dict[str, str]
    aliases: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None

    def name(self, language: str) -> str:
        """Return the office's name in language, English if missing."""
        return self.names.get(language) or self.names["en"]


class Taxonomy(BaseModel):
    """The topics and offices in use."""

    model_config = ConfigDict(frozen=True)

    topics: tuple[Topic, ...]
    offices: tuple[Office, ...]

    def topic(self, code: str | None) -> Topic | None:
        """Return the topic with this code."""
        return next((topic for topic in self.topics if topic.code == code), None)

    def office(self, code: str | None) -> Office | None:
        """Return the office with this code."""
        return next((office for office in self.offices if office.code == code), None)

    def nearest_office(self, latitude: float, longitude: float) -> Office | None:
        """Return the office closest to a point, among those with coordinates (None if none)."""
        placed = [o for o in self.offices if o.lat is not None and o.lon is not None]
        return min(
            placed,
            key=lambda o: distance_km(latitude, longitude, o.lat or 0.0, o.lon or 0.0),
            default=None,
        )


EARTH_RADIUS_KM = 6371.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance between two points, in kilometres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def folded(text: str) -> str:
    """Return text without accents and case, for matching what people type: "Peñas" -> "penas"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search_offices(taxonomy: Taxonomy, text: str, language: str) -> list[Office]:
    """Return the offices whose names (any language), aliases or code contain every typed word.

    Accents and case are ignored. An office whose code or alias is exactly what was typed comes
    first, then those whose name in `language` starts with it, then the rest, each by that name.
    """
    query = folded(text).split()
    if not query:
        return []
    wanted = " ".join(query)
    ranked: list[tuple[int, str, Office]] = []
    for office in taxonomy.offices:
        labels = [folded(label) for label in (office.code, *office.aliases)]
        haystack = " ".join([*labels, *(folded(name) for name in office.names.values())])
        if not all(word in haystack for word in query):
            continue
        name = folded(office.name(language))
        rank = 0 if wanted in labels else 1 if name.startswith(wanted) else 2
        ranked.append((rank, name, office))
    return [office for _, _, office in sorted(ranked, key=lambda item: item[:2])]
