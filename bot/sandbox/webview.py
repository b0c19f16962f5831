"""What the sandbox web page shows of a chat: sanitised messages, keyboards and live news."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from bot.sandbox.errors import JsonDict
from bot.sandbox.files import FileStore
from bot.sandbox.keyboards import active_keyboard
from bot.sandbox.rules import parse_scope
from bot.sandbox.state import CallbackQueryState, MessageState
from bot.sandbox.views import BotMessage

if TYPE_CHECKING:
    from bot.sandbox.core import SandboxCore

Event = tuple[str, JsonDict]

# Telegram's formatting tags, each mapped to the tag the page renders.
_TAGS = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "code": "code",
    "pre": "pre",
    "a": "a",
    "blockquote": "blockquote",
    "tg-spoiler": "span",
    "span": "span",
}
_SAFE_LINK = re.compile(r"^(?:https?://|tg://|mailto:)", re.IGNORECASE)
_CODE_LANGUAGE = re.compile(r"^language-[\w+#.-]{1,32}$")
_MEDIA_NOTES = ("sticker", "voice", "video", "audio", "location", "contact", "animation")


class _Sanitiser(HTMLParser):
    """Keep Telegram's formatting tags with their few safe attributes; escape the rest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        rendered = _TAGS.get(tag)
        extra = ""
        if tag == "span" and found.get("class") != "tg-spoiler":
            rendered = None
        elif rendered == "span":
            extra = ' class="tg-spoiler"'
        elif tag == "a":
            href = found.get("href") or ""
            if not _SAFE_LINK.match(href):
                rendered = None
            else:
                escaped = html.escape(href, quote=True)
                extra = f' href="{escaped}" target="_blank" rel="noopener noreferrer"'
        elif tag == "code" and _CODE_LANGUAGE.match(found.get("class") or ""):
            extra = f' class="{html.escape(found.get("class") or "")}"'
        elif tag == "blockquote" and "expandable" in found:
            extra = ' class="expandable"'
        if rendered is None:
            self.out.append(html.escape(self.get_starttag_text() or f"<{tag}>"))
            return
        self.open.append(tag)
        self.out.append(f"<{rendered}{extra}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(html.escape(self.get_starttag_text() or f"<{tag}/>"))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.open:
            self.out.append(html.escape(f"</{tag}>"))
            return
        while self.open:
            closing = self.open.pop()
            self.out.append(f"</{_TAGS[closing]}>")
            if closing == tag:
                return

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        self.out.append(html.escape(f"<!--{data}-->", quote=False))

    def handle_decl(self, decl: str) -> None:
        self.out.append(html.escape(f"<!{decl}>", quote=False))

    def handle_pi(self, data: str) -> None:
        self.out.append(html.escape(f"<?{data}>", quote=False))

    def unknown_decl(self, data: str) -> None:
        self.out.append(html.escape(f"<![{data}]>", quote=False))

    def result(self) -> str:
        self.close()
        self.out.extend(f"</{_TAGS[tag]}>" for tag in reversed(self.open))
        self.open.clear()
        return "".join(self.out)


def sanitise_html(markup: str) -> str:
    """Return Telegram HTML safe to put in the page: allowed tags kept, all else escaped."""
    parser = _Sanitiser()
    parser.feed(markup)
    return parser.result()


def file_url(file_id: str) -> str:
    """Return where the page downloads a file."""
    return f"/api/files/{file_id}"


def message_json(state: MessageState, files: FileStore) -> JsonDict:
    """Describe one message (the bot's or the persona's) for the page."""
    view = BotMessage.from_state(state, files)
    shown: JsonDict = {
        "id": state.message_id,
        "chat": state.chat_id,
        "from": "bot" if state.outgoing else "user",
        "date": state.date,
        "edited": state.edit_date is not None,
        "deleted": state.deleted,
        "html": sanitise_html(view.html),
        "buttons": [[_button_json(button) for button in row] for row in view.inline_keyboard],
    }
    if view.photo is not None:
        photo = view.photo
        shown["photo"] = {
            "url": file_url(photo.file_id),
            "width": photo.width,
            "height": photo.height,
        }
    if view.document is not None:
        doc = view.document
        shown["document"] = {
            "url": file_url(doc.file_id),
            "name": doc.filename or "file",
            "mime": doc.mime_type or "application/octet-stream",
            "size": doc.size,
        }
    note = next((kind for kind in _MEDIA_NOTES if kind in state.media), None)
    if note is not None:
        shown["note"] = note
    return shown


def _button_json(button: JsonDict) -> JsonDict:
    shown: JsonDict = {"text": str(button.get("text", ""))}
    if "callback_data" in button:
        shown["data"] = str(button["callback_data"])
    url = str(button.get("url") or "")
    if _SAFE_LINK.match(url):
        shown["url"] = url
    return shown


def keyboard_json(core: SandboxCore, chat_id: int) -> JsonDict | None:
    """Describe the reply keyboard the chat shows now, or None."""
    message = active_keyboard(core.world.chat_messages(chat_id))
    if message is None or message.markup is None:
        return None
    markup = message.markup
    return {
        "message_id": message.message_id,
        "rows": [[str(button["text"]) for button in row] for row in markup["keyboard"]],
        "one_time": bool(markup.get("one_time_keyboard")),
        "placeholder": str(markup.get("input_field_placeholder") or ""),
    }


def commands_for(core: SandboxCore, chat_id: int, language: str) -> list[JsonDict]:
    """Return the command menu a private chat shows, resolved by scope and language."""
    scopes: list[JsonDict] = [
        {"type": "chat", "chat_id": chat_id},
        {"type": "all_private_chats"},
        {"type": "default"},
    ]
    for scope in scopes:
        key, _ = parse_scope(scope)
        for code in (language, ""):
            found = core.world.commands.get((key, code))
            if found:
                return [{"command": c["command"], "description": c["description"]} for c in found]
    return []


class ChatFeed:
    """What one page has been shown of one private chat, and what changed since."""

    def __init__(self, core: SandboxCore, chat_id: int, language: str) -> None:
        """Start with nothing shown."""
        self._core = core
        self.chat_id = chat_id
        self._language = language.split("-", maxsplit=1)[0]
        self._events = len(core.world.events)
        self._ordered = 0
        self._answered: set[str] = set()
        self._actions = len(core.world.chat_actions)
        self._keyboard: JsonDict | None = None
        self._commands: list[JsonDict] | None = None
        self.pending: list[Event] = []

    def snapshot(self) -> list[Event]:
        """Return the whole chat as it stands, and follow changes from here."""
        world = self._core.world
        self._events = len(world.events)
        self._ordered = len(world.order.get(self.chat_id, []))
        self._answered = {q.id for q in self._own_queries() if q.answer is not None}
        self._actions = len(world.chat_actions)
        self._keyboard, self._commands = None, None
        messages = world.chat_messages(self.chat_id, outgoing=None)
        shown = [("message", message_json(m, world.files)) for m in messages]
        self.pending = []
        return shown + self._menus()

    def gather(self) -> bool:
        """Collect what changed into ``pending``; tell whether anything is pending."""
        world = self._core.world
        news: list[Event] = []
        order = world.order.get(self.chat_id, [])
        for message_id in order[self._ordered :]:
            message = world.messages[(self.chat_id, message_id)]
            if not message.outgoing:
                news.append(("message", message_json(message, world.files)))
        self._ordered = len(order)
        for event in world.events[self._events :]:
            if event.chat_id == self.chat_id:
                news.append(("message", message_json(event.message, world.files)))
        self._events = len(world.events)
        for query in self._own_queries():
            if query.answer is not None and query.id not in self._answered:
                self._answered.add(query.id)
                if query.answer.get("text"):
                    answer = {"text": query.answer["text"], "alert": query.answer["show_alert"]}
                    news.append(("notice", {"chat": self.chat_id, **answer}))
        for chat_id, action, _ in world.chat_actions[self._actions :]:
            if chat_id == self.chat_id:
                news.append(("action", {"chat": chat_id, "action": action}))
        self._actions = len(world.chat_actions)
        if news:
            news.extend(self._menus())
        self.pending.extend(news)
        return bool(self.pending)

    def take(self) -> list[Event]:
        """Return the pending events and forget them."""
        taken, self.pending = self.pending, []
        return taken

    def _own_queries(self) -> list[CallbackQueryState]:
        queries = self._core.world.callback_queries.values()
        return [q for q in queries if q.chat_id == self.chat_id]

    def _menus(self) -> list[Event]:
        """Return keyboard and command-menu events for whatever changed."""
        events: list[Event] = []
        keyboard = keyboard_json(self._core, self.chat_id)
        if keyboard != self._keyboard or self._commands is None:
            self._keyboard = keyboard
            events.append(("keyboard", {"chat": self.chat_id, "keyboard": keyboard}))
        commands = commands_for(self._core, self.chat_id, self._language)
        if commands != self._commands:
            self._commands = commands
            events.append(("commands", {"chat": self.chat_id, "commands": commands}))
        return events
