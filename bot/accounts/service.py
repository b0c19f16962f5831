"""Registering users, onboarding, preferences and their personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.accounts import onboarding
from bot.accounts.onboarding import Step
from bot.core.users import Access, Language, TelegramProfile, User


class UserStore(Protocol):
    """What the user service needs from storage."""

    async def get(self, user_id: int) -> User | None: ...
    async def register(
        self, profile: TelegramProfile, language: Language, first_step: str
    ) -> tuple[User, bool]: ...
    async def update(self, user_id: int, changes: dict[str, Any]) -> User: ...
    async def export(self, user_id: int) -> dict[str, Any]: ...


class Eraser(Protocol):
    """Erases a user everywhere in storage, in one transaction."""

    async def erase(self, user_id: int) -> bool: ...


@dataclass(frozen=True)
class Progress:
    """Where a user stands after an onboarding answer: `step` is the next question or None."""

    user: User
    step: Step | None
    created: bool = False
    notices_resumed: bool = False


class StaleAnswer(Exception):
    """A button from an onboarding question that is no longer the current one."""


class UserService:
    """Use cases about users: registration, onboarding, preferences, export and erasure."""

    def __init__(
        self,
        store: UserStore,
        eraser: Eraser,
        admin_ids: frozenset[int],
        default_language: Language,
    ) -> None:
        self._store = store
        self._eraser = eraser
        self._admin_ids = admin_ids
        self.default_language = default_language

    async def get(self, user_id: int) -> User | None:
        """Return the registered user, if any."""
        return await self._store.get(user_id)

    async def language_of(self, user_id: int, language_code: str | None = None) -> Language:
        """Return the language to talk to this user in, registered or not."""
        user = await self._store.get(user_id)
        if user is not None:
            return user.language
        return Language.from_code(language_code, self.default_language)

    def access_of(self, user: User | None) -> Access:
        """Return what this (possibly unregistered) user may do."""
        if user is None:
            return Access.USER
        return user.access(self._admin_ids)

    async def start(self, profile: TelegramProfile) -> Progress:
        """Register the user (or refresh their profile) and turn their notices back on."""
        language = Language.from_code(profile.language_code, self.default_language)
        user, created = await self._store.register(profile, language, Step.LANGUAGE.value)
        resumed = False
        if not user.notices_enabled:
            user = await self._store.update(user.id, {"notices_enabled": True})
            resumed = True
        return Progress(user, onboarding.parse_step(user.onboarding_step), created, resumed)

    async def answer(self, user_id: int, step: Step, answer: str) -> Progress:
        """Store the answer to an onboarding button question and move to the next question."""
        user = await self._require(user_id)
        if user.onboarding_step != step.value:
            raise StaleAnswer(step.value)
        value = onboarding.check_choice(step, answer)
        changes: dict[str, Any] = {}
        if step is Step.PRIVACY:
            if value == "decline":
                return Progress(user, Step.PRIVACY)
            changes["privacy_accepted_at"] = datetime.now(UTC)
        elif step is not Step.ORGANISATION:
            changes[_FIELD[step]] = value
        following = onboarding.next_step(step, staff=_invited_staff(user))
        changes["onboarding_step"] = following.value if following else None
        return Progress(await self._store.update(user_id, changes), following)

    async def answer_organisation(self, user_id: int, text: str) -> Progress:
        """Store a typed organisation name and move to the next question."""
        user = await self._require(user_id)
        if user.onboarding_step != Step.ORGANISATION.value:
            raise StaleAnswer(Step.ORGANISATION.value)
        name = onboarding.clean_organisation(text)
        following = onboarding.next_step(Step.ORGANISATION, staff=_invited_staff(user))
        changes = {"organisation": name, "onboarding_step": following.value if following else None}
        return Progress(await self._store.update(user_id, changes), following)

    async def progress(self, user_id: int) -> Progress:
        """Return where the user's onboarding stands; a member of staff waiting at a trader's
        question (they just joined through an invite) moves past it."""
        user = await self._require(user_id)
        step = onboarding.parse_step(user.onboarding_step)
        resumed = onboarding.resume_step(step, staff=_invited_staff(user))
        if resumed != step:
            user = await self._store.update(
                user_id, {"onboarding_step": resumed.value if resumed else None}
            )
        return Progress(user, resumed)

    async def set_language(self, user_id: int, language: Language) -> User:
        """Change the language the bot speaks to this user."""
        await self._require(user_id)
        return await self._store.update(user_id, {"language": language.value})

    async def mark_blocked(self, user_id: int) -> None:
        """Remember that the user blocked the bot (until they write to it again)."""
        if await self._store.get(user_id) is not None:
            await self._store.update(user_id, {"blocked_bot": True})

    async def stop_notices(self, user_id: int) -> User:
        """Turn off every notice to this user until they /start again."""
        await self._require(user_id)
        return await self._store.update(user_id, {"notices_enabled": False})

    async def export(self, user_id: int) -> dict[str, Any]:
        """Return everything stored about this user."""
        data = await self._store.export(user_id)
        data["exported_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        return data

    async def erase(self, user_id: int) -> bool:
        """Erase the user's personal data and texts; their reports stay, without them."""
        return await self._eraser.erase(user_id)

    async def _require(self, user_id: int) -> User:
        user = await self._store.get(user_id)
        if user is None:
            raise LookupError(f"user {user_id} is not registered")
        return user


def _invited_staff(user: User) -> bool:
    """Tell whether the user joined Customs' team through an invite (not ADMIN_IDS): they
    are not asked the trader's business questions."""
    return user.staff_role is not None


_FIELD = {
    Step.LANGUAGE: "language",
    Step.ROLE: "business_role",
    Step.SIZE: "business_size",
    Step.WOMEN_LED: "women_led",
}
