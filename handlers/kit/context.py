"""A typed CallbackContext that gives handlers the services, not raw bot_data keys."""

from __future__ import annotations

from typing import Any, cast

from telegram.ext import Application, CallbackContext, ExtBot

from bot.container import Services
from bot.core.users import User

SERVICES_KEY = "services"


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The context handed to every handler of this bot (one per update, shared by its handlers)."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id, user_id)
        self.known_users: dict[int, User | None] = {}  # read once per update

    @property
    def services(self) -> Services:
        """Return the application's services (opened in post_init)."""
        return cast(Services, self.application.bot_data[SERVICES_KEY])


BotApplication = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]
