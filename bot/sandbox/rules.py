"""Telegram's validation rules: text and caption limits, keyboards, commands, tokens."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bot.sandbox.errors import JsonDict, bad_request, utf16_len
from bot.sandbox.formatting import EntityParseError, canonical_entity, parse_html
from bot.sandbox.markdown import parse_markdown, parse_markdown_v2
from bot.sandbox.rendering import strip_text

MIB = 1024 * 1024

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "record_audio",
        "upload_audio",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
        "cancel",
    }
)
SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_INLINE_ACTIONS = (
    "callback_game",
    "pay",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "login_url",
    "web_app",
    "copy_text",
)
_MARKUP_BOOLEANS = {
    "resize_keyboard": 'Field "resize_keyboard" of the ReplyKeyboardMarkup',
    "one_time_keyboard": 'Field "one_time_keyboard" of the ReplyKeyboardMarkup',
    "is_persistent": 'Field "is_persistent" of the ReplyKeyboardMarkup',
    "remove_keyboard": 'Field "remove_keyboard" of the ReplyKeyboardRemove',
    "selective": 'Field "selective" of the reply markup',
    "force_reply": 'Field "force_reply" of the reply markup',
}
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]*$")
_URL = re.compile(r"^(?:(?:https?|tg|ton)://\S+|[\w-]+(?:\.[\w-]+)+(?:[/?#]\S*)?)$", re.IGNORECASE)


class _ButtonRejected(Exception):
    """A button that parses but that Telegram's server rejects (e.g. BUTTON_DATA_INVALID)."""


@dataclass
class Rules:
    """Telegram's limits plus the emulator's strictness switches; adjust per test."""

    max_text_length: int = 4096
    max_caption_length: int = 1024
    max_callback_data_bytes: int = 64
    max_callback_answer_length: int = 200
    max_keyboard_buttons: int = 100
    max_commands: int = 100
    max_upload_bytes: int = 50 * MIB
    max_photo_bytes: int = 10 * MIB
    max_download_bytes: int = 20 * MIB
    callback_query_ttl: float = 15.0
    strict_html_ampersand: bool = True
    require_https_webhook: bool = False
    validate_images: bool = True
    group_privacy: bool = True


def _explicit_entities(raw: object) -> list[JsonDict]:
    """Validate an ``entities`` array given instead of a parse mode."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise bad_request("can't parse entities JSON object") from None
    if not isinstance(raw, list):
        raise bad_request("can't parse entities: expected an Array of MessageEntity")
    result: list[JsonDict] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise bad_request('can\'t parse MessageEntity: Field "type" must be of type String')
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise bad_request('can\'t parse MessageEntity: Field "offset" must be of type Number')
        if length > 0:
            result.append(canonical_entity(item))
    return sorted(result, key=lambda e: (e["offset"], -e["length"]))


def format_text(
    text: str, parse_mode: str | None, entities: object, rules: Rules
) -> tuple[str, list[JsonDict]]:
    """Apply a parse mode (or explicit entities) and trim the text like Telegram."""
    mode = (parse_mode or "").strip().lower()
    try:
        if entities not in (None, "", []):
            plain, found = text, _explicit_entities(entities)
        elif mode in ("", "none"):
            plain, found = text, []
        elif mode == "html":
            plain, found = parse_html(text, strict_ampersand=rules.strict_html_ampersand)
        elif mode == "markdownv2":
            plain, found = parse_markdown_v2(text)
        elif mode == "markdown":
            plain, found = parse_markdown(text)
        else:
            raise bad_request("unsupported parse_mode")
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    return strip_text(plain, found)


def check_text(plain: str, rules: Rules) -> None:
    """Reject an empty or over-long message text (length counted after parsing)."""
    if not plain:
        raise bad_request("message text is empty")
    if utf16_len(plain) > rules.max_text_length:
        raise bad_request("message is too long")


def check_caption(plain: str, rules: Rules) -> None:
    """Reject an over-long caption (length counted after parsing)."""
    if utf16_len(plain) > rules.max_caption_length:
        raise bad_request("message caption is too long")


def _string_field(obj: JsonDict, name: str) -> str:
    if name not in obj:
        raise ValueError(f'Can\'t find field "{name}"')
    value = obj[name]
    if not isinstance(value, str):
        raise ValueError(f'Field "{name}" must be of type String')
    return value


def _inline_button(button: object, rules: Rules) -> JsonDict:
    """Validate one InlineKeyboardButton; raise ValueError with Telegram's reason."""
    if not isinstance(button, dict):
        raise ValueError("InlineKeyboardButton must be an Object")
    text = _string_field(button, "text")
    if not text.strip():
        raise _ButtonRejected("BUTTON_TEXT_INVALID")
    url = button.get("url")
    if url:
        if not isinstance(url, str):
            raise ValueError('Field "url" must be of type String')
        if not _URL.match(url):
            raise _ButtonRejected("BUTTON_URL_INVALID")
        return {"text": text, "url": url}
    data = button.get("callback_data")
    if data not in (None, ""):
        if not isinstance(data, str):
            raise ValueError('Field "callback_data" must be of type String')
        if len(data.encode("utf-8")) > rules.max_callback_data_bytes:
            raise _ButtonRejected("BUTTON_DATA_INVALID")
        return {"text": text, "callback_data": data}
    for action in _INLINE_ACTIONS:
        if action in button:
            return {"text": text, action: button[action]}
    raise ValueError("Text buttons are unallowed in the inline keyboard")


