"""/team: officers and admins; admins invite new ones with one-time links and revoke roles."""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import Update
from telegram.error import Forbidden

from bot.accounts.roles import Invite, InviteFailure, Role, token_from_payload
from bot.core.users import Access, User, display_name
from handlers.accounts.onboarding import set_chat_menu
from handlers.kit import callbacks
from handlers.kit.callbacks import BadCallback, encode, parse
from handlers.kit.common import language_for
from handlers.kit.context import BotContext
from handlers.kit.render import Choice, escape, keyboard, send_text
from handlers.kit.replies import Speaker, guarded, speaker_for

log = logging.getLogger(__name__)
TEAM = callbacks.prefix("tm", "/team's invite, cancel-invite and revoke buttons")
INVITES_SHOWN = 20  # the oldest outstanding invites listed, each with its cancel button


async def team_command(update: Update, context: BotContext) -> None:
    """List officers and admins; admins also get invite and revoke buttons."""
    chat, sender = update.effective_chat, update.effective_user
    if chat is None or sender is None:
        return
    await show_team(context, chat.id, sender.id, (await language_for(update, context)).value)


async def show_team(context: BotContext, chat_id: int, actor: int, lang: str) -> None:
    """Send the team list with the buttons the actor may use."""
    services = context.services
    views = _views(context, lang)
    team = await guarded(context, chat_id, views, services.team.team(actor))
    if team is None:
        return
    is_admin = await services.team.access.access_of_id(actor) is Access.ADMIN
    lines = [views.say("team.title"), ""]
    rows: list[list[Choice]] = []
    for member in team:
        note = f" · {views.say('team.configured')}" if member.configured else ""
        lines.append(f"• {escape(member.name)} — {views.say(f'team.role_{member.role}')}{note}")
        if is_admin and not member.configured and member.user_id != actor:
            label = views.say("team.revoke", name=member.name)
            rows.append([(label, encode(TEAM, "rv", member.user_id))])
    if is_admin:
        pending, cancels = await _outstanding(context, views, actor)
        lines += pending
        rows += cancels
        rows.append([
            (views.say("team.invite_officer"), encode(TEAM, "in", Role.OFFICER)),
            (views.say("team.invite_admin"), encode(TEAM, "in", Role.ADMIN)),
        ])  # fmt: skip
    await send_text(context.bot, chat_id, "\n".join(lines), keyboard(rows) if rows else None)


async def _outstanding(
    context: BotContext, views: Speaker, actor: int
) -> tuple[list[str], list[list[Choice]]]:
    """Return the lines listing invites not used yet, and a cancel button for each."""
    services = context.services
    invites = await services.team.outstanding(actor)
    if not invites:
        return [], []
    lines = ["", views.say("team.invites_title")]
    rows: list[list[Choice]] = []
    for invite in invites[:INVITES_SHOWN]:
        maker = await services.users.get(invite.created_by)
        name = display_name(maker.first_name, maker.last_name, maker.username) if maker else "—"
        lines.append(
            views.say(
                "team.invite_pending", number=invite.id, role=views.say(f"team.role_{invite.role}"),
                maker=escape(name), expires=_local(context, invite.expires_at),
                zone=services.settings.timezone.key,
            )
        )  # fmt: skip
        label = views.say("team.cancel_invite", number=invite.id)
        rows.append([(label, encode(TEAM, "cx", invite.id))])
    return lines, rows


def _local(context: BotContext, moment: datetime) -> str:
    """Return a moment in the administration's time zone, to the minute."""
    return f"{moment.astimezone(context.services.settings.timezone):%Y-%m-%d %H:%M}"


async def on_button(update: Update, context: BotContext) -> None:
    """Create an invite link (tm:in:<role>), cancel one (tm:cx:<invite id>) or revoke a role
    (tm:rv:<user id>)."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    services, actor, chat_id = context.services, query.from_user.id, query.message.chat.id
    views = await speaker_for(update, context)
    try:
        pressed = parse(TEAM, query.data, parts=2)
        role = Role(pressed.text(1)) if pressed.action == "in" else None
        member = pressed.number(1) if pressed.action == "rv" else None
        cancel = pressed.number(1) if pressed.action == "cx" else None
        if role is None and member is None and cancel is None:
            raise BadCallback(f"unknown team action {pressed.action!r}")
    except ValueError:
        await query.answer(views.say("button.stale"))
        return
    await query.answer()
    if cancel is not None:
        cancelled = await guarded(
            context, chat_id, views, services.team.cancel_invite(actor, cancel)
        )
        if cancelled is not None:
            await send_text(context.bot, chat_id, views.say("team.invite_cancelled_done"))
            await show_team(context, chat_id, actor, views.lang)
    elif role is not None:
        invite = await guarded(context, chat_id, views, services.team.create_invite(actor, role))
        if invite is None:
            return
        link = f"https://t.me/{context.bot.username}?start={invite.payload}"
        expires = _local(context, invite.expires_at)
        text = views.say(
            "team.invite_link", link=link, role=views.say(f"team.role_{invite.role}"),
            expires=expires, zone=services.settings.timezone.key,
        )  # fmt: skip
        await send_text(context.bot, chat_id, text)
    elif member is not None:
        revoked_role = await guarded(context, chat_id, views, services.team.revoke(actor, member))
        if revoked_role is None:
            return
        revoked = await services.users.get(member)
        if revoked is not None:
            await set_chat_menu(context, revoked)
        await send_text(
            context.bot,
            chat_id,
            views.say("team.revoked", role=views.say(f"team.role_{revoked_role}")),
        )
        await show_team(context, chat_id, actor, views.lang)


async def redeem_invite(context: BotContext, chat_id: int, user: User, payload: str) -> bool:
    """Use an invite link opened with /start; tell whether the payload was one."""
    token = token_from_payload(payload)
    if token is None:
        return False
    services, lang = context.services, user.language.value
    views = _views(context, lang)
    result = await services.team.redeem(token, user.id)
    if isinstance(result, InviteFailure):
        log.warning("invite refused", extra={"why": result.value})
        await send_text(context.bot, chat_id, views.say(f"team.invite_{result.value}"))
        return True
    refreshed = await services.users.get(user.id)
    if refreshed is not None:
        context.known_users[user.id] = refreshed
        await set_chat_menu(context, refreshed)
    role = views.say(f"team.role_{result.role}")
    await send_text(context.bot, chat_id, views.say("team.joined", role=role))
    await _tell_maker(context, result, refreshed or user)
    return True


async def _tell_maker(context: BotContext, invite: Invite, joined: User) -> None:
    """Tell whoever made the invite that it was used, and by whom."""
    lang = await context.services.team.access.language_of(invite.created_by)
    if lang is None:
        return  # a configured admin who never opened the bot cannot be written to
    maker = _views(context, lang)
    name = display_name(joined.first_name, joined.last_name, joined.username)
    text = maker.say(
        "team.invite_redeemed", name=escape(name), role=maker.say(f"team.role_{invite.role}")
    )
    try:
        await send_text(context.bot, invite.created_by, text)
    except Forbidden:
        log.warning("invite maker unreachable", extra={"user_id": invite.created_by})


def _views(context: BotContext, lang: str) -> Speaker:
    return Speaker(context.services.translate, lang)
