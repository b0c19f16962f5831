"""Helpers shared by the message methods: chat access, replies, posting, editing, files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.sandbox.errors import JsonDict, bad_request, forbidden, unix_now
from bot.sandbox.files import StoredFile, image_size
from bot.sandbox.params import Params, UploadedFile
from bot.sandbox.registry import BotIdentity
from bot.sandbox.rendering import entity_text
from bot.sandbox.state import ChatState, MessageState, World

if TYPE_CHECKING:
    from bot.sandbox.core import SandboxCore

_SEND_OPTIONS = (
    "disable_notification",
    "protect_content",
    "link_preview_options",
    "disable_web_page_preview",
    "message_effect_id",
    "message_thread_id",
    "allow_paid_broadcast",
)
_THUMB_SIDE = 90


def check_can_write(world: World, chat: ChatState) -> None:
    """Refuse to post in a chat the bot may not write to, with Telegram's 403s."""
    if chat.is_private:
        user = world.users.get(chat.id)
        if user is None:
            raise bad_request("chat not found")
        if user.blocked:
            raise forbidden("bot was blocked by the user")
        if not user.started:
            raise forbidden("bot can't initiate conversation with a user")
    elif not chat.bot_member:
        kind = chat.type if chat.type in ("supergroup", "channel") else "group"
        raise forbidden(f"bot is not a member of the {kind} chat")
    elif chat.type == "channel" and not chat.bot_admin:  # only admins post in a channel
        raise bad_request("need administrator rights in the channel chat")


def target_chat(
    core: SandboxCore, params: Params, *, name: str = "chat_id", writing: bool = True
) -> ChatState:
    """Resolve the chat a call addresses, failing like Telegram."""
    raw = params.raw(name)
    if raw is None or raw == "":
        raise bad_request(f"{name} is empty")
    chat = core.world.resolve_chat(raw)
    if chat is None:
        raise bad_request("chat not found")
    if writing:
        check_can_write(core.world, chat)
    return chat


def message_api(world: World, message: MessageState) -> JsonDict:
    """Return a stored message as a Bot API ``Message`` (with one level of reply)."""
    chat = world.chats[message.chat_id]
    reply = None
    if message.reply_to is not None:
        target = world.message(message.chat_id, message.reply_to)
        if target is not None:
            reply = target.api(chat)
    return message.api(chat, reply)


def fill_mentions(world: World, entities: list[JsonDict]) -> list[JsonDict]:
    """Give ``text_mention`` entities the full User object PTB and Telegram expect."""
    for entity in entities:
        if entity["type"] == "text_mention":
            user_id = int(entity["user"]["id"])
            known = world.users.get(user_id)
            entity["user"] = known.api() if known else {"id": user_id, "is_bot": False}
            entity["user"].setdefault("first_name", "")
    return entities


def reply_target(world: World, chat: ChatState, params: Params) -> int | None:
    """Return the message id to reply to, from reply_parameters or reply_to_message_id."""
    raw = params.get_json("reply_parameters", "can't parse reply parameters JSON object")
    allow = params.get_bool("allow_sending_without_reply")
    if isinstance(raw, dict):
        message_id = raw.get("message_id")
        allow = bool(raw.get("allow_sending_without_reply", allow))
    elif raw is not None:
        raise bad_request("can't parse reply parameters JSON object")
    else:
        message_id = params.get_int("reply_to_message_id")
    if not message_id:
        return None
    if world.message(chat.id, int(message_id)) is None:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return int(message_id)


def topic_of(chat: ChatState, params: Params) -> int | None:
    """Return the forum topic a message goes to; a thread the chat does not have is refused."""
    thread = params.get_int("message_thread_id")
    if not thread:
        return None
    if not chat.is_forum or thread not in chat.topics:
        raise bad_request("message thread not found")
    return thread


def send_options(params: Params) -> JsonDict:
    """Collect delivery options (notification, previews, ...) for tests to inspect."""
    record = params.record()
    return {key: record[key] for key in _SEND_OPTIONS if key in record}


