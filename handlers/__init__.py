"""Telegram I/O: register(app) adds every handler, in the order they are tried."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram import BotCommand
from telegram.ext import CallbackQueryHandler, CommandHandler, ExtBot, MessageHandler, filters

from bot.container import Services
from bot.core.commands import commands_for
from bot.core.users import Access
from handlers import menu
from handlers.accounts import account, onboarding, team
from handlers.digests import commands as digests
from handlers.followup import actions as followup
from handlers.followup import inbox, satisfaction
from handlers.followup import jobs as followup_jobs
from handlers.followup import notify as followup_notify
from handlers.followup import views as officer_views
from handlers.followup.notify import SURVEY_PREFIX
from handlers.kit.context import BotApplication
from handlers.kit.entries import register_entry
from handlers.kit.errors import on_error
from handlers.kit.outbox import register_renderer
from handlers.meetings import commands as meetings
from handlers.meetings import forms as meeting_forms
from handlers.meetings import jobs as meeting_jobs
from handlers.notices import compose as notices
from handlers.notices import replies as notice_replies
from handlers.notices import sending as notice_sending
from handlers.reporting import flow as reports
from handlers.reporting import myreports
from handlers.sorting import corrections

PRIVATE = filters.ChatType.PRIVATE
MESSAGES = PRIVATE & ~filters.COMMAND
DRAFT_SWEEP = timedelta(minutes=10)


def register(app: BotApplication) -> None:
    """Add all handlers to the application, in the order they are tried."""
    register_entry("report", reports.begin)  # /start report: the deep link from a group
    register_renderer("followup", followup_notify.render)  # what follow-up services notify
    # Group 0: commands and buttons. Commands work at any step of any flow, so they come first.
    app.add_handler(CommandHandler("start", onboarding.start))
    app.add_handler(CommandHandler("report", reports.report_command))  # in groups: a private link
    app.add_handler(CommandHandler("help", account.help_command, filters=PRIVATE))
    app.add_handler(CommandHandler("help", onboarding.start))  # in groups: point to a private chat
    app.add_handler(CommandHandler("cancel", reports.cancel_command, filters=PRIVATE))
    app.add_handler(CommandHandler("myreports", myreports.myreports_command, filters=PRIVATE))
    app.add_handler(CommandHandler("correct", corrections.correct_command, filters=PRIVATE))
    app.add_handler(CommandHandler("digest", digests.digest_command, filters=PRIVATE))
    app.add_handler(CommandHandler("inbox", inbox.inbox_command, filters=PRIVATE))
    app.add_handler(CommandHandler("history", inbox.history_command, filters=PRIVATE))
    app.add_handler(CommandHandler("team", team.team_command, filters=PRIVATE))
    app.add_handlers(meetings.commands(PRIVATE))  # /meetings, /newmeeting, /actions
    app.add_handler(CommandHandler("language", account.language_command, filters=PRIVATE))
    app.add_handler(CommandHandler("stop", account.stop_command, filters=PRIVATE))
    app.add_handler(CommandHandler("mydata", account.mydata_command, filters=PRIVATE))
    app.add_handler(CommandHandler("deletemydata", account.deletemydata_command, filters=PRIVATE))
    app.add_handler(CommandHandler("subscribe", notice_replies.subscribe_command, filters=PRIVATE))
    app.add_handler(CommandHandler("broadcast", notices.broadcast_command, filters=PRIVATE))
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, account.unknown_command))
    app.add_handler(CallbackQueryHandler(onboarding.on_button, pattern=rf"^{onboarding.PREFIX}:"))
    app.add_handler(CallbackQueryHandler(reports.on_button, pattern=r"^rep:"))
    app.add_handler(CallbackQueryHandler(myreports.on_button, pattern=rf"^{myreports.PREFIX}:"))
    # Officers' buttons: every one checks the presser's role in the service, whatever it says.
    app.add_handler(CallbackQueryHandler(inbox.on_button, pattern=rf"^{officer_views.INBOX}:"))
    app.add_handler(CallbackQueryHandler(followup.on_button, pattern=rf"^{officer_views.ACT}:"))
    app.add_handler(CallbackQueryHandler(team.on_button, pattern=rf"^{team.PREFIX}:"))
    app.add_handler(CallbackQueryHandler(satisfaction.on_button, pattern=rf"^{SURVEY_PREFIX}:"))
    # Meetings: answers (the invited only), cards, officers' forms and action items; every
    # press checks the presser's role or invitation, whatever the button says.
    app.add_handlers(meetings.buttons())  # rsvp:, mtg:, mtgf:, act:
    app.add_handler(
        CallbackQueryHandler(account.on_language, pattern=rf"^{account.LANGUAGE_PREFIX}:")
    )
    app.add_handler(CallbackQueryHandler(account.on_erase, pattern=rf"^{account.ERASE_PREFIX}:"))
    # Notices: admins' buttons (each checks the presser is an admin), recipients', /subscribe's.
    app.add_handler(CallbackQueryHandler(notices.on_button, pattern=r"^bc:"))
    app.add_handler(CallbackQueryHandler(notice_replies.on_button, pattern=r"^ntc:"))
    app.add_handler(
        CallbackQueryHandler(
            notice_replies.on_subscribe_button, pattern=rf"^{notice_replies.SUBSCRIBE}:"
        )
    )
    app.add_handler(CallbackQueryHandler(account.stale_button))  # buttons nothing handles any more

    # Groups -2 and -1 come before the commands above: while an admin writes a notice (-2) or a
    # user a comment on a draft (-1), their typed answer and /cancel are theirs; all else passes.
    # Any other command ends the wait (/broadcast resumes the draft).
    app.add_handler(CommandHandler("cancel", notices.cancel_command, filters=PRIVATE), group=-2)
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, notices.on_other_command), group=-2)
    app.add_handler(MessageHandler(MESSAGES, notices.on_message), group=-2)
    app.add_handler(
        CommandHandler("cancel", notice_replies.cancel_command, filters=PRIVATE), group=-1
    )
    app.add_handler(
        MessageHandler(PRIVATE & filters.COMMAND, notice_replies.on_other_command), group=-1
    )
    app.add_handler(MessageHandler(MESSAGES, notice_replies.on_message), group=-1)

    # Each group below answers a message and stops the chain, or passes it on.
    # Group 1: users who are still onboarding.
    app.add_handler(MessageHandler(MESSAGES, onboarding.on_message), group=1)
    # Group 2: the main-menu buttons (reply keyboard).
    app.add_handler(MessageHandler(MESSAGES & filters.TEXT, menu.on_message), group=2)
    # Group 3: information added to one of the user's reports.
    app.add_handler(MessageHandler(MESSAGES, myreports.on_message), group=3)
    # Group 4: a typed answer an action waits for (an officer's reply, a reporter's comment).
    app.add_handler(MessageHandler(MESSAGES, followup.on_message), group=4)
    # Group 5: the report draft, or free text offered as a report.
    app.add_handler(MessageHandler(MESSAGES, reports.on_message), group=5)
    # Group 7: an officer's meeting form (a meeting, its minutes, an action item's outcome).
    app.add_handler(MessageHandler(MESSAGES, meeting_forms.on_message), group=7)
    # Group 9: whatever no feature took gets a polite pointer to /help.
    app.add_handler(MessageHandler(MESSAGES, account.fallback), group=9)

    app.add_error_handler(on_error)


def schedule_jobs(app: BotApplication, services: Services) -> None:
    """(Re)create the jobs from settings and the database; named jobs are removed first."""
    assert app.job_queue is not None
    now = datetime.now(UTC)
    digests.schedule_digests(app, services, now)
    followup_jobs.schedule_followup(app, services, now)
    meeting_jobs.schedule_meetings(app)
    notice_sending.start_sending(app)
    for job in app.job_queue.get_jobs_by_name("drop-idle-drafts"):
        job.schedule_removal()
    app.job_queue.run_repeating(
        reports.drop_idle_drafts, interval=DRAFT_SWEEP, first=5, name="drop-idle-drafts"
    )


async def set_default_menus(bot: ExtBot[None], services: Services) -> None:
    """Set the everyone-menu in each language (and the default one) with setMyCommands."""
    t = services.translate
    commands = [c for c in commands_for(Access.USER) if c.in_menu]
    for lang in t.languages:
        menu_ = [BotCommand(c.name, t(lang, f"command.{c.name}")) for c in commands]
        await bot.set_my_commands(menu_, language_code=lang)
        if lang == t.default:
            await bot.set_my_commands(menu_)
