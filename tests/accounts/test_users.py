"""UserService with a hand-written in-memory store: onboarding order, stale answers, erasure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.accounts.onboarding import Step
from bot.accounts.service import StaleAnswer, UserService
from bot.core.errors import UserError
from bot.core.users import Access, Language, TelegramProfile, User


class FakeUserStore:
    """Keeps users in a dict."""

    def __init__(self) -> None:
        self.users: dict[int, User] = {}

    async def get(self, user_id: int) -> User | None:
        return self.users.get(user_id)

    async def register(
        self, profile: TelegramProfile, language: Language, first_step: str
    ) -> tuple[User, bool]:
        if profile.id in self.users:
            return self.users[profile.id], False
        now = datetime.now(UTC)
        user = User(
            id=profile.id,
            first_name=profile.first_name,
            language=language,
            onboarding_step=first_step,
            created_at=now,
            updated_at=now,
        )
        self.users[profile.id] = user
        return user, True

    async def update(self, user_id: int, changes: dict[str, Any]) -> User:
        self.users[user_id] = User.model_validate({**self.users[user_id].model_dump(), **changes})
        return self.users[user_id]

    async def erase(self, user_id: int) -> bool:
        return self.users.pop(user_id, None) is not None

    async def export(self, user_id: int) -> dict[str, Any]:
        user = self.users.get(user_id)
        return {"user": user.model_dump() if user else None}


@pytest.fixture
def service() -> UserService:
    store = FakeUserStore()
    return UserService(store, store, frozenset({1}), Language.EN)


async def test_language_preselected_from_telegram(service: UserService) -> None:
    progress = await service.start(TelegramProfile(id=2, first_name="Lu", language_code="es-MX"))
    assert progress.created and progress.step is Step.LANGUAGE
    assert progress.user.language is Language.ES
    other = await service.start(TelegramProfile(id=3, first_name="Jo", language_code="de"))
    assert other.user.language is Language.EN


async def test_full_onboarding_in_order(service: UserService) -> None:
    await service.start(TelegramProfile(id=2, first_name="Lu"))
    assert (await service.answer(2, Step.LANGUAGE, "ru")).step is Step.ROLE
    assert (await service.answer(2, Step.ROLE, "broker")).step is Step.ORGANISATION
    progress = await service.answer_organisation(2, "  Acme   Logistics ")
    assert progress.user.organisation == "Acme Logistics" and progress.step is Step.SIZE
    assert (await service.answer(2, Step.SIZE, "small")).step is Step.WOMEN_LED
    assert (await service.answer(2, Step.WOMEN_LED, "yes")).step is Step.PRIVACY
    declined = await service.answer(2, Step.PRIVACY, "decline")
    assert declined.step is Step.PRIVACY and not declined.user.onboarded
    done = await service.answer(2, Step.PRIVACY, "accept")
    assert done.step is None and done.user.onboarded and done.user.language is Language.RU


async def test_stale_and_invalid_answers_are_refused(service: UserService) -> None:
    await service.start(TelegramProfile(id=2, first_name="Lu"))
    with pytest.raises(StaleAnswer):
        await service.answer(2, Step.ROLE, "trader")
    with pytest.raises(UserError):
        await service.answer(2, Step.LANGUAGE, "fr")
    await service.answer(2, Step.LANGUAGE, "en")
    await service.answer(2, Step.ROLE, "trader")
    with pytest.raises(UserError):
        await service.answer_organisation(2, "x" * 201)
    assert (await service.answer(2, Step.ORGANISATION, "skip")).user.organisation is None


async def test_stop_and_start_again_resumes_notices(service: UserService) -> None:
    await service.start(TelegramProfile(id=2, first_name="Lu"))
    assert not (await service.stop_notices(2)).notices_enabled
    again = await service.start(TelegramProfile(id=2, first_name="Lu"))
    assert again.notices_resumed and again.user.notices_enabled


async def test_admin_ids_grant_admin_access(service: UserService) -> None:
    admin = (await service.start(TelegramProfile(id=1, first_name="Ad"))).user
    trader = (await service.start(TelegramProfile(id=2, first_name="Tr"))).user
    assert service.access_of(admin) is Access.ADMIN
    assert service.access_of(trader) is Access.USER
    assert service.access_of(None) is Access.USER


async def test_erase_then_export_is_empty(service: UserService) -> None:
    await service.start(TelegramProfile(id=2, first_name="Lu"))
    assert await service.erase(2)
    assert (await service.export(2))["user"] is None


async def test_invited_staff_skip_the_traders_business_questions() -> None:
    store = FakeUserStore()
    service = UserService(store, store, frozenset({1}), Language.EN)
    await service.start(TelegramProfile(id=2, first_name="Pablo"))
    await service.answer(2, Step.LANGUAGE, "es")  # a trader's first question comes next
    await store.update(2, {"staff_role": Access.OFFICER})  # then they opened an invite
    progress = await service.progress(2)
    assert progress.step is Step.ORGANISATION  # moved past the trade role
    assert (await service.answer(2, Step.ORGANISATION, "skip")).step is Step.PRIVACY
    done = await service.answer(2, Step.PRIVACY, "accept")
    assert done.user.onboarded and done.user.business_size is None
