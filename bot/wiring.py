"""The services of one bot, wired from settings and the database (called by bot.app at start)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from bot.accounts.service import UserService
from bot.accounts.team import TeamService
from bot.bulletins.model import Headline
from bot.bulletins.service import BulletinService
from bot.container import Services
from bot.core.access import AccessControl
from bot.core.clock import Clock
from bot.core.forms import FormService
from bot.core.i18n import Translator
from bot.core.service_levels import with_holidays
from bot.core.taxonomy import Taxonomy
from bot.digests.model import Period
from bot.digests.service import DigestService
from bot.followup.alerts import AlertService
from bot.followup.cards import CardService
from bot.followup.inbox import InboxService
from bot.followup.prompts import PromptService
from bot.followup.recipients import Recipients
from bot.followup.satisfaction import SatisfactionService
from bot.followup.service import FollowUpService
from bot.meetings.flow import MeetingFlow
from bot.meetings.scheduling import MeetingJobs
from bot.meetings.service import MeetingService
from bot.notices.comments import CommentPeriodReports
from bot.notices.composer import NoticeComposer
from bot.notices.delivery import DeliveryEngine
from bot.notices.service import NoticeService
from bot.reporting.my_reports import MyReportsService
from bot.reporting.recurring import RecurringIssues
from bot.reporting.service import ReportService
from bot.reporting.supporters import Supporters
from bot.sorting.service import SortingService
from config.reference_data import load_taxonomy
from config.settings import Settings
from handlers.kit.context import BotApplication
from handlers.kit.pacing import budget_of
from storage.accounts.team import TeamRepository
from storage.accounts.users import UserRepository
from storage.audit import AuditRepository
from storage.backups import FolderBackups
from storage.bulletins import BulletinRepository
from storage.conversations import ConversationRepository
from storage.db import Database
from storage.digests.queries import DigestRepository
from storage.erasure import UserErasure
from storage.followup.cards import CardRepository
from storage.followup.repository import FollowUpRepository
from storage.followup.satisfaction import SatisfactionRepository
from storage.meetings.repository import MeetingRepository
from storage.meetings.sends import MeetingJobRepository
from storage.notices.queue import NoticeQueue
from storage.notices.repository import NoticeRepository
from storage.reporting import ReportRepository


async def build_services(
    app: BotApplication, settings: Settings, db: Database, clock: Clock
) -> Services:
    """Build every service on one database, one clock and one access control."""
    translate = Translator.from_directory(default=settings.default_language)
    users = UserService(
        UserRepository(db), UserErasure(db), settings.admin_ids, settings.default_language
    )
    report_store = ReportRepository(db, prefix=settings.reference_prefix)
    conversations = ConversationRepository(db)
    # Read once, shared by every service that names topics; officers correct to these topics.
    taxonomy = load_taxonomy(settings.config_dir)
    # One access control: every service checks the caller's role itself and audits refusals.
    access = AccessControl(UserRepository(db), AuditRepository(db), settings.admin_ids, clock)
    topics = frozenset(topic.code for topic in taxonomy.topics)
    sorting = SortingService(
        report_store, gate=access, topics=topics, encoder=settings.sorting_encoder
    )
    sorting.start_loading()  # about a second; the bot answers meanwhile
    reports = ReportService(
        report_store,
        conversations,
        taxonomy,
        reports_per_hour=settings.reports_per_hour,
        sorter=sorting,
        recurring=RecurringIssues(
            report_store,
            window_days=settings.recurring_window_days,
            clock=clock,
            embed=sorting.embed,
        ),
        clock=clock,
    )
    digests = DigestService(
        await DigestRepository.open(db, admin_ids=settings.admin_ids),
        taxonomy,
        translate,
        settings.timezone,
        levels=with_holidays(settings.service_levels, settings.holidays),
        gate=access,
        clock=clock,
    )
    return Services(
        settings=settings,
        translate=translate,
        forms=FormService(conversations, clock),
        users=users,
        reports=reports,
        my_reports=MyReportsService(report_store, conversations),
        supporters=Supporters(report_store),
        sorting=sorting,
        digests=digests,
        **_follow_up_services(settings, db, sorting, access, clock),
        prompts=PromptService(conversations),
        cards=CardService(CardRepository(db)),
        **_meeting_services(settings, db, conversations, taxonomy, clock=clock, access=access),
        **_notice_services(
            app,
            settings,
            db,
            translate,
            sorting,
            taxonomy=taxonomy,
            conversations=conversations,
            clock=clock,
            access=access,
        ),
        bulletins=BulletinService(
            BulletinRepository(db),
            headline_of(digests),
            translate,
            taxonomy,
            admin_ids=settings.admin_ids,
            channel_id=settings.public_channel_id,
            zone_today=digests.today,
            gate=access,
            clock=clock,
        ),
        backups=_backups(settings),
    )


def headline_of(digests: DigestService) -> Callable[[date, date], Awaitable[Headline]]:
    """Return the bulletins' headline figures of a month, as the digest of that month has them."""

    async def headline(first: date, last: date) -> Headline:
        digest = await digests.build(Period.between(first, last))
        follow_up = digest.follow_up
        in_time, rated = follow_up.resolved_within_service_level, follow_up.confirmed_fixed
        return Headline(
            reports=digest.total.current,
            resolved_in_time=in_time.part if in_time else 0,
            resolved_measured=in_time.whole if in_time else 0,
            satisfaction=follow_up.satisfaction_average,
            rated=rated.whole if rated else 0,
        )

    return headline


