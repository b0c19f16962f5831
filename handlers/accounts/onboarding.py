"""/start and the onboarding questions: language, role, organisation, profile, privacy."""

from __future__ import annotations

from telegram import BotCommand, BotCommandScopeChat, Update

from bot.accounts import onboarding
from bot.accounts.onboarding import Step
from bot.accounts.service import Progress, StaleAnswer
from bot.core.commands import commands_for
from bot.core.errors import UserError
from bot.core.users import Language, User
from handlers.kit import callbacks
from handlers.kit.callbacks import Prefix, encode, parse
from handlers.kit.common import is_private, language_for, profile_of, registered_sender
from handlers.kit.context import BotContext
from handlers.kit.entries import open_entry
from handlers.kit.render import Choice, escape, keyboard, main_menu, send_text

ONBOARDING = callbacks.prefix("onb", "the onboarding questions' answers")


def question(context: BotContext, user: User, step: Step) -> tuple[str, list[list[Choice]]]:
    """Return the text and buttons asking one onboarding question."""
    t = context.services.translate
    lang = user.language.value
    if step is Step.LANGUAGE:
        choices = language_choices(context, user.language, ONBOARDING, step)
        return t(lang, "onboarding.ask_language"), [[choice] for choice in choices]
    if step is Step.ORGANISATION:
        return t(lang, "onboarding.ask_organisation"), [
            [(t(lang, "button.skip"), encode(ONBOARDING, step, onboarding.SKIP))]
        ]
    if step is Step.PRIVACY:
        rows = [
            [(t(lang, "onboarding.privacy_accept"), encode(ONBOARDING, step, "accept"))],
            [(t(lang, "onboarding.privacy_decline"), encode(ONBOARDING, step, "decline"))],
        ]
        return t(lang, "onboarding.privacy_notice"), rows
    answers = onboarding.CHOICES[step] or ()
    return t(lang, f"onboarding.ask_{step}"), [
        [(t(lang, f"{step}.{answer}"), encode(ONBOARDING, step, answer))] for answer in answers
    ]


async def ask(context: BotContext, chat_id: int, user: User, step: Step, note: str = "") -> None:
    """Send one onboarding question, after a note (an error) if any."""
    text, rows = question(context, user, step)
    await send_text(context.bot, chat_id, f"{note}\n\n{text}" if note else text, keyboard(rows))


async def start(update: Update, context: BotContext) -> None:
    """Register the sender and begin, resume or confirm their onboarding."""
    sender, chat = update.effective_user, update.effective_chat
    if sender is None or chat is None:
        return
    t = context.services.translate
    if not is_private(update):
        lang = (await language_for(update, context)).value
        link = f"https://t.me/{context.bot.username}?start=hello"
        await send_text(context.bot, chat.id, t(lang, "group.private_only", link=link))
        return
    progress = await context.services.users.start(profile_of(sender))
    lang = progress.user.language.value
    if progress.notices_resumed:
        await send_text(context.bot, chat.id, t(lang, "notices.resumed"))
    if context.args:  # an invite link for a new officer or admin
        from handlers.accounts.team import redeem_invite

        if await redeem_invite(context, chat.id, progress.user, context.args[0]):
            progress = await context.services.users.progress(sender.id)  # staff skip trader steps
            if progress.step is not None:
                await ask(context, chat.id, progress.user, progress.step)
            return
    if progress.step is None:
        if context.args and await open_entry(context.args[0], update, context):
            return  # a deep link from a group, e.g. "report"
        welcome = t(lang, "start.welcome_back", name=escape(sender.first_name))
        await send_text(context.bot, chat.id, welcome, main_menu(t, lang))
        return
    if progress.created:
        await send_text(
            context.bot, chat.id, t(lang, "start.greeting", name=escape(sender.first_name))
        )
    await ask(context, chat.id, progress.user, progress.step)


