"""One router for typed private messages: onboarding, the open form's flow, the menu, free text.

The user's open form (the conversations row) is read once per update and IS the current flow:
starting a flow replaces whatever form was open. Flows register here at start.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Update

from bot.core.conversations import Conversation, Flow
from handlers.kit.common import is_private, language_for, registered_sender
from handlers.kit.context import BotContext
from handlers.kit.render import MENU_ITEMS, send_text

Stage = Callable[[Update, BotContext], Awaitable[bool]]  # True: the message was taken
FlowHandler = Callable[[Update, BotContext, Conversation], Awaitable[bool]]
FlowCancel = Callable[[Update, BotContext, Conversation], Awaitable[str]]  # the catalog key said
FlowLeave = Callable[[Update, BotContext, Conversation], Awaitable[None]]
NOTHING_TO_CANCEL = "report.nothing_to_cancel"


@dataclass(frozen=True)
class Route:
    """What a flow does with a typed message, /cancel, another command and a menu button."""

    handle: FlowHandler
    cancel: FlowCancel
    on_other_command: FlowLeave | None = None  # None: the form stays open across commands
    ends_on_menu: bool = False  # a main-menu button drops the form


async def _declined(update: Update, context: BotContext) -> bool:
    """Take nothing (a stage nobody registered)."""
    return False


@dataclass
class MessageRouter:
    """Dispatch each typed private message to the one stage that takes it, in order."""

    onboarding: Stage = _declined  # users who have not finished onboarding (always taken)
    menu: Stage = _declined  # a main-menu button
    free_text: Stage = _declined  # text with no form open: offered as a report
    fallback: Stage = _declined  # what nothing took: a polite pointer to /help

    def __post_init__(self) -> None:
        self._routes: dict[Flow, Route] = {}

    def route(self, flow: Flow, route: Route) -> None:
        """Send typed messages of users in `flow` to its handler."""
        self._routes[flow] = route

    def route_of(self, conversation: Conversation | None) -> Route | None:
        """Return the route of an open form, if any."""
        return self._routes.get(conversation.flow) if conversation is not None else None

    async def on_message(self, update: Update, context: BotContext) -> None:
        """Take one typed private message (text, photo, document, voice...)."""
        sender = update.effective_user
        if sender is None or update.effective_message is None or not is_private(update):
            return
        user = await registered_sender(update, context)
        if user is None or not user.onboarded:
            await self.onboarding(update, context)
            return
        conversation = await context.services.forms.current(user.id)
        route = self.route_of(conversation)
        if _is_menu_text(update, context):
            if route is not None and route.ends_on_menu:
                await context.services.forms.clear(user.id)
            await self.menu(update, context)
            return
        if route and conversation and await route.handle(update, context, conversation):
            return
        if update.effective_message.text and await self.free_text(update, context):
            return
        await self.fallback(update, context)

    async def on_cancel(self, update: Update, context: BotContext) -> None:
        """/cancel: drop whatever form is open, in that flow's words."""
        chat, sender = update.effective_chat, update.effective_user
        if chat is None or sender is None:
            return
        conversation = await context.services.forms.current(sender.id)
        route = self.route_of(conversation)
        if route is not None and conversation is not None:
            key = await route.cancel(update, context, conversation)
        else:
            key = NOTHING_TO_CANCEL
        lang = (await language_for(update, context)).value
        await send_text(context.bot, chat.id, context.services.translate(lang, key))

    async def on_command(self, update: Update, context: BotContext) -> None:
        """Before any command but /cancel: let the open form know (some end there)."""
        message, sender = update.effective_message, update.effective_user
        if message is None or sender is None or (message.text or "").startswith("/cancel"):
            return
        conversation = await context.services.forms.current(sender.id)
        route = self.route_of(conversation)
        if route is not None and conversation is not None and route.on_other_command:
            await route.on_other_command(update, context, conversation)


def _is_menu_text(update: Update, context: BotContext) -> bool:
    """Tell whether the message is a main-menu button's text (in any language)."""
    message = update.effective_message
    text = message.text if message is not None else None
    if not text:
        return False
    t = context.services.translate
    return any(text == t(lang, f"menu.{item}") for lang in t.languages for item in MENU_ITEMS)


def clearing_cancel(key: str) -> FlowCancel:
    """Return a /cancel that drops the form and says `key`."""

    async def cancel(update: Update, context: BotContext, conversation: Conversation) -> str:
        await context.services.forms.clear(conversation.user_id)
        return key

    return cancel
