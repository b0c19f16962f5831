"""Read-only views of what the bot sent, shaped for readable test assertions."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.sandbox.errors import JsonDict
from bot.sandbox.files import FileStore
from bot.sandbox.rendering import render_html
from bot.sandbox.state import CallbackQueryState, MessageState


@dataclass(frozen=True, repr=False)
class DocumentView:
    """A document the bot sent: name, type and bytes."""

    file_id: str
    filename: str | None
    mime_type: str | None
    data: bytes

    @property
    def size(self) -> int:
        """Return the size in bytes."""
        return len(self.data)

    def __repr__(self) -> str:
        """Describe the document without dumping its bytes."""
        return f"DocumentView({self.filename!r}, {self.mime_type!r}, {self.size} bytes)"


@dataclass(frozen=True, repr=False)
class PhotoView:
    """The largest size of a photo the bot sent."""

    file_id: str
    width: int
    height: int
    data: bytes

    def __repr__(self) -> str:
        """Describe the photo without dumping its bytes."""
        return f"PhotoView({self.width}x{self.height}, {len(self.data)} bytes)"


@dataclass(frozen=True)
class CallbackAnswer:
    """The bot's answerCallbackQuery for one button press."""

    query_id: str
    button_text: str
    data: str | None
    message_id: int
    text: str | None
    show_alert: bool
    url: str | None

    @classmethod
    def from_query(cls, query: CallbackQueryState) -> CallbackAnswer:
        """Build the view from an answered callback query."""
        answer = query.answer or {}
        return cls(
            query_id=query.id,
            button_text=query.button_text,
            data=query.data,
            message_id=query.message_id,
            text=answer.get("text"),
            show_alert=bool(answer.get("show_alert")),
            url=answer.get("url"),
        )


@dataclass(frozen=True, repr=False)
class BotMessage:
    """A bot message as the user sees it at one moment (a sent or edited version)."""

    message_id: int
    chat_id: int
    date: int
    text: str | None
    caption: str | None
    entities: list[JsonDict]
    caption_entities: list[JsonDict]
    reply_markup: JsonDict | None
    document: DocumentView | None
    photo: PhotoView | None
    media: JsonDict
    options: JsonDict
    reply_to_message_id: int | None
    edited: bool
    deleted: bool
    edit_date: int | None
    edits: tuple[BotMessage, ...] = field(default=(), repr=False)

    @classmethod
    def from_state(cls, state: MessageState, files: FileStore) -> BotMessage:
        """Build the view from a stored message (its history becomes ``edits``)."""
        return cls(
            message_id=state.message_id,
            chat_id=state.chat_id,
            date=state.date,
            text=state.text,
            caption=state.caption,
            entities=list(state.entities),
            caption_entities=list(state.caption_entities),
            reply_markup=state.markup,
            document=_document(state, files),
            photo=_photo(state, files),
            media=dict(state.media),
            options=dict(state.options),
            reply_to_message_id=state.reply_to,
            edited=state.edit_date is not None,
            deleted=state.deleted,
            edit_date=state.edit_date,
            edits=tuple(cls.from_state(old, files) for old in state.history),
        )

    @property
    def content(self) -> str:
        """Return the text, or the caption of a media message, or ''."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def html(self) -> str:
        """Return the text (or caption) re-rendered as Telegram HTML."""
        if self.text is not None:
            return render_html(self.text, self.entities)
        return render_html(self.caption or "", self.caption_entities)

    @property
    def inline_keyboard(self) -> list[list[JsonDict]]:
        """Return the inline keyboard's button objects, row by row."""
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            rows: list[list[JsonDict]] = self.reply_markup["inline_keyboard"]
            return rows
        return []

    @property
    def buttons(self) -> list[list[str]]:
        """Return the inline button texts, row by row."""
        return [[button["text"] for button in row] for row in self.inline_keyboard]

    @property
    def callback_data(self) -> dict[str, str]:
        """Map each inline callback button's text to its callback_data."""
        return {
            button["text"]: button["callback_data"]
            for row in self.inline_keyboard
            for button in row
            if "callback_data" in button
        }

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Return the reply keyboard's button texts, or None if the message has none."""
        if self.reply_markup and "keyboard" in self.reply_markup:
            return [[button["text"] for button in row] for row in self.reply_markup["keyboard"]]
        return None

    @property
    def removes_keyboard(self) -> bool:
        """Return whether the message removes the reply keyboard."""
        return bool(self.reply_markup and self.reply_markup.get("remove_keyboard"))

    @property
    def forces_reply(self) -> bool:
        """Return whether the message asks the client to reply to it (ForceReply)."""
        return bool(self.reply_markup and self.reply_markup.get("force_reply"))

    def button(self, text: str) -> JsonDict:
        """Return the inline button with this text; fail listing the buttons there are."""
        for row in self.inline_keyboard:
            for button in row:
                if button["text"] == text:
                    return button
        raise AssertionError(
            f"no inline button {text!r} on message {self.message_id}; buttons: {self.buttons}"
        )

    def __repr__(self) -> str:
        """Show the message compactly: id, kind, content and keyboards."""
        state = " (deleted)" if self.deleted else " (edited)" if self.edited else ""
        return f"BotMessage({self.summary()}{state})"

    def summary(self) -> str:
        """Return a one-line description for transcripts and failure messages."""
        kind = "doc" if self.document else "photo" if self.photo else "text"
        line = f"#{self.message_id} [{kind}] {self.content!r}"
        if self.document:
            line += f" file={self.document.filename!r}"
        if self.buttons:
            line += f" buttons={self.buttons}"
        if self.reply_keyboard:
            line += f" keyboard={self.reply_keyboard}"
        return line


def _document(state: MessageState, files: FileStore) -> DocumentView | None:
    doc = state.media.get("document")
    if not isinstance(doc, dict):
        return None
    stored = files.get(doc["file_id"])
    data = stored.data if stored else b""
    return DocumentView(doc["file_id"], doc.get("file_name"), doc.get("mime_type"), data)


def _photo(state: MessageState, files: FileStore) -> PhotoView | None:
    sizes = state.media.get("photo")
    if not isinstance(sizes, list) or not sizes:
        return None
    largest = sizes[-1]
    stored = files.get(largest["file_id"])
    data = stored.data if stored else b""
    return PhotoView(largest["file_id"], largest["width"], largest["height"], data)
