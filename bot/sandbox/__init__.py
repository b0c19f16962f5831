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
