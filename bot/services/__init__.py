"""Use cases of the bot; services take storage Protocols and never import telegram."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import Translator
from bot.services.digests import DigestService
from bot.services.my_reports import MyReportsService
from bot.services.reports import ReportService
from bot.services.sorting import SortingService
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
