"""The table of emulated Bot API methods and the identity of the calling bot."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.sandbox.errors import JsonDict
from bot.sandbox.params import Params

if TYPE_CHECKING:
    from bot.sandbox.core import SandboxCore


@dataclass(frozen=True)
class BotIdentity:
    """The bot behind a token: its user id comes from the token, its names from config."""

    id: int
    username: str
    first_name: str

    def api(self, *, full: bool = False) -> JsonDict:
        """Return the bot's ``User`` object (``full`` adds the getMe-only fields)."""
        user: JsonDict = {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }
        if full:
            user.update(
                can_join_groups=True,
                can_read_all_group_messages=False,
                supports_inline_queries=False,
                can_connect_to_business=False,
                has_main_web_app=False,
            )
        return user


@dataclass(frozen=True)
class Reply:
    """A successful result plus the optional ``description`` Telegram adds (e.g. setWebhook)."""

    result: object
    description: str | None = None


MethodFunc = Callable[["SandboxCore", BotIdentity, Params], Awaitable[object]]


@dataclass(frozen=True)
class MethodSpec:
    """One emulated method: its canonical name and implementation."""

    name: str
    func: MethodFunc


METHODS: dict[str, MethodSpec] = {}


def api_method(*names: str) -> Callable[[MethodFunc], MethodFunc]:
    """Register a coroutine as the implementation of one or more Bot API methods."""

    def register(func: MethodFunc) -> MethodFunc:
        for name in names:
            METHODS[name.lower()] = MethodSpec(name, func)
        return func

    return register