def _keyboard_button(button: object) -> JsonDict:
    """Validate one KeyboardButton (a string or an object with text)."""
    if isinstance(button, str):
        return {"text": button}
    if not isinstance(button, dict):
        raise ValueError("KeyboardButton must be a String or an Object")
    _string_field(button, "text")
    return {k: v for k, v in button.items() if v is not None}


def _rows(value: object, field: str, owner: str) -> list[list[object]]:
    if not isinstance(value, list):
        raise bad_request(f'field "{field}" of the {owner} must be an Array')
    if not all(isinstance(row, list) for row in value):
        raise bad_request(f'field "{field}" of the {owner} must be an Array of Arrays')
    return [list(row) for row in value]


def parse_reply_markup(raw: object, rules: Rules) -> JsonDict | None:
    """Validate ``reply_markup`` and return it normalised, or None when absent/empty."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise bad_request("can't parse reply keyboard markup JSON object") from None
    if not isinstance(raw, dict):
        raise bad_request("object expected as reply markup")
    for name, subject in _MARKUP_BOOLEANS.items():
        if name in raw and not isinstance(raw[name], bool):
            raise bad_request(f"{subject[0].lower()}{subject[1:]} must be of the type Boolean")
    keyboard: list[list[JsonDict]] = []
    inline: list[list[JsonDict]] = []
    try:
        if "keyboard" in raw:
            rows = _rows(raw["keyboard"], "keyboard", "ReplyKeyboardMarkup")
            keyboard = [[_keyboard_button(b) for b in row] for row in rows]
    except ValueError as exc:
        raise bad_request(f"can't parse keyboard button: {exc}") from None
    try:
        if "inline_keyboard" in raw:
            rows = _rows(raw["inline_keyboard"], "inline_keyboard", "InlineKeyboardMarkup")
            inline = [[_inline_button(b, rules) for b in row] for row in rows]
    except _ButtonRejected as exc:
        raise bad_request(str(exc.args[0])) from None
    except ValueError as exc:
        raise bad_request(f"can't parse inline keyboard button: {exc}") from None
    if sum(len(row) for row in keyboard + inline) > rules.max_keyboard_buttons:
        raise bad_request("reply markup is too long")
    extras = {k: raw[k] for k in ("selective", "input_field_placeholder") if k in raw}
    if keyboard:
        options = ("resize_keyboard", "one_time_keyboard", "is_persistent")
        return {"keyboard": keyboard, **{k: raw[k] for k in options if k in raw}, **extras}
    if inline:
        return {"inline_keyboard": inline}
    if raw.get("remove_keyboard"):
        return {"remove_keyboard": True, **extras}
    if raw.get("force_reply"):
        return {"force_reply": True, **extras}
    return None


def parse_commands(raw: object, rules: Rules) -> list[JsonDict]:
    """Validate a setMyCommands ``commands`` array and return the normalised list."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise bad_request("can't parse commands JSON object") from None
    if not isinstance(raw, list):
        raise bad_request('field "commands" must be an Array')
    if len(raw) > rules.max_commands:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    commands: list[JsonDict] = []
    for item in raw:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand: BotCommand must be an Object")
        try:
            command = _string_field(item, "command")
            description = _string_field(item, "description")
        except ValueError as exc:
            raise bad_request(f"can't parse BotCommand: {exc}") from None
        command = command.strip().removeprefix("/")
        if not _COMMAND.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        description = description.strip()
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        commands.append({"command": command, "description": description})
    return commands


def parse_scope(raw: object) -> tuple[str, JsonDict]:
    """Return a storage key and the normalised BotCommandScope object."""
    if raw is None or raw == "":
        return "default", {"type": "default"}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise bad_request("can't parse BotCommandScope JSON object") from None
    if not isinstance(raw, dict) or raw.get("type") not in SCOPE_TYPES:
        raise bad_request("unsupported bot command scope type specified")
    kind = str(raw["type"])
    if kind in ("chat", "chat_administrators"):
        return f"{kind}:{raw.get('chat_id')}", {"type": kind, "chat_id": raw.get("chat_id")}
    if kind == "chat_member":
        scope = {"type": kind, "chat_id": raw.get("chat_id"), "user_id": raw.get("user_id")}
        return f"{kind}:{scope['chat_id']}:{scope['user_id']}", scope
    return kind, {"type": kind}


def check_language_code(code: str) -> str:
    """Return a valid two-letter language code (or '') for per-language bot settings."""
    if code and not re.fullmatch(r"[a-z]{2}", code):
        raise bad_request("invalid language code specified")
    return code


def check_secret_token(secret: str) -> None:
    """Reject a webhook secret token that Telegram would not accept."""
    if len(secret) > 256:
        raise bad_request("secret token is too long")
    if not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")


def check_chat_action(action: str | None) -> str:
    """Return the normalised chat action or fail like Telegram."""
    normalised = (action or "").strip().lower()
    if normalised not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return normalised
