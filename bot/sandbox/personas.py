"""The sandbox's personas: preset and trainer-made simulated users, kept across restarts."""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.sandbox.core import SandboxCore
from bot.sandbox.errors import JsonDict

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "ru": "Russian",
    "fr": "French",
    "de": "German",
    "pt": "Portuguese",
    "ar": "Arabic",
    "zh": "Chinese",
}
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
NAME_MAX_LENGTH = 64
FIRST_CUSTOM_ID = 5_200_001


@dataclass(frozen=True)
class Persona:
    """A simulated Telegram user a trainer can talk to the bot as."""

    id: int
    name: str
    language: str
    role: str = ""
    preset: bool = False

    @property
    def language_name(self) -> str:
        """Return the language's English name (or its code when unknown)."""
        return LANGUAGE_NAMES.get(self.language.split("-")[0], self.language)

    @property
    def label(self) -> str:
        """Return how the persona is listed, e.g. 'Lucía — trader (Spanish)'."""
        role = f" — {self.role}" if self.role else ""
        return f"{self.name}{role} ({self.language_name})"

    def api(self) -> JsonDict:
        """Return the persona as the web page reads it."""
        return {**asdict(self), "label": self.label, "language_name": self.language_name}


LUCIA = Persona(5_100_001, "Lucía", "es", "trader", preset=True)
DMITRI = Persona(5_100_002, "Dmitri", "ru", "customs broker", preset=True)
SAM = Persona(5_100_003, "Sam", "en", "officer/admin", preset=True)
PRESETS = (LUCIA, DMITRI, SAM)
ADMIN_PERSONA = SAM


class InvalidPersona(ValueError):
    """A new persona's name or language that cannot be used."""


class PersonaBook:
    """The personas of one sandbox, registered with the emulator and saved to a JSON file."""

    def __init__(self, emulator: SandboxCore, store: Path | None = None) -> None:
        """Add the presets and any saved personas to the emulator."""
        self.emulator = emulator
        self._store = store
        self._personas: dict[int, Persona] = {}
        for persona in (*PRESETS, *self._load()):
            self._register(persona)

    def all(self) -> list[Persona]:
        """Return every persona, presets first, then in order of creation."""
        return list(self._personas.values())

    def get(self, persona_id: int) -> Persona | None:
        """Return the persona with this user id, if any."""
        return self._personas.get(persona_id)

    def create(self, name: str, language: str) -> Persona:
        """Make a new persona, register it and save the custom ones."""
        clean_name = " ".join(name.split())
        if not clean_name or len(clean_name) > NAME_MAX_LENGTH:
            raise InvalidPersona(f"a name of 1 to {NAME_MAX_LENGTH} characters is needed")
        code = language.strip()
        if not LANGUAGE_CODE.match(code):
            raise InvalidPersona("the language must be a code like en, es, ru or pt-BR")
        persona = Persona(max([FIRST_CUSTOM_ID - 1, *self._personas]) + 1, clean_name, code)
        self._register(persona)
        self._save()
        return persona

    def _register(self, persona: Persona) -> None:
        self._personas[persona.id] = persona
        if persona.id not in self.emulator.sim_users:
            self.emulator.add_user(persona.name, language_code=persona.language, id=persona.id)

    def _load(self) -> list[Persona]:
        if self._store is None or not self._store.exists():
            return []
        saved = json.loads(self._store.read_text(encoding="utf-8"))
        return [Persona(int(p["id"]), str(p["name"]), str(p["language"])) for p in saved]

    def _save(self) -> None:
        if self._store is None:
            return
        custom = [
            {"id": p.id, "name": p.name, "language": p.language}
            for p in self._personas.values()
            if not p.preset
        ]
        partial = self._store.with_name(self._store.name + ".tmp")
        partial.write_text(json.dumps(custom, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(partial, self._store)
