"""UserRepository: register once, update fields, export, erase."""

from __future__ import annotations

from bot.domain.users import BusinessRole, Language, TelegramProfile
from storage.db import Database
from storage.users import UserRepository


async def test_register_is_idempotent_and_refreshes_names(fresh_db: Database) -> None:
    repo = UserRepository(fresh_db)
    user, created = await repo.register(
        TelegramProfile(id=5, first_name="Ana"), Language.ES, "language"
    )
    assert created and user.language is Language.ES and user.onboarding_step == "language"
    again, created_again = await repo.register(
        TelegramProfile(id=5, first_name="Ana María"), Language.EN, "language"
    )
    assert not created_again
    assert again.first_name == "Ana María"
    assert again.language is Language.ES  # a returning user keeps their chosen language
    assert await repo.count() == 1


async def test_update_and_export(fresh_db: Database) -> None:
    repo = UserRepository(fresh_db)
    await repo.register(TelegramProfile(id=9, first_name="Ivan"), Language.RU, "language")
    user = await repo.update(9, {"business_role": "broker", "notices_enabled": False})
    assert user.business_role is BusinessRole.BROKER and not user.notices_enabled
    exported = await repo.export(9)
    assert exported["user"]["business_role"] == "broker"


async def test_delete_erases_the_row(fresh_db: Database) -> None:
    repo = UserRepository(fresh_db)
    await repo.register(TelegramProfile(id=3, first_name="Bo"), Language.EN, "language")
    assert await repo.delete(3)
    assert await repo.get(3) is None
    assert (await repo.export(3))["user"] is None
