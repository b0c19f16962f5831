"""Use cases of the bot; services take storage Protocols and never import telegram."""

from __future__ import annotations

from dataclasses import dataclass

from bot.accounts.service import UserService
from bot.accounts.team import TeamService
from bot.bulletins.service import BulletinService
from bot.core.backups import Backups
from bot.core.forms import FormService
from bot.core.i18n import Translator
from bot.digests.service import DigestService
from bot.followup.alerts import AlertService
from bot.followup.cards import CardService
from bot.followup.inbox import InboxService
from bot.followup.prompts import PromptService
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
from bot.reporting.service import ReportService
from bot.reporting.supporters import Supporters
from bot.sorting.service import SortingService
from config.settings import Settings


@dataclass
class Services:
    """Everything a handler may call, wired once in bot.app.post_init."""

    settings: Settings
    translate: Translator
    forms: FormService  # each user's one open form (the flow their typed messages go to)
    users: UserService
    reports: ReportService
    my_reports: MyReportsService
    supporters: Supporters  # who follows a report (reporter and supporters), withdrawing
    sorting: SortingService
    digests: DigestService
    inbox: InboxService
    followup: FollowUpService
    alerts: AlertService
    satisfaction: SatisfactionService
    team: TeamService
    prompts: PromptService
    cards: CardService  # where reports' cards and files are shown, to edit them in place
    meetings: MeetingService
    meeting_flow: MeetingFlow
    meeting_jobs: MeetingJobs
    notices: NoticeService
    notice_composer: NoticeComposer
    notice_delivery: DeliveryEngine
    comment_periods: CommentPeriodReports
    bulletins: BulletinService
    backups: Backups | None  # automatic backups, when BACKUP_DIR is set
