"""A Telegram Bot API emulator with simulated users, for end-to-end tests and demos.

Start a :class:`BotApiEmulator`, point python-telegram-bot at ``emu.base_url`` and
``emu.file_base_url``, then let :class:`SimUser` objects type, send files and press
buttons while tests read what the bot sent back::

    async with BotApiEmulator() as emu:
        app = (
            ApplicationBuilder().token("123:abc")
            .base_url(emu.base_url).base_file_url(emu.file_base_url).build()
        )
        ...  # start the app with long polling (or set a webhook)
        ana = emu.add_user("Ana", language_code="es")
        await ana.send("/start")
        welcome = await ana.wait_for_message(contains="Welcome")
        await ana.press("English")
        assert emu.violations == []  # no call broke Telegram's rules

Module map: ``emulator`` (HTTP server), ``core`` (calls, records, people),
``methods_*`` (the Bot API methods), ``rules``/``formatting``/``markdown``
(Telegram's validation), ``updates`` (getUpdates and webhooks), ``faults``
(fault injection and flood control), ``users``/``inbox``/``views`` (simulated
people and what they read), ``state``/``files`` (the emulated world).
"""

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.sandbox.core import SandboxCore
    from bot.sandbox.emulator import BotApiEmulator
    from bot.sandbox.errors import ApiError
    from bot.sandbox.faults import ApiCall, Fault, Faults, Limits, Rejection, Stats
    from bot.sandbox.files import StoredFile, make_png
    from bot.sandbox.inbox import Inbox
    from bot.sandbox.registry import BotIdentity
    from bot.sandbox.rules import Rules
    from bot.sandbox.updates import WebhookDelivery
    from bot.sandbox.users import SimChat, SimUser
    from bot.sandbox.views import BotMessage, CallbackAnswer, DocumentView, PhotoView

_WHERE = {
    "ApiCall": "bot.sandbox.faults",
    "ApiError": "bot.sandbox.errors",
    "BotApiEmulator": "bot.sandbox.emulator",
    "BotIdentity": "bot.sandbox.registry",
    "BotMessage": "bot.sandbox.views",
    "CallbackAnswer": "bot.sandbox.views",
    "DocumentView": "bot.sandbox.views",
    "Fault": "bot.sandbox.faults",
    "Faults": "bot.sandbox.faults",
    "Inbox": "bot.sandbox.inbox",
    "Limits": "bot.sandbox.faults",
    "PhotoView": "bot.sandbox.views",
    "Rejection": "bot.sandbox.faults",
    "Rules": "bot.sandbox.rules",
    "SandboxCore": "bot.sandbox.core",
    "SimChat": "bot.sandbox.users",
    "SimUser": "bot.sandbox.users",
    "Stats": "bot.sandbox.faults",
    "StoredFile": "bot.sandbox.files",
    "WebhookDelivery": "bot.sandbox.updates",
    "make_png": "bot.sandbox.files",
}

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "BotIdentity",
    "BotMessage",
    "CallbackAnswer",
    "DocumentView",
    "Fault",
    "Faults",
    "Inbox",
    "Limits",
    "PhotoView",
    "Rejection",
    "Rules",
    "SandboxCore",
    "SimChat",
    "SimUser",
    "Stats",
    "StoredFile",
    "WebhookDelivery",
    "make_png",
]


def __getattr__(name: str) -> object:
    """Import a public name's module on first use, so `bot.sandbox.options` stays light."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'bot.sandbox' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
