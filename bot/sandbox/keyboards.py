"""Finding the keyboard buttons a simulated user can press."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.sandbox.errors import JsonDict
from bot.sandbox.state import MessageState
from bot.sandbox.views import BotMessage

if TYPE_CHECKING:
    from bot.sandbox.core import SandboxCore


def message_id_of(message: object) -> int | None:
    """Return the message id of a BotMessage, a Message dict or a plain id."""
    if message is None:
        return None
    if isinstance(message, BotMessage):
        return message.message_id
    if isinstance(message, dict):
        return int(message["message_id"])
    return int(str(message))


def inline_source(
    messages: list[MessageState], message: BotMessage | int | None
) -> MessageState | None:
    if message is not None:
        wanted = message_id_of(message)
        return next((m for m in messages if m.message_id == wanted), None)
    return next((m for m in reversed(messages) if m.inline_markup), None)


def active_keyboard(messages: list[MessageState]) -> MessageState | None:
    """Return the bot message whose reply keyboard is currently shown, if any."""
    for message in reversed(messages):
        markup = message.markup or {}
        if "keyboard" in markup:
            return message
        if markup.get("remove_keyboard"):
            return None
    return None


def find_button(message: MessageState, text: str | None, data: str | None) -> JsonDict | None:
    for row in (message.inline_markup or {}).get("inline_keyboard", []):
        for button in row:
            if (text is None or button["text"] == text) and (
                data is None or button.get("callback_data") == data
            ):
                return dict(button)
    return None


def find_reply_button(message: MessageState, text: str) -> JsonDict | None:
    for row in (message.markup or {}).get("keyboard", []):
        for button in row:
            if button["text"] == text:
                return dict(button)
    return None


def no_button_report(
    text: str | None,
    data: str | None,
    inline: MessageState | None,
    keyboard: MessageState | None,
    core: SandboxCore,
) -> str:
    wanted = repr(text) if text is not None else f"with data {data!r}"
    lines = [f"no button {wanted} to press."]
    if inline is not None:
        view = BotMessage.from_state(inline, core.world.files)
        lines.append(f"Newest inline keyboard: {view.summary()}")
    if keyboard is not None:
        view = BotMessage.from_state(keyboard, core.world.files)
        lines.append(f"Reply keyboard shown: {view.reply_keyboard}")
    if inline is None and keyboard is None:
        lines.append("The chat has no keyboard at all.")
    return "\n".join(lines)
