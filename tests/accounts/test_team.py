"""TeamService over SQLite: admins invite, invites work once, the team list, revoking roles."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.accounts.roles import Invite, InviteFailure, Role, token_from_payload
from bot.accounts.team import TeamService
from bot.core.access import AccessControl, NotAllowed
from bot.core.audit import Action
from bot.core.errors import UserError
from bot.core.users import Access, Language, TelegramProfile
from storage.accounts.team import TeamRepository
from storage.accounts.users import UserRepository
from storage.audit import AuditRepository
from storage.db import Database
from tests.fakes import Clock

ADMIN, OFFICER, TRADER, NEWCOMER, UNREGISTERED_ADMIN = 1, 2, 3, 4, 9


@pytest.fixture
async def users(fresh_db: Database) -> UserRepository:
    repo = UserRepository(fresh_db)
    for uid, name in ((ADMIN, "Ada"), (OFFICER, "Olga"), (TRADER, "Tom"), (NEWCOMER, "Nina")):
        await repo.register(TelegramProfile(id=uid, first_name=name), Language.EN, "language")
    await repo.update(OFFICER, {"staff_role": "officer"})
    return repo


@pytest.fixture
def service(fresh_db: Database, users: UserRepository, clock: Clock) -> TeamService:
    audit = AuditRepository(fresh_db)
    access = AccessControl(users, audit, frozenset({ADMIN, UNREGISTERED_ADMIN}), clock)
    return TeamService(
        TeamRepository(fresh_db), users, audit, access, invite_ttl=timedelta(hours=72), clock=clock
    )


async def test_an_invite_makes_an_officer_once(service: TeamService) -> None:
    invite = await service.create_invite(ADMIN, Role.OFFICER)
    assert invite.expires_at - invite.created_at == timedelta(hours=72)
    assert token_from_payload(invite.payload) == invite.token and len(invite.payload) <= 64
    assert await service.access.access_of_id(NEWCOMER) is Access.USER
    used = await service.redeem(invite.token, NEWCOMER)
    assert isinstance(used, Invite) and used.role is Role.OFFICER and used.created_by == ADMIN
    assert await service.access.access_of_id(NEWCOMER) is Access.OFFICER
    assert await service.redeem(invite.token, TRADER) is InviteFailure.USED
    assert await service.redeem("forged-token", TRADER) is InviteFailure.UNKNOWN
    assert await service.access.access_of_id(TRADER) is Access.USER


async def test_an_invite_expires(service: TeamService, clock: Clock) -> None:
    invite = await service.create_invite(ADMIN, Role.ADMIN, ttl=timedelta(seconds=30))
    clock.now += timedelta(seconds=31)
    assert await service.redeem(invite.token, NEWCOMER) is InviteFailure.EXPIRED
    assert await service.access.access_of_id(NEWCOMER) is Access.USER


async def test_only_admins_invite_and_revoke(service: TeamService) -> None:
    for actor in (OFFICER, TRADER):
        with pytest.raises(NotAllowed) as caught:
            await service.create_invite(actor, Role.ADMIN)
        assert caught.value.needed is Access.ADMIN
        with pytest.raises(NotAllowed):
            await service.revoke(actor, OFFICER)
    with pytest.raises(NotAllowed):
        await service.team(TRADER)
    assert await service.access.access_of_id(OFFICER) is Access.OFFICER


async def test_team_lists_configured_and_promoted_staff(service: TeamService) -> None:
    invite = await service.create_invite(ADMIN, Role.ADMIN)
    await service.redeem(invite.token, NEWCOMER)
    members = await service.team(OFFICER)
    assert [(m.user_id, m.role, m.configured) for m in members] == [
        (ADMIN, Role.ADMIN, True),
        (NEWCOMER, Role.ADMIN, False),
        (UNREGISTERED_ADMIN, Role.ADMIN, True),
        (OFFICER, Role.OFFICER, False),
    ]
    assert members[0].name == "Ada" and members[2].name == "—"


async def test_revoking_has_limits_and_takes_effect_at_once(service: TeamService) -> None:
    with pytest.raises(UserError):
        await service.revoke(ADMIN, UNREGISTERED_ADMIN)  # configured in ADMIN_IDS
    invite = await service.create_invite(ADMIN, Role.ADMIN)
    await service.redeem(invite.token, NEWCOMER)
    with pytest.raises(UserError):
        await service.revoke(NEWCOMER, NEWCOMER)  # not oneself
    with pytest.raises(UserError):
        await service.revoke(ADMIN, TRADER)  # has no role
    assert await service.revoke(NEWCOMER, OFFICER) is Role.OFFICER
    assert await service.access.access_of_id(OFFICER) is Access.USER
    with pytest.raises(NotAllowed):
        await service.team(OFFICER)


async def test_every_role_change_and_refusal_is_audited(
    service: TeamService, fresh_db: Database
) -> None:
    invite = await service.create_invite(ADMIN, Role.OFFICER)
    await service.redeem(invite.token, NEWCOMER)
    await service.redeem(invite.token, TRADER)
    await service.revoke(ADMIN, NEWCOMER)
    with pytest.raises(NotAllowed):
        await service.create_invite(TRADER, Role.ADMIN)
    entries = list(reversed(await AuditRepository(fresh_db).recent()))
    assert [(e.action, e.actor_id) for e in entries] == [
        (Action.INVITE_CREATED, ADMIN),
        (Action.ROLE_GRANTED, NEWCOMER),
        (Action.INVITE_REFUSED, TRADER),
        (Action.ROLE_REVOKED, ADMIN),
        (Action.REFUSED, TRADER),
    ]
    assert invite.token not in repr(entries)  # the secret is never logged
    assert entries[3].detail == {
        "user": NEWCOMER,
        "role": "officer",
        "unassigned": 0,
        "invites_cancelled": 0,
    }


async def test_an_invite_dies_with_its_makers_right_to_invite(service: TeamService) -> None:
    promoted = await service.create_invite(ADMIN, Role.ADMIN)
    assert isinstance(await service.redeem(promoted.token, NEWCOMER), Invite)
    officer_link = await service.create_invite(NEWCOMER, Role.OFFICER)
    admin_link = await service.create_invite(NEWCOMER, Role.ADMIN)
    await service.revoke(ADMIN, NEWCOMER)
    assert await service.redeem(officer_link.token, TRADER) is InviteFailure.CANCELLED
    assert await service.redeem(admin_link.token, TRADER) is InviteFailure.CANCELLED
    assert await service.access.access_of_id(TRADER) is Access.USER
    assert await service.outstanding(ADMIN) == []


async def test_a_maker_demoted_outside_the_bot_cannot_be_redeemed(
    service: TeamService, users: UserRepository
) -> None:
    promoted = await service.create_invite(ADMIN, Role.ADMIN)
    await service.redeem(promoted.token, NEWCOMER)
    link = await service.create_invite(NEWCOMER, Role.OFFICER)
    await users.update(NEWCOMER, {"staff_role": "officer"})  # e.g. by hand in the database
    assert await service.redeem(link.token, TRADER) is InviteFailure.CANCELLED
    assert await service.access.access_of_id(TRADER) is Access.USER


async def test_admins_list_and_cancel_outstanding_invites(
    service: TeamService, clock: Clock
) -> None:
    used = await service.create_invite(ADMIN, Role.OFFICER)
    await service.redeem(used.token, NEWCOMER)
    soon = await service.create_invite(ADMIN, Role.OFFICER, ttl=timedelta(minutes=1))
    kept = await service.create_invite(ADMIN, Role.ADMIN)
    cancelled = await service.create_invite(ADMIN, Role.OFFICER)
    clock.now += timedelta(minutes=2)
    assert soon.id is not None and cancelled.id is not None
    assert [i.id for i in await service.outstanding(ADMIN)] == [kept.id, cancelled.id]
    with pytest.raises(NotAllowed):
        await service.outstanding(OFFICER)
    with pytest.raises(NotAllowed):
        await service.cancel_invite(OFFICER, cancelled.id)
    gone = await service.cancel_invite(ADMIN, cancelled.id)
    assert gone.cancelled_by == ADMIN and gone.cancelled_at is not None
    with pytest.raises(UserError):
        await service.cancel_invite(ADMIN, cancelled.id)  # twice
    with pytest.raises(UserError):
        await service.cancel_invite(ADMIN, 10**18)  # never existed
    assert await service.redeem(cancelled.token, TRADER) is InviteFailure.CANCELLED
    assert [i.id for i in await service.outstanding(ADMIN)] == [kept.id]
