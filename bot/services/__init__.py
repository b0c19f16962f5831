"""Use cases of the bot; services take storage Protocols and never import telegram."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import Translator
from bot.services.alerts import AlertService
from bot.services.broadcasts import BroadcastComposer
from bot.services.consultations import ConsultationReports
from bot.services.digests import DigestService
from bot.services.followup import FollowUpService
from bot.services.inbox import InboxService
from bot.services.meeting_flow import MeetingFlow
from bot.services.meeting_jobs import MeetingJobs
from bot.services.meetings import MeetingService
from bot.services.my_reports import MyReportsService
from bot.services.notice_delivery import DeliveryEngine
from bot.services.notices import NoticeService
from bot.services.prompts import PromptService
from bot.services.reports import ReportService
from bot.services.satisfaction import SatisfactionService
from bot.services.sorting import SortingService
from bot.services.team import TeamService
from bot.services.users import UserService
from config.settings import Settings


@dataclass
class Services:
    """Everything a handler may call, wired once in bot.app.post_init."""

    settings: Settings
    translate: Translator
    users: UserService
    reports: ReportService
    my_reports: MyReportsService
    sorting: SortingService
    digests: DigestService
    inbox: InboxService
    followup: FollowUpService
    alerts: AlertService
    satisfaction: SatisfactionService
    team: TeamService
    prompts: PromptService
    meetings: MeetingService
    meeting_flow: MeetingFlow
    meeting_jobs: MeetingJobs
    notices: NoticeService
    broadcasts: BroadcastComposer
    notice_delivery: DeliveryEngine
    consultations: ConsultationReports
