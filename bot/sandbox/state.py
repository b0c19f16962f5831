"""The emulated Telegram world: users, chats, messages, callback queries and bot settings."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.sandbox.errors import JsonDict
from bot.sandbox.files import FileStore

ACCEPTED_GIFT_TYPES = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


class Signal:
    """Wake every waiter whenever something in the world changes."""

    def __init__(self) -> None:
        """Create the first generation of the change event."""
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake all current waiters; later waiters wait for the next change."""
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:  # noqa: ASYNC109
        """Wait until ``predicate()`` holds; return False if ``timeout`` seconds pass first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._event.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True


@dataclass
class UserState:
    """A Telegram user account (simulated person or the bot itself)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_premium: bool = False
    is_bot: bool = False
    started: bool = True
    blocked: bool = False

    def api(self) -> JsonDict:
        """Return the Bot API ``User`` object."""
        user: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value:
                user[key] = value
        if self.is_premium:
            user["is_premium"] = True
        return user


@dataclass
class ChatState:
    """A private chat, group, supergroup or channel that the bot can talk to."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    members: list[int] = field(default_factory=list)
    admins: list[int] = field(default_factory=list)
    bot_member: bool = True
    bot_admin: bool = False
    menu_button: JsonDict | None = None
    is_forum: bool = False  # a supergroup with topics
    topics: dict[int, str] = field(default_factory=dict)  # message_thread_id -> name

    @property
    def is_private(self) -> bool:
        """Return whether this is a one-to-one chat with a user."""
        return self.type == "private"

    def api(self) -> JsonDict:
        """Return the Bot API ``Chat`` object."""
        chat: JsonDict = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value:
                chat[key] = value
        if self.is_forum:
            chat["is_forum"] = True
        return chat

    def full_info(self) -> JsonDict:
        """Return the Bot API ``ChatFullInfo`` object for getChat."""
        info = self.api()
        info.update(
            accent_color_id=self.id % 7,
            max_reaction_count=11,
            accepted_gift_types=dict(ACCEPTED_GIFT_TYPES),
        )
        return info


@dataclass
class MessageState:
    """One message in a chat, in its current version."""

    chat_id: int
    message_id: int
    date: int
    sender: JsonDict
    outgoing: bool
    text: str | None = None
    entities: list[JsonDict] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[JsonDict] = field(default_factory=list)
    markup: JsonDict | None = None
    media: JsonDict = field(default_factory=dict)
    file_ids: list[str] = field(default_factory=list)
    reply_to: int | None = None
    edit_date: int | None = None
    deleted: bool = False
    extra: JsonDict = field(default_factory=dict)
    options: JsonDict = field(default_factory=dict)
    history: list[MessageState] = field(default_factory=list)

    @property
    def inline_markup(self) -> JsonDict | None:
        """Return the inline keyboard, the only markup Telegram echoes in a Message."""
        if self.markup and "inline_keyboard" in self.markup:
            return self.markup
        return None

    def api(self, chat: ChatState, reply: JsonDict | None = None) -> JsonDict:
        """Return the Bot API ``Message`` object."""
        msg: JsonDict = {"message_id": self.message_id}
        if chat.type == "channel":  # a channel post has no sender user: the channel signs it
            msg["sender_chat"] = chat.api()
        else:
            msg["from"] = self.sender
        msg.update(chat=chat.api(), date=self.date)
        if self.edit_date is not None:
            msg["edit_date"] = self.edit_date
        if reply is not None:
            msg["reply_to_message"] = reply
        if self.text is not None:
            msg["text"] = self.text
            if self.entities:
                msg["entities"] = self.entities
        msg.update(self.media)
        if self.caption:
            msg["caption"] = self.caption
            if self.caption_entities:
                msg["caption_entities"] = self.caption_entities
        msg.update(self.extra)
        if self.inline_markup:
            msg["reply_markup"] = self.inline_markup
        return msg

    def snapshot(self) -> MessageState:
        """Return a deep copy of the current version (history included)."""
        return copy.deepcopy(self)

    def version(self) -> MessageState:
        """Return a copy of the current version without its history, for edit history."""
        saved, self.history = self.history, []
        try:
            return copy.deepcopy(self)
        finally:
            self.history = saved


@dataclass(frozen=True)
class BotEvent:
    """Something the bot did in a chat: a message sent, edited or deleted."""

    seq: int
    chat_id: int
    kind: str
    message: MessageState
    time: float


@dataclass
class CallbackQueryState:
    """A button press waiting for (or holding) the bot's answerCallbackQuery."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str | None
    button_text: str
    created: float
    answer: JsonDict | None = None