def _backups(settings: Settings) -> FolderBackups | None:
    """Keep checked copies in BACKUP_DIR, when it is set."""
    if settings.backup_dir is None:
        return None
    return FolderBackups(settings.database_path, settings.backup_dir, settings.backup_keep)


def _follow_up_services(
    settings: Settings,
    db: Database,
    sorting: SortingService,
    access: AccessControl,
    clock: Clock,
) -> dict[str, Any]:
    """Build the services officers use to follow up reports, sharing one access control."""
    users, audit, store = UserRepository(db), AuditRepository(db), FollowUpRepository(db)
    followers = Supporters(ReportRepository(db))  # reporters and supporters, each in their language
    tell = Recipients(access, users, settings.officers_chat_id, followers=followers)
    levels = with_holidays(settings.service_levels, settings.holidays)
    zone = settings.timezone
    return {
        "inbox": InboxService(store, users, audit, access, levels=levels, zone=zone, clock=clock),
        "followup": FollowUpService(
            store, users, audit, access, tell, corrector=sorting, clock=clock
        ),
        "alerts": AlertService(store, tell, levels=levels, zone=zone, clock=clock),
        "satisfaction": SatisfactionService(
            SatisfactionRepository(db),
            store,
            access,
            tell,
            reask_after=settings.satisfaction_reask,
            clock=clock,
        ),
        "team": TeamService(
            TeamRepository(db), users, audit, access, invite_ttl=settings.invite_ttl, clock=clock
        ),
    }


def _notice_services(
    app: BotApplication,
    settings: Settings,
    db: Database,
    translate: Translator,
    sorting: SortingService,
    *,
    taxonomy: Taxonomy,
    conversations: ConversationRepository,
    clock: Clock,
    access: AccessControl,
) -> dict[str, Any]:
    """Build the notice services: writing, the delivery engine (the bot's send budget), reach."""
    store, queue = NoticeRepository(db), NoticeQueue(db)
    notices = NoticeService(
        store,
        queue,
        translate,
        taxonomy,
        sorting,
        zone=settings.timezone,
        quiet=settings.quiet_hours,
        reminder_lead=settings.comment_reminder,
        conversations=conversations,
        clock=clock,
    )
    composer = NoticeComposer(
        store,
        taxonomy,
        conversations=conversations,
        languages=translate.languages,
        default_language=settings.default_language,
        zone=settings.timezone,
        periods=settings.comment_periods,
        clock=clock,
        gate=access,
    )
    engine = DeliveryEngine(
        queue,
        notices,
        budget_of(app.bot, settings.api_rate_limit),
        rate=settings.notice_rate,
        zone=settings.timezone,
        quiet=settings.quiet_hours,
        clock=clock,
    )
    return {
        "notices": notices,
        "notice_composer": composer,
        "notice_delivery": engine,
        "comment_periods": CommentPeriodReports(notices, translate, taxonomy, settings.timezone),
    }


def _meeting_services(
    settings: Settings,
    db: Database,
    conversations: ConversationRepository,
    taxonomy: Taxonomy,
    *,
    clock: Clock,
    access: AccessControl,
) -> dict[str, Any]:
    """Build the meetings' services: meetings, officers' forms, scheduled sends."""
    store = MeetingRepository(db)
    meetings = MeetingService(
        store,
        settings.timezone,
        reminders=settings.meeting_reminders,
        agenda_lead=settings.agenda_pack_before,
        action_lead=settings.action_item_reminder,
        clock=clock,
        gate=access,
    )
    return {
        "meetings": meetings,
        "meeting_flow": MeetingFlow(
            conversations,
            meetings,
            tuple(topic.code for topic in taxonomy.topics),
            tuple(office.code for office in taxonomy.offices),
        ),
        "meeting_jobs": MeetingJobs(
            MeetingJobRepository(db, settings.admin_ids),
            store,
            meetings,
            grace=settings.delivery_grace,
            levels=with_holidays(settings.service_levels, settings.holidays),
            window=timedelta(days=settings.recurring_window_days),
            default_language=settings.default_language,
            clock=clock,
        ),
    }
