"""TeamRepository on SQLite: invites work once and before they expire; revoking a role."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.accounts.roles import Invite, InviteFailure, Role
from bot.core.audit import Action, Actor, AuditEntry
from bot.core.taxonomy import Kind
from bot.core.users import Access
from bot.reporting.model import NewReport
from storage.accounts.team import TeamRepository
from storage.accounts.users import UserRepository
from storage.audit import AuditRepository
from storage.db import Database
from storage.followup.repository import FollowUpRepository
from storage.reporting import ReportRepository
from tests.records import register_users

NOW = datetime.now(UTC)
ADMIN = 1


def _audit(actor: int, action: Action) -> AuditEntry:
    return AuditEntry(actor=Actor.STAFF, actor_id=actor, action=action, at=NOW)


async def _invite(store: TeamRepository, token: str, role: Role, ttl: timedelta) -> Invite:
    invite = Invite(
        token=token,
        role=role,
        created_by=ADMIN,
        created_at=NOW - timedelta(hours=1),
        expires_at=NOW - timedelta(hours=1) + ttl,
    )
    return await store.add_invite(invite, _audit(ADMIN, Action.INVITE_CREATED))


async def test_an_invite_works_once(fresh_db: Database) -> None:
    await register_users(fresh_db, 2, 3)
    store = TeamRepository(fresh_db)
    stored = await _invite(store, "tok-1", Role.OFFICER, timedelta(hours=72))
    assert stored.id is not None
    results = await asyncio.gather(
        store.redeem("tok-1", 2, NOW, _audit(2, Action.ROLE_GRANTED)),
        store.redeem("tok-1", 3, NOW, _audit(3, Action.ROLE_GRANTED)),
    )
    winners = [r for r in results if isinstance(r, Invite)]
    assert len(winners) == 1 and InviteFailure.USED in results
    roles = {uid: (await UserRepository(fresh_db).get(uid)) for uid in (2, 3)}
    assert sorted(str(u.staff_role) for u in roles.values() if u) == ["None", "officer"]
    assert await store.redeem("nope", 2, NOW, _audit(2, Action.ROLE_GRANTED)) is (
        InviteFailure.UNKNOWN
    )


async def test_an_expired_invite_is_refused(fresh_db: Database) -> None:
    await register_users(fresh_db, 2)
    store = TeamRepository(fresh_db)
    await _invite(store, "old", Role.ADMIN, timedelta(minutes=30))
    assert await store.redeem("old", 2, NOW, _audit(2, Action.ROLE_GRANTED)) is (
        InviteFailure.EXPIRED
    )
    user = await UserRepository(fresh_db).get(2)
    assert user is not None and user.staff_role is None


async def test_an_unregistered_user_leaves_the_invite_unused(fresh_db: Database) -> None:
    store = TeamRepository(fresh_db)
    await _invite(store, "tok", Role.OFFICER, timedelta(hours=2))
    with pytest.raises(LookupError):
        await store.redeem("tok", 99, NOW, _audit(99, Action.ROLE_GRANTED))
    invite = await store.invite("tok")
    assert invite is not None and invite.used_by is None


async def test_an_officer_invite_never_lowers_an_admin(fresh_db: Database) -> None:
    await register_users(fresh_db, 2)
    users = UserRepository(fresh_db)
    await users.update(2, {"staff_role": "admin"})
    store = TeamRepository(fresh_db)
    await _invite(store, "tok", Role.OFFICER, timedelta(hours=2))
    assert isinstance(await store.redeem("tok", 2, NOW, _audit(2, Action.ROLE_GRANTED)), Invite)
    user = await users.get(2)
    assert user is not None and user.staff_role is Access.ADMIN


async def test_revoking_unassigns_open_reports_only(fresh_db: Database) -> None:
    await register_users(fresh_db, 2, 10)
    await UserRepository(fresh_db).update(2, {"staff_role": "officer"})
    reports = ReportRepository(fresh_db)
    ids = []
    for key in ("a", "b"):
        report, _ = await reports.create(
            NewReport(
                reporter_id=10,
                draft_key=key,
                kind=Kind.QUESTION,
                description="How to pay?",
                topic=None,
                topic_source=None,
                office=None,
                office_other=None,
                incident_date=None,
                language="en",
                anonymous=False,
            )
        )
        ids.append(report.id)
    await fresh_db.execute("UPDATE reports SET assigned_to = 2")
    await fresh_db.execute("UPDATE reports SET status = 'resolved' WHERE id = ?", (ids[1],))
    store = TeamRepository(fresh_db)
    assert await store.revoke(2, _audit(ADMIN, Action.ROLE_REVOKED)) == (Role.OFFICER, 1)
    assert await store.revoke(2, _audit(ADMIN, Action.ROLE_REVOKED)) is None
    follow = FollowUpRepository(fresh_db)
    tracked = [await follow.tracked(i) for i in ids]
    assert [t.assigned_to if t else "gone" for t in tracked] == [None, 2]
    logged = await AuditRepository(fresh_db).recent()
    assert logged[0].action is Action.ROLE_REVOKED and logged[0].detail["unassigned"] == 1
