"""The capability label a handler's updates are counted under comes from its module."""

from __future__ import annotations

from handlers import menu
from handlers.accounts import account
from handlers.kit.metrics import capability_of
from handlers.kit.routing import MessageRouter
from handlers.meetings import commands


def test_a_handler_is_counted_under_its_capability_folder() -> None:
    assert capability_of(commands.commands) == "meetings"
    assert capability_of(account.help_command) == "accounts"
    assert capability_of(menu.on_message) == "menu"
    assert capability_of(MessageRouter.on_message) == "routing"
    assert capability_of(len) == "other"
