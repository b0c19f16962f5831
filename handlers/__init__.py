"""Telegram I/O: register(app) adds every handler, in the order they are tried."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram import BotCommand, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ExtBot, MessageHandler, filters

from bot.container import Services
from bot.core.commands import commands_for
from bot.core.conversations import Flow
from bot.core.users import Access
from handlers import menu
from handlers.accounts import account, onboarding, team
from handlers.accounts.account import ERASE, LANGUAGE
from handlers.accounts.onboarding import ONBOARDING
from handlers.accounts.team import TEAM
from handlers.bulletins import review as bulletins
from handlers.bulletins import sending as bulletin_sending
from handlers.bulletins.views import BULLETIN
from handlers.digests import commands as digests
from handlers.followup import actions as followup
from handlers.followup import group as followup_group
from handlers.followup import inbox, satisfaction
from handlers.followup import jobs as followup_jobs
from handlers.followup import notify as followup_notify
from handlers.followup.views import INBOX, REPORT_ACTIONS, SURVEY
from handlers.kit import backups
from handlers.kit.callbacks import MY_REPORTS, require_handlers
from handlers.kit.context import BotApplication, BotContext
from handlers.kit.entries import register_entry
from handlers.kit.errors import on_error
from handlers.kit.filed import register_filed
from handlers.kit.forms import IDLE_FORMS
from handlers.kit.outbox import register_renderer
from handlers.kit.routing import MessageRouter, Route, clearing_cancel
from handlers.meetings import commands as meetings
from handlers.meetings import forms as meeting_forms
from handlers.meetings import jobs as meeting_jobs
from handlers.notices import compose as notices
from handlers.notices import replies as notice_replies
from handlers.notices import sending as notice_sending
from handlers.notices.buttons import NOTICE, NOTICE_DRAFT, SUBSCRIPTION
from handlers.reporting import flow as reports
from handlers.reporting import myreports
from handlers.reporting.views import REPORT_FORM
from handlers.sorting import corrections
from handlers.sorting.corrections import CORRECT

PRIVATE = filters.ChatType.PRIVATE
MESSAGES = PRIVATE & ~filters.COMMAND


async def free_text(update: Update, context: BotContext) -> bool:
    """Take text with no form open: an officer's reply to a report's file answers the reporter;
    anything else may become a report."""
    return await followup.on_file_reply(update, context) or await reports.offer(update, context)


def message_router() -> MessageRouter:
    """Return the router of typed messages, with every flow's handlers, in the order tried."""
    router = MessageRouter(
        onboarding=onboarding.on_message,  # 1. users who have not finished onboarding
        menu=menu.on_message,  # 2. a main-menu button (reply keyboard), whatever form is open
        free_text=free_text,  # 4. text with no form open (or one that let it pass)
        fallback=account.fallback,  # 5. a polite pointer to /help
    )
    # 3. the user's open form (the conversations row, read once per message) takes it.
    router.route(Flow.REPORT, Route(reports.on_message, clearing_cancel("report.cancelled")))
    router.route(Flow.ADD_INFO, Route(myreports.on_message, clearing_cancel("report.cancelled")))
    router.route(Flow.TYPED_ANSWER, Route(followup.on_message, clearing_cancel("report.cancelled")))
    router.route(
        Flow.MEETING, Route(meeting_forms.on_message, clearing_cancel("meeting.form_cancelled"))
    )
    router.route(Flow.NOTICE, Route(notices.on_message, notices.cancel_form, notices.leave_form))
    router.route(
        Flow.COMMENT,
        Route(
            notice_replies.on_message,
            notice_replies.cancel_form,
            notice_replies.leave_form,
            ends_on_menu=True,
        ),
    )
    router.route(
        Flow.BULLETIN, Route(bulletins.on_message, clearing_cancel("bulletin.edit_cancelled"))
    )
    return router