async def on_button(update: Update, context: BotContext) -> None:
    """Store the answer to an onboarding button and ask the next question."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    users, t = context.services.users, context.services.translate
    try:
        pressed = parse(ONBOARDING, query.data, parts=2)
        step, answer = Step(pressed.action), pressed.text(1, "")
        progress = await users.answer(query.from_user.id, step, answer)
    except (StaleAnswer, UserError, ValueError, LookupError):
        lang = (await language_for(update, context)).value
        await query.answer(t(lang, "onboarding.stale"), show_alert=False)
        return
    await query.answer()
    lang = progress.user.language.value
    chosen = _label(context, progress.user, step, answer)
    text, _ = question(context, progress.user, step)
    await query.edit_message_text(f"{text}\n\n✅ <b>{escape(chosen)}</b>")
    await _continue(
        update, context, progress, declined=(step is Step.PRIVACY and answer == "decline")
    )


async def on_message(update: Update, context: BotContext) -> bool:
    """Take a typed organisation name, or re-ask the current question (not onboarded yet)."""
    sender, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if sender is None or chat is None or message is None:
        return False
    users, t = context.services.users, context.services.translate
    user = await registered_sender(update, context)
    if user is not None and user.onboarded:
        return False  # onboarded users' messages belong to their flows
    if user is None:
        await start(update, context)
        return True
    step = onboarding.parse_step(user.onboarding_step) or Step.PRIVACY
    lang = user.language.value
    if step is Step.ORGANISATION and message.text:
        try:
            progress = await users.answer_organisation(user.id, message.text)
        except UserError as problem:
            await ask(context, chat.id, user, step, t(lang, problem.reason, **problem.params))
        else:
            await send_text(
                context.bot,
                chat.id,
                t(
                    lang,
                    "onboarding.saved_organisation",
                    organisation=escape(progress.user.organisation),
                ),
            )
            await _continue(update, context, progress, declined=False)
        return True
    reason = (
        "onboarding.error_type_organisation"
        if step is Step.ORGANISATION
        else "onboarding.error_choose_button"
    )
    await ask(context, chat.id, user, step, t(lang, reason))
    return True


async def _continue(
    update: Update, context: BotContext, progress: Progress, *, declined: bool
) -> None:
    chat = update.effective_chat
    assert chat is not None
    t, lang = context.services.translate, progress.user.language.value
    if declined:
        await send_text(context.bot, chat.id, t(lang, "onboarding.privacy_declined"))
    if progress.step is not None:
        await ask(context, chat.id, progress.user, progress.step)
        return
    await set_chat_menu(context, progress.user)
    await send_text(context.bot, chat.id, t(lang, "onboarding.done"), main_menu(t, lang))


async def set_chat_menu(context: BotContext, user: User) -> None:
    """Set this user's command menu in their language and for their access level."""
    t, lang = context.services.translate, user.language.value
    access = context.services.users.access_of(user)
    commands = [
        BotCommand(command.name, t(lang, f"command.{command.name}"))
        for command in commands_for(access)
        if command.in_menu
    ]
    await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(user.id))


def _label(context: BotContext, user: User, step: Step, answer: str) -> str:
    t, lang = context.services.translate, user.language.value
    if answer == onboarding.SKIP:
        return t(lang, "button.skip")
    if step is Step.LANGUAGE:
        return t(answer, "language.name")
    if step is Step.PRIVACY:
        return t(lang, f"onboarding.privacy_{answer}")
    return t(lang, f"{step}.{answer}")


def _marked(label: str, chosen: bool) -> str:
    return f"• {label} •" if chosen else label


def language_choices(
    context: BotContext, current: Language, family: Prefix, *lead: object
) -> list[Choice]:
    """Return one button per language, the current one marked; data is family:lead...:code."""
    t = context.services.translate
    return [
        (_marked(t(code, "language.name"), code == current.value), encode(family, *lead, code))
        for code in t.languages
    ]