class World:
    """Everything the emulated Telegram server knows, independent of HTTP."""

    def __init__(self) -> None:
        """Start with no users, chats or messages."""
        self.signal = Signal()
        self.chat_signals: dict[int, Signal] = {}  # woken by that chat's bot events only
        self.files = FileStore()
        self.users: dict[int, UserState] = {}
        self.chats: dict[int, ChatState] = {}
        self.messages: dict[tuple[int, int], MessageState] = {}
        self.order: dict[int, list[int]] = {}
        self.events: list[BotEvent] = []
        self.callback_queries: dict[str, CallbackQueryState] = {}
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.command_scopes: dict[str, JsonDict] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}
        self.default_menu_button: JsonDict = {"type": "commands"}
        self.chat_actions: list[tuple[int, str, float]] = []
        self._shared_message_id = 0
        self._channel_message_ids: dict[int, int] = {}
        self._callback_counter = 0

    def notify(self) -> None:
        """Tell waiters that something changed."""
        self.signal.notify()

    def next_message_id(self, chat: ChatState) -> int:
        """Return the next message id (shared by private chats/groups, per supergroup)."""
        if chat.type in ("supergroup", "channel"):
            self._channel_message_ids[chat.id] = self._channel_message_ids.get(chat.id, 0) + 1
            return self._channel_message_ids[chat.id]
        self._shared_message_id += 1
        return self._shared_message_id

    def add_message(self, message: MessageState) -> None:
        """Store a new message in its chat."""
        self.messages[(message.chat_id, message.message_id)] = message
        self.order.setdefault(message.chat_id, []).append(message.message_id)
        self.notify()

    def message(self, chat_id: int, message_id: int) -> MessageState | None:
        """Return a message that exists and is not deleted."""
        found = self.messages.get((chat_id, message_id))
        return None if found is None or found.deleted else found

    def chat_messages(
        self, chat_id: int, *, outgoing: bool | None = True, include_deleted: bool = False
    ) -> list[MessageState]:
        """Return a chat's messages oldest first, filtered by direction."""
        result = []
        for message_id in self.order.get(chat_id, []):
            message = self.messages[(chat_id, message_id)]
            if message.deleted and not include_deleted:
                continue
            if outgoing is None or message.outgoing == outgoing:
                result.append(message)
        return result

    def record_event(self, kind: str, message: MessageState) -> BotEvent:
        """Append a bot event (sent/edited/deleted) with a snapshot of the message."""
        event = BotEvent(len(self.events), message.chat_id, kind, message.snapshot(), time.time())
        self.events.append(event)
        self.notify()
        if (chat_signal := self.chat_signals.get(message.chat_id)) is not None:
            chat_signal.notify()
        return event

    def chat_signal(self, chat_id: int) -> Signal:
        """Return the signal woken by each bot event in one chat (a simulated user waits on it)."""
        return self.chat_signals.setdefault(chat_id, Signal())

    def new_callback_id(self) -> str:
        """Return a fresh callback query id (a decimal string like Telegram's)."""
        self._callback_counter += 1
        return str(4_000_000_000_000_000_000 + self._callback_counter * 7919)

    def resolve_chat(self, chat_id: object) -> ChatState | None:
        """Find a chat by numeric id or ``@username``."""
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            name = chat_id[1:].lower()
            for chat in self.chats.values():
                if chat.username and chat.username.lower() == name and not chat.is_private:
                    return chat
            return None
        try:
            return self.chats.get(int(str(chat_id)))
        except ValueError:
            return None


_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
)


def chat_member(status: str, user: JsonDict) -> JsonDict:
    """Return a Bot API ``ChatMember`` object with the fields its status requires."""
    member: JsonDict = {"status": status, "user": user}
    if status == "administrator":
        member.update(can_be_edited=False, is_anonymous=False)
        member.update(dict.fromkeys(_ADMIN_RIGHTS, True))
    elif status == "creator":
        member["is_anonymous"] = False
    elif status == "kicked":
        member["until_date"] = 0
    return member