def register(app: BotApplication) -> None:
    """Add all handlers to the application, in the order they are tried."""
    router = message_router()
    register_entry("report", reports.begin)  # /start report: the deep link from a group
    register_renderer("followup", followup_notify.render)  # what follow-up services notify
    register_filed(followup_group.post_report)  # a new report's card in the officers' forum
    # Group 0: commands and buttons. Commands work at any step of any flow, so they come first.
    app.add_handler(CommandHandler("start", onboarding.start))
    app.add_handler(CommandHandler("report", reports.report_command))  # in groups: a private link
    app.add_handler(CommandHandler("help", account.help_command, filters=PRIVATE))
    app.add_handler(CommandHandler("help", onboarding.start))  # in groups: point to a private chat
    app.add_handler(CommandHandler("cancel", router.on_cancel, filters=PRIVATE))  # any form
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
    app.add_handler(CommandHandler("bulletin", bulletins.bulletin_command, filters=PRIVATE))
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, account.unknown_command))
    app.add_handler(CallbackQueryHandler(onboarding.on_button, pattern=ONBOARDING.pattern))
    app.add_handler(CallbackQueryHandler(reports.on_button, pattern=REPORT_FORM.pattern))
    app.add_handler(CallbackQueryHandler(myreports.on_button, pattern=MY_REPORTS.pattern))
    # Officers' buttons: every one checks the presser's role in the service, whatever it says.
    app.add_handler(CallbackQueryHandler(inbox.on_button, pattern=INBOX.pattern))
    app.add_handler(CallbackQueryHandler(followup.on_button, pattern=REPORT_ACTIONS.pattern))
    app.add_handler(CallbackQueryHandler(team.on_button, pattern=TEAM.pattern))
    app.add_handler(CallbackQueryHandler(satisfaction.on_button, pattern=SURVEY.pattern))
    app.add_handler(CallbackQueryHandler(corrections.on_button, pattern=CORRECT.pattern))
    # Meetings: answers (the invited only), cards, officers' forms and action items; every
    # press checks the presser's role or invitation, whatever the button says.
    app.add_handlers(meetings.buttons())  # rsvp:, mtg:, mtgf:, act:
    app.add_handler(CallbackQueryHandler(account.on_language, pattern=LANGUAGE.pattern))
    app.add_handler(CallbackQueryHandler(account.on_erase, pattern=ERASE.pattern))
    # Notices: admins' buttons (each checks the presser is an admin), recipients', /subscribe's.
    app.add_handler(CallbackQueryHandler(notices.on_button, pattern=NOTICE_DRAFT.pattern))
    app.add_handler(CallbackQueryHandler(notice_replies.on_button, pattern=NOTICE.pattern))
    app.add_handler(
        CallbackQueryHandler(notice_replies.on_subscribe_button, pattern=SUBSCRIPTION.pattern)
    )
    app.add_handler(CallbackQueryHandler(bulletins.on_button, pattern=BULLETIN.pattern))
    app.add_handler(CallbackQueryHandler(account.stale_button))  # buttons nothing handles any more
    require_handlers(app)  # every declared button family is listened to

    # Group -1, before the commands above: some forms end when another command comes (a comment
    # wait; a notice draft rests until /broadcast). It never stops the command itself.
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, router.on_command), group=-1)
    # Group 1: every typed private message (text, photo, document, voice...), in one handler.
    app.add_handler(MessageHandler(MESSAGES, router.on_message), group=1)

    app.add_error_handler(on_error)


def schedule_jobs(app: BotApplication, services: Services) -> None:
    """(Re)create the jobs from settings and the database; named jobs are removed first."""
    assert app.job_queue is not None
    now = datetime.now(UTC)
    digests.schedule_digests(app, services, now)
    followup_jobs.schedule_followup(app, services, now)
    meeting_jobs.schedule_meetings(app)
    notice_sending.start_sending(app)
    backups.schedule_backups(app, services, now)
    bulletin_sending.schedule_bulletins(app, services, now)
    IDLE_FORMS.start(app, after=timedelta(seconds=5))


async def set_default_menus(bot: ExtBot[None], services: Services) -> None:
    """Set the everyone-menu in each language (and the default one) with setMyCommands."""
    t = services.translate
    commands = [c for c in commands_for(Access.USER) if c.in_menu]
    for lang in t.languages:
        menu_ = [BotCommand(c.name, t(lang, f"command.{c.name}")) for c in commands]
        await bot.set_my_commands(menu_, language_code=lang)
        if lang == t.default:
            await bot.set_my_commands(menu_)
