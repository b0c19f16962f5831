"""Simulated people: users who type, send files and press buttons, and group chats."""

# ruff: noqa: ASYNC109  (a per-call ``timeout`` is the point of this test-facing API)

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from bot.sandbox.errors import JsonDict, unix_now
from bot.sandbox.files import image_size, make_png
from bot.sandbox.inbox import Inbox, Predicate, Reader
from bot.sandbox.keyboards import (
    active_keyboard,
    find_button,
    find_reply_button,
    inline_source,
    message_id_of,
    no_button_report,
)
from bot.sandbox.messaging import bot_receives, message_api, photo_sizes
from bot.sandbox.rendering import auto_entities
from bot.sandbox.state import CallbackQueryState, ChatState, MessageState, UserState
from bot.sandbox.views import BotMessage, CallbackAnswer

if TYPE_CHECKING:
    from bot.sandbox.core import SandboxCore

_STICKER = b"RIFF\x1a\x00\x00\x00WEBPVP8X" + bytes(18)
_VOICE = b"OggS\x00\x02" + bytes(20) + b"\x01\x13OpusHead\x01\x01\x38\x01\x80\xbb" + bytes(5)


class SimChat(Reader):
    """A simulated group or supergroup with members."""

    def __init__(self, core: SandboxCore, state: ChatState) -> None:
        """Wrap a group's state."""
        super().__init__(core, state.id, state.title or str(state.id))
        self.state = state

    @property
    def id(self) -> int:
        """Return the chat id (negative for groups)."""
        return self.state.id

    @property
    def title(self) -> str:
        """Return the group title."""
        return self.state.title or ""

    @property
    def members(self) -> list[SimUser]:
        """Return the simulated members."""
        return [self._core.sim_users[uid] for uid in self.state.members]

    def add_member(self, user: SimUser) -> None:
        """Add a user to the group."""
        if user.id not in self.state.members:
            self.state.members.append(user.id)

    async def wait_for_message(
        self,
        contains: str | None = None,
        *,
        timeout: float = 5.0,
        predicate: Predicate | None = None,
    ) -> BotMessage:
        """Return the next unread bot message in the group that matches."""
        return await self.inbox.wait_for_message(contains, timeout=timeout, predicate=predicate)

    async def wait_for_document(self, *, timeout: float = 5.0) -> BotMessage:
        """Return the next unread bot message in the group with a document."""
        return await self.inbox.wait_for_document(timeout=timeout)


