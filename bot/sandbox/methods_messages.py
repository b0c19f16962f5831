"""Bot API methods that send, edit, forward and delete messages."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.sandbox.errors import JsonDict, bad_request
from bot.sandbox.files import StoredFile
from bot.sandbox.messaging import (
    apply_edit,
    edit_target,
    fill_mentions,
    input_file,
    message_api,
    photo_sizes,
    post_message,
    target_chat,
)
from bot.sandbox.params import Params
from bot.sandbox.registry import BotIdentity, api_method
from bot.sandbox.rules import check_caption, check_text, format_text, parse_reply_markup
from bot.sandbox.state import MessageState

if TYPE_CHECKING:
    from bot.sandbox.core import SandboxCore


def _text(core: SandboxCore, params: Params) -> tuple[str, list[JsonDict]]:
    """Parse and validate the ``text`` parameter."""
    text = params.get_str("text") or ""
    plain, entities = format_text(
        text, params.get_str("parse_mode"), params.raw("entities"), core.rules
    )
    check_text(plain, core.rules)
    return plain, fill_mentions(core.world, entities)


def _caption(core: SandboxCore, params: Params) -> tuple[str | None, list[JsonDict]]:
    """Parse and validate the optional ``caption`` parameter."""
    raw = params.get_str("caption")
    if not raw:
        return None, []
    plain, entities = format_text(
        raw, params.get_str("parse_mode"), params.raw("caption_entities"), core.rules
    )
    check_caption(plain, core.rules)
    return plain or None, fill_mentions(core.world, entities)


def _markup(core: SandboxCore, params: Params, *, inline_only: bool = False) -> JsonDict | None:
    markup = parse_reply_markup(params.raw("reply_markup"), core.rules)
    if inline_only and markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return markup


@api_method("sendMessage")
async def send_message(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Send a text message."""
    text, entities = _text(core, params)
    markup = _markup(core, params)
    chat = target_chat(core, params)
    message = post_message(core, bot, chat, params, text=text, entities=entities, markup=markup)
    return message_api(core.world, message)


def _send_file(
    core: SandboxCore,
    bot: BotIdentity,
    params: Params,
    field: str,
    media_of: Callable[[StoredFile], JsonDict],
) -> object:
    """Send a file (upload or file_id) of the kind ``field`` names, with an optional caption."""
    caption, entities = _caption(core, params)
    markup = _markup(core, params)
    chat = target_chat(core, params)
    stored = input_file(core, params, field, field)
    message = post_message(
        core,
        bot,
        chat,
        params,
        caption=caption,
        caption_entities=entities,
        markup=markup,
        media=media_of(stored),
        file_ids=[stored.file_id],
    )
    return message_api(core.world, message)


@api_method("sendPhoto")
async def send_photo(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Send a photo (upload or file_id) with an optional caption."""

    def media_of(stored: StoredFile) -> JsonDict:
        media: JsonDict = {"photo": photo_sizes(core, stored)}
        if params.get_bool("has_spoiler"):
            media["has_media_spoiler"] = True
        return media

    return _send_file(core, bot, params, "photo", media_of)


@api_method("sendDocument")
async def send_document(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Send a document (upload or file_id) with an optional caption."""
    return _send_file(
        core, bot, params, "document", lambda stored: {"document": stored.document_api()}
    )


@api_method("sendVoice")
async def send_voice(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Send a voice note (upload or file_id) with an optional caption and duration."""

    def media_of(stored: StoredFile) -> JsonDict:
        voice: JsonDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": params.get_int("duration") or stored.duration or 0,
            "mime_type": "audio/ogg",
            "file_size": stored.size,
        }
        return {"voice": voice}

    return _send_file(core, bot, params, "voice", media_of)


def _kept_markup(message: MessageState, new_markup: JsonDict | None) -> JsonDict | None:
    """Return the markup after an edit: a reply keyboard survives, inline is replaced."""
    if new_markup is not None:
        return new_markup
    if message.markup is not None and "inline_keyboard" not in message.markup:
        return message.markup
    return None


@api_method("editMessageText")
async def edit_message_text(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Edit the text (and inline keyboard) of a bot message."""
    text, entities = _text(core, params)
    markup = _markup(core, params, inline_only=True)
    message = edit_target(core, params)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    apply_edit(core, message, text=text, entities=entities, markup=_kept_markup(message, markup))
    return message_api(core.world, message)


@api_method("editMessageCaption")
async def edit_message_caption(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Edit the caption (and inline keyboard) of a bot media message."""
    caption, entities = _caption(core, params)
    markup = _markup(core, params, inline_only=True)
    message = edit_target(core, params)
    if message.text is not None or not message.media:
        raise bad_request("there is no caption in the message to edit")
    apply_edit(
        core,
        message,
        caption=caption,
        caption_entities=entities,
        markup=_kept_markup(message, markup),
    )
    return message_api(core.world, message)


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Replace or remove the inline keyboard of a bot message."""
    markup = _markup(core, params, inline_only=True)
    message = edit_target(core, params)
    apply_edit(core, message, markup=_kept_markup(message, markup))
    return message_api(core.world, message)


def _delete(core: SandboxCore, chat_id: int, message_id: int) -> None:
    world = core.world
    message = world.message(chat_id, message_id)
    if message is None:
        raise bad_request("message to delete not found")
    chat = world.chats[chat_id]
    if not message.outgoing and not chat.is_private and not chat.bot_admin:
        raise bad_request("message can't be deleted")
    message.deleted = True
    world.record_event("deleted", message)


@api_method("deleteMessage")
async def delete_message(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Delete a message."""
    chat = target_chat(core, params, writing=False)
    _delete(core, chat.id, params.require_int("message_id", "message identifier is not specified"))
    return True


@api_method("deleteMessages")
async def delete_messages(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Delete several messages; missing ones are skipped like Telegram does."""
    chat = target_chat(core, params, writing=False)
    ids = params.get_json("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must be an Array of 1-100 message identifiers")
    for message_id in ids:
        if core.world.message(chat.id, int(message_id)) is not None:
            _delete(core, chat.id, int(message_id))
    return True


def _source(core: SandboxCore, params: Params, verb: str) -> MessageState:
    source_chat = target_chat(core, params, name="from_chat_id", writing=False)
    message_id = params.require_int("message_id", "message identifier is not specified")
    source = core.world.message(source_chat.id, message_id)
    if source is None:
        raise bad_request(f"message to {verb} not found")
    return source


def _content(source: MessageState) -> dict[str, object]:
    return {
        "text": source.text,
        "entities": copy.deepcopy(source.entities),
        "caption": source.caption,
        "caption_entities": copy.deepcopy(source.caption_entities),
        "media": copy.deepcopy(source.media),
        "file_ids": list(source.file_ids),
    }


@api_method("forwardMessage")
async def forward_message(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Forward a message, keeping its origin."""
    chat = target_chat(core, params)
    source = _source(core, params, "forward")
    origin = {"type": "user", "sender_user": source.sender, "date": source.date}
    message = post_message(
        core, bot, chat, params, **_content(source), extra={"forward_origin": origin}
    )
    return message_api(core.world, message)


@api_method("copyMessage")
async def copy_message(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Copy a message without a link to the original; return its MessageId."""
    chat = target_chat(core, params)
    source = _source(core, params, "copy")
    content = _content(source)
    if params.raw("caption") is not None and source.media:
        content["caption"], content["caption_entities"] = _caption(core, params)
    message = post_message(core, bot, chat, params, **content, markup=_markup(core, params))
    return {"message_id": message.message_id}