def post_message(
    core: SandboxCore, bot: BotIdentity, chat: ChatState, params: Params, **fields: object
) -> MessageState:
    """Create a bot message in ``chat`` and record the 'sent' event."""
    world = core.world
    reply_to = reply_target(world, chat, params)
    thread = topic_of(chat, params)
    message = MessageState(
        chat_id=chat.id,
        message_id=world.next_message_id(chat),
        date=unix_now(),
        sender=bot.api(),
        outgoing=True,
        reply_to=reply_to,
        options=send_options(params),
    )
    for key, value in fields.items():
        setattr(message, key, value)
    if thread is not None:
        message.extra = {**message.extra, "message_thread_id": thread, "is_topic_message": True}
    world.add_message(message)
    world.record_event("sent", message)
    core.stats.sent_per_chat[chat.id] += 1
    return message


def edit_target(core: SandboxCore, params: Params) -> MessageState:
    """Find the bot message an edit method addresses."""
    if params.has("inline_message_id") and not params.has("chat_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = target_chat(core, params)
    message_id = params.require_int("message_id", "message identifier is not specified")
    message = core.world.message(chat.id, message_id)
    if message is None:
        raise bad_request("message to edit not found")
    if not message.outgoing:
        raise bad_request("message can't be edited")
    return message


def apply_edit(core: SandboxCore, message: MessageState, **changes: object) -> MessageState:
    """Apply an edit unless it changes nothing; keep the previous version in history."""
    if all(getattr(message, key) == value for key, value in changes.items()):
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    message.history.append(message.version())
    for key, value in changes.items():
        setattr(message, key, value)
    message.edit_date = unix_now()
    core.world.record_event("edited", message)
    core.stats.edits_per_chat[message.chat_id] += 1
    return message


def photo_sizes(core: SandboxCore, full: StoredFile) -> list[JsonDict]:
    """Return PhotoSize objects for a photo: a small thumbnail (if larger) and the original."""
    width, height = full.width or 0, full.height or 0
    if max(width, height) <= _THUMB_SIDE:
        return [full.photo_size_api()]
    thumb = core.thumbnails.get(full.file_id)
    if thumb is None:
        scale = _THUMB_SIDE / max(width, height)
        thumb = core.world.files.add(
            "photo",
            full.data,
            width=max(1, round(width * scale)),
            height=max(1, round(height * scale)),
        )
        core.thumbnails[full.file_id] = thumb
    return [thumb.photo_size_api(), full.photo_size_api()]


def _store_photo(core: SandboxCore, upload: UploadedFile) -> StoredFile:
    rules = core.rules
    if len(upload.data) > rules.max_photo_bytes:
        raise bad_request("PHOTO_SAVE_FILE_INVALID")
    size = image_size(upload.data)
    if size is None:
        if rules.validate_images:
            raise bad_request("IMAGE_PROCESS_FAILED")
        size = (800, 600)
    width, height = size
    if width + height > 10000 or max(width, height) > 20 * max(1, min(width, height)):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return core.world.files.add("photo", upload.data, width=width, height=height)


def input_file(core: SandboxCore, params: Params, field: str, kind: str) -> StoredFile:
    """Resolve a file parameter: a new upload, or an existing file_id of the right type."""
    value = params.file(field)
    if value is None:
        raise bad_request(f"there is no {field} in the request")
    if isinstance(value, UploadedFile):
        if not value.data:
            raise bad_request("file must be non-empty")
        if kind == "photo":
            return _store_photo(core, value)
        mime = value.content_type
        return core.world.files.add(
            kind,
            value.data,
            filename=value.filename,
            mime_type=None if mime == "application/octet-stream" else mime,
        )
    if value.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")
    stored = core.world.files.get(value)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if stored.kind != kind:
        raise bad_request(
            f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}"
        )
    return stored


def bot_receives(core: SandboxCore, chat: ChatState, message: MessageState) -> bool:
    """Apply group privacy mode: return whether the bot gets a user's message as an update."""
    if chat.is_private:
        return True
    if not chat.bot_member:
        return False
    if chat.bot_admin or not core.rules.group_privacy:
        return True
    if message.reply_to is not None:
        target = core.world.message(chat.id, message.reply_to)
        if target is not None and target.outgoing:
            return True
    username = core.bot_username.lower()
    for entity in message.entities:
        part = entity_text(message.text or "", entity).lower()
        if entity["type"] == "bot_command" and ("@" not in part or part.endswith(username)):
            return True
        if entity["type"] == "mention" and part == f"@{username}":
            return True
    return False