class SimUser(Reader):
    """A simulated Telegram user talking to the bot."""

    def __init__(self, core: SandboxCore, state: UserState) -> None:
        """Wrap a user's state; the private chat id equals the user id."""
        super().__init__(core, state.id, state.first_name)
        self.state = state
        self._inboxes: dict[int, Inbox] = {state.id: self.inbox}
        self._last_query: str | None = None

    def __repr__(self) -> str:
        """Identify the user in test output."""
        return f"SimUser({self.state.id}, {self.state.first_name!r})"

    @property
    def id(self) -> int:
        """Return the user id (also the private chat id)."""
        return self.state.id

    @property
    def first_name(self) -> str:
        """Return the first name."""
        return self.state.first_name

    @property
    def username(self) -> str | None:
        """Return the username, if any."""
        return self.state.username

    @property
    def language_code(self) -> str | None:
        """Return the client language code."""
        return self.state.language_code

    def api(self) -> JsonDict:
        """Return the user's Bot API ``User`` object."""
        return self.state.api()

    # ------------------------------------------------------------------ sending

    def _chat(self, chat: SimChat | None) -> ChatState:
        if chat is None:
            return self._core.world.chats[self.id]
        if self.id not in chat.state.members:
            raise AssertionError(f"{self!r} is not a member of {chat.title!r}")
        return chat.state

    def _deliver(self, chat: SimChat | None, reply_to: object, **fields: object) -> JsonDict:
        """Create a message from this user and queue it as an update if the bot gets it."""
        state = self._chat(chat)
        if state.is_private:
            if self.state.blocked:
                raise AssertionError(f"{self!r} blocked the bot; call unblock_bot() first")
            self.state.started = True
        world = self._core.world
        message = MessageState(
            chat_id=state.id,
            message_id=world.next_message_id(state),
            date=unix_now(),
            sender=self.api(),
            outgoing=False,
            reply_to=message_id_of(reply_to),
        )
        for key, value in fields.items():
            setattr(message, key, value)
        world.add_message(message)
        api = message_api(world, message)
        if bot_receives(self._core, state, message):
            self._core.push_update({"message": api})
        return api

    async def send(
        self, text: str, *, chat: SimChat | None = None, reply_to: object = None
    ) -> JsonDict:
        """Type a text message; commands, links and mentions get their entities."""
        return self._deliver(chat, reply_to, text=text, entities=auto_entities(text))

    async def send_photo(
        self,
        data: bytes | None = None,
        *,
        caption: str | None = None,
        width: int | None = None,
        height: int | None = None,
        chat: SimChat | None = None,
    ) -> JsonDict:
        """Send a photo (a generated PNG by default); it arrives as a list of PhotoSize."""
        data = data if data is not None else make_png(800, 600)
        sniffed = image_size(data) or (800, 600)
        stored = self._core.world.files.add(
            "photo", data, width=width or sniffed[0], height=height or sniffed[1]
        )
        media = {"photo": photo_sizes(self._core, stored)}
        return self._deliver(
            chat, None, media=media, file_ids=[stored.file_id], **_caption(caption)
        )

    async def send_document(
        self,
        data: bytes,
        *,
        filename: str = "document.pdf",
        mime_type: str | None = None,
        caption: str | None = None,
        chat: SimChat | None = None,
    ) -> JsonDict:
        """Send a file as a document."""
        stored = self._core.world.files.add(
            "document", data, filename=filename, mime_type=mime_type
        )
        media = {"document": stored.document_api()}
        return self._deliver(
            chat, None, media=media, file_ids=[stored.file_id], **_caption(caption)
        )

    async def send_sticker(self, *, emoji: str = "👍", chat: SimChat | None = None) -> JsonDict:
        """Send a sticker (something a text-only flow must cope with)."""
        stored = self._core.world.files.add("sticker", _STICKER, width=512, height=512)
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": stored.size,
        }
        return self._deliver(chat, None, media={"sticker": sticker}, file_ids=[stored.file_id])

    async def send_voice(
        self, seconds: int = 3, *, data: bytes | None = None, chat: SimChat | None = None
    ) -> JsonDict:
        """Send a voice note."""
        stored = self._core.world.files.add("voice", data or _VOICE, duration=seconds)
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": seconds,
            "mime_type": "audio/ogg",
            "file_size": stored.size,
        }
        return self._deliver(chat, None, media={"voice": voice}, file_ids=[stored.file_id])

    async def send_location(
        self, latitude: float, longitude: float, *, chat: SimChat | None = None
    ) -> JsonDict:
        """Share a location."""
        location = {"latitude": latitude, "longitude": longitude}
        return self._deliver(chat, None, media={"location": location})

    async def send_contact(
        self, phone_number: str = "+15550100", *, chat: SimChat | None = None
    ) -> JsonDict:
        """Share the user's own contact (what a request_contact button sends)."""
        contact: JsonDict = {
            "phone_number": phone_number,
            "first_name": self.state.first_name,
            "user_id": self.id,
        }
        if self.state.last_name:
            contact["last_name"] = self.state.last_name
        return self._deliver(chat, None, media={"contact": contact})

    async def edit(self, message: object, text: str, *, chat: SimChat | None = None) -> JsonDict:
        """Edit one of this user's text messages, producing an ``edited_message`` update."""
        state = self._chat(chat)
        stored = self._core.world.message(state.id, message_id_of(message) or 0)
        if stored is None or stored.outgoing or stored.text is None:
            raise AssertionError(f"{self!r} has no text message {message!r} to edit")
        stored.history.append(stored.version())
        stored.text, stored.entities = text, auto_entities(text)
        stored.edit_date = unix_now()
        api = message_api(self._core.world, stored)
        self._core.push_update({"edited_message": api})
        return api

    # ----------------------------------------------------------------- buttons

    async def press(
        self,
        text: str | None = None,
        *,
        data: str | None = None,
        message: BotMessage | int | None = None,
        chat: SimChat | None = None,
    ) -> JsonDict:
        """Press a button by its text (or callback ``data``).

        Inline buttons are looked up on ``message`` or else on the newest bot message
        with an inline keyboard, and produce a ``callback_query`` update (returned).
        Otherwise a reply-keyboard button with that text is "pressed" by sending its
        text (or the contact/location it requests); the sent message is returned.
        """
        state = self._chat(chat)
        world = self._core.world
        inline = inline_source(world.chat_messages(state.id), message)
        keyboard = None if message is not None else active_keyboard(world.chat_messages(state.id))
        button = find_button(inline, text, data) if inline else None
        reply_button = find_reply_button(keyboard, text) if keyboard and text else None
        if button is not None and inline is not None:
            keyboard_is_newer = (
                reply_button is not None
                and keyboard is not None
                and keyboard.message_id > inline.message_id
            )
            if not keyboard_is_newer:
                return self._press_inline(state, inline, button)
        if reply_button is not None:
            if reply_button.get("request_contact"):
                return await self.send_contact(chat=chat)
            if reply_button.get("request_location"):
                return await self.send_location(52.37, 4.89, chat=chat)
            return await self.send(str(reply_button["text"]), chat=chat)
        raise AssertionError(no_button_report(text, data, inline, keyboard, self._core))

    async def press_forged(self, data: str, *, chat: SimChat | None = None) -> JsonDict:
        """Send callback ``data`` no button carries, on the newest bot message, as a modified
        client could: the bot must check the presser's rights, not trust the data."""
        state = self._chat(chat)
        messages = [m for m in self._core.world.chat_messages(state.id) if m.outgoing]
        if not messages:
            raise AssertionError(f"{self!r} has no bot message to press a button on")
        return self._press_inline(state, messages[-1], {"text": "forged", "callback_data": data})

    def _press_inline(self, chat: ChatState, message: MessageState, button: JsonDict) -> JsonDict:
        if "callback_data" not in button:
            kind = next((k for k in button if k != "text"), "unknown")
            raise AssertionError(
                f"button {button['text']!r} is a {kind} button ({button.get(kind)!r}); "
                "only callback buttons send anything to the bot"
            )
        world = self._core.world
        query_id = world.new_callback_id()
        world.callback_queries[query_id] = CallbackQueryState(
            query_id,
            self.id,
            chat.id,
            message.message_id,
            button["callback_data"],
            button["text"],
            time.monotonic(),
        )
        self._last_query = query_id
        query = {
            "id": query_id,
            "from": self.api(),
            "message": message_api(world, message),
            "chat_instance": str(abs(chat.id) * 7 + 1_000_003),
            "data": button["callback_data"],
        }
        self._core.push_update({"callback_query": query})
        return query

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """Return the bot's answers to this user's button presses, in press order."""
        return [
            CallbackAnswer.from_query(query)
            for query in self._core.world.callback_queries.values()
            if query.user_id == self.id and query.answer is not None
        ]

    async def wait_for_callback_answer(self, *, timeout: float = 5.0) -> CallbackAnswer:
        """Wait for the bot to answer this user's latest button press."""
        query_id = self._last_query
        if query_id is None:
            raise AssertionError(f"{self!r} has not pressed any inline button")
        query = self._core.world.callback_queries[query_id]
        if not await self._core.world.signal.wait_until(lambda: query.answer is not None, timeout):
            raise AssertionError(
                f"the bot did not answer the press of {query.button_text!r} within {timeout} s"
            )
        return CallbackAnswer.from_query(query)

    # ------------------------------------------------------------------ reading

    def inbox_for(self, chat: SimChat | None = None) -> Inbox:
        """Return this user's reading cursor for a chat (default: the private chat)."""
        if chat is None:
            return self.inbox
        return self._inboxes.setdefault(chat.id, Inbox(self._core, chat.id, chat.title))

    async def wait_for_message(
        self,
        contains: str | None = None,
        *,
        timeout: float = 5.0,
        chat: SimChat | None = None,
        predicate: Predicate | None = None,
    ) -> BotMessage:
        """Return the next unread bot message (sent or edited) that matches."""
        inbox = self.inbox_for(chat)
        return await inbox.wait_for_message(contains, timeout=timeout, predicate=predicate)

    async def wait_for_document(
        self, *, timeout: float = 5.0, chat: SimChat | None = None
    ) -> BotMessage:
        """Return the next unread bot message carrying a document."""
        return await self.inbox_for(chat).wait_for_document(timeout=timeout)

    # ----------------------------------------------------------------- blocking

    def block_bot(self) -> None:
        """Block the bot: sends now fail with 403 and the bot gets ``my_chat_member``."""
        if not self.state.blocked:
            self.state.blocked = True
            chat = self._core.world.chats[self.id]
            self._core.push_my_chat_member(chat, self.api(), "member", "kicked")

    def unblock_bot(self) -> None:
        """Unblock the bot again."""
        if self.state.blocked:
            self.state.blocked = False
            chat = self._core.world.chats[self.id]
            self._core.push_my_chat_member(chat, self.api(), "kicked", "member")


def _caption(caption: str | None) -> dict[str, object]:
    if not caption:
        return {}
    return {"caption": caption, "caption_entities": auto_entities(caption)}
