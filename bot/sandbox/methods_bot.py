"""Bot API methods about the bot itself, updates, webhooks, commands, chats and files."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.sandbox.errors import JsonDict, bad_request
from bot.sandbox.messaging import target_chat
from bot.sandbox.params import Params
from bot.sandbox.registry import BotIdentity, MethodFunc, Reply, api_method
from bot.sandbox.rules import (
    check_chat_action,
    check_language_code,
    check_secret_token,
    parse_commands,
    parse_scope,
)
from bot.sandbox.state import ChatState, chat_member
from bot.sandbox.updates import UPDATE_TYPES, WebhookConfig

if TYPE_CHECKING:
    from bot.sandbox.core import SandboxCore

_BOT_TEXTS = {
    "description": ("description", 512),
    "short_description": ("short_description", 120),
    "name": ("name", 64),
}


@api_method("getMe")
async def get_me(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Return the bot's own User object."""
    return bot.api(full=True)


@api_method("logOut", "close")
async def log_out(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Accept logOut/close; the emulator keeps serving afterwards."""
    return True


def _allowed_updates(params: Params) -> list[str] | None:
    raw = params.get_json("allowed_updates", "can't parse allowed_updates JSON object")
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise bad_request("allowed_updates must be an Array of String")
    return [str(item) for item in raw if str(item) in UPDATE_TYPES]


@api_method("getUpdates")
async def get_updates(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Return pending updates, long-polling for up to ``timeout`` seconds."""
    return await core.hub.get_updates(
        offset=params.get_int("offset", 0) or 0,
        limit=params.get_int("limit", 100) or 100,
        timeout=params.get_float("timeout", 0.0) or 0.0,
        allowed=_allowed_updates(params),
    )


@api_method("setWebhook")
async def set_webhook(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Set (or, with an empty url, delete) the webhook."""
    url = (params.get_str("url") or "").strip()
    drop = params.get_bool("drop_pending_updates")
    if not url:
        return await delete_webhook(core, bot, params)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("invalid webhook URL specified")
    if core.rules.require_https_webhook and parts.scheme != "https":
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get_str("secret_token") or ""
    check_secret_token(secret)
    allowed = _allowed_updates(params)
    if allowed is not None:
        core.hub.allowed_updates = allowed
    current = core.hub.webhook
    if current and (current.url, current.secret_token) == (url, secret or None) and not drop:
        return Reply(True, "Webhook is already set")
    max_connections = min(max(params.get_int("max_connections", 40) or 40, 1), 100)
    config = WebhookConfig(url, secret or None, max_connections, params.get_str("ip_address"))
    core.hub.set_webhook(config, drop_pending=drop)
    return Reply(True, "Webhook was set")


@api_method("deleteWebhook")
async def delete_webhook(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Remove the webhook so getUpdates works again."""
    was_set = core.hub.webhook is not None
    core.hub.delete_webhook(drop_pending=params.get_bool("drop_pending_updates"))
    return Reply(True, "Webhook was deleted" if was_set else "Webhook is already deleted")


@api_method("getWebhookInfo")
async def get_webhook_info(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Return the current webhook status."""
    return core.hub.webhook_info()


def _command_key(core: SandboxCore, params: Params) -> tuple[str, str]:
    key, scope = parse_scope(params.raw("scope"))
    if "chat_id" in scope and core.world.resolve_chat(scope["chat_id"]) is None:
        raise bad_request("chat not found")
    core.world.command_scopes[key] = scope
    return key, check_language_code(params.get_str("language_code") or "")


@api_method("setMyCommands")
async def set_my_commands(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Store the command list for a (scope, language_code) pair."""
    commands = parse_commands(params.raw("commands"), core.rules)
    key = _command_key(core, params)
    if commands:
        core.world.commands[key] = commands
    else:
        core.world.commands.pop(key, None)
    return True


@api_method("getMyCommands")
async def get_my_commands(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Return the command list for exactly this (scope, language_code) pair."""
    return list(core.world.commands.get(_command_key(core, params), []))


@api_method("deleteMyCommands")
async def delete_my_commands(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Delete the command list for a (scope, language_code) pair."""
    core.world.commands.pop(_command_key(core, params), None)
    return True


def _bot_text(kind: str) -> tuple[MethodFunc, MethodFunc]:
    field, limit = _BOT_TEXTS[kind]

    async def setter(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
        value = params.get_str(field) or ""
        if len(value) > limit:
            raise bad_request(f"{kind.replace('_', ' ')} is too long")
        language = check_language_code(params.get_str("language_code") or "")
        if value:
            core.world.bot_texts[(kind, language)] = value
        else:
            core.world.bot_texts.pop((kind, language), None)
        return True

    async def getter(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
        language = check_language_code(params.get_str("language_code") or "")
        texts = core.world.bot_texts
        fallback = bot.first_name if kind == "name" else ""
        return {field: texts.get((kind, language), texts.get((kind, ""), fallback))}

    return setter, getter


for _kind, _method in (
    ("description", "MyDescription"),
    ("short_description", "MyShortDescription"),
    ("name", "MyName"),
):
    _setter, _getter = _bot_text(_kind)
    api_method(f"set{_method}")(_setter)
    api_method(f"get{_method}")(_getter)


@api_method("setChatMenuButton")
async def set_chat_menu_button(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Set the menu button of one private chat, or the default one."""
    button = params.get_json("menu_button", "can't parse menu button JSON object")
    if button is None:
        button = {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
        raise bad_request("unsupported menu button type specified")
    if params.has("chat_id"):
        chat = target_chat(core, params, writing=False)
        if not chat.is_private:
            raise bad_request("menu button can be set only in private chats")
        chat.menu_button = button
    else:
        core.world.default_menu_button = button
    return True


@api_method("getChatMenuButton")
async def get_chat_menu_button(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Return the menu button of a private chat, or the default one."""
    default = core.world.default_menu_button
    if not params.has("chat_id"):
        return {"type": "commands"} if default.get("type") == "default" else default
    chat = target_chat(core, params, writing=False)
    button = chat.menu_button or default
    return {"type": "commands"} if button.get("type") == "default" else button


@api_method("createForumTopic")
async def create_forum_topic(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Create a topic in a forum supergroup (the bot must be an admin); return the ForumTopic."""
    chat = target_chat(core, params)
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    if not chat.bot_admin:
        raise bad_request("not enough rights to create a topic")
    name = params.get_str("name") or ""
    if not 1 <= len(name) <= 128:
        raise bad_request("TOPIC_NAME_INVALID" if name else "TOPIC_NAME_EMPTY")
    thread_id = core.world.next_message_id(chat)  # a topic is numbered like a message
    chat.topics[thread_id] = name
    return {"message_thread_id": thread_id, "name": name, "icon_color": 0x6FB9F0}


@api_method("getChat")
async def get_chat(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Return full information about a chat."""
    return target_chat(core, params, writing=False).full_info()


def _member_status(chat: ChatState, user_id: int, bot: BotIdentity) -> str:
    if user_id == bot.id:
        if not chat.bot_member:
            return "left"
        return "administrator" if chat.bot_admin else "member"
    if chat.is_private:
        return "member" if user_id == chat.id else "left"
    if user_id in chat.admins:
        return "creator" if chat.admins and chat.admins[0] == user_id else "administrator"
    return "member" if user_id in chat.members else "left"


@api_method("getChatMember")
async def get_chat_member(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Return a user's membership in a chat."""
    chat = target_chat(core, params, writing=False)
    user_id = params.require_int("user_id", "user_id is empty")
    if user_id == bot.id:
        user: JsonDict = bot.api()
    elif user_id in core.world.users:
        user = core.world.users[user_id].api()
    else:
        raise bad_request("user not found")
    return chat_member(_member_status(chat, user_id, bot), user)


@api_method("getChatMemberCount")
async def get_chat_member_count(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Return how many members a chat has (the bot included)."""
    chat = target_chat(core, params, writing=False)
    return 2 if chat.is_private else len(chat.members) + int(chat.bot_member)


@api_method("getChatAdministrators")
async def get_chat_administrators(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Return the administrators of a group."""
    chat = target_chat(core, params, writing=False)
    if chat.is_private:
        raise bad_request("there are no administrators in the private chat")
    return [
        chat_member(_member_status(chat, uid, bot), core.world.users[uid].api())
        for uid in chat.admins
        if uid in core.world.users
    ]


@api_method("leaveChat")
async def leave_chat(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Make the bot leave a group."""
    chat = target_chat(core, params, writing=False)
    if chat.is_private:
        raise bad_request("chat member status can't be changed in private chats")
    if chat.bot_member:
        chat.bot_member = False
        core.push_my_chat_member(chat, bot.api(), "member", "left")
    return True


@api_method("answerCallbackQuery")
async def answer_callback_query(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Answer a button press (toast or alert), once, within the time limit."""
    query = core.world.callback_queries.get(params.get_str("callback_query_id") or "")
    expired = query is None or query.answer is not None
    if query is not None and time.monotonic() - query.created > core.rules.callback_query_ttl:
        expired = True
    if query is None or expired:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.get_str("text") or ""
    if len(text) > core.rules.max_callback_answer_length:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answer = {
        "text": text or None,
        "show_alert": params.get_bool("show_alert"),
        "url": params.get_str("url"),
        "cache_time": params.get_int("cache_time", 0),
    }
    core.world.notify()
    return True


@api_method("getFile")
async def get_file(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Return a File with the path to download it from."""
    stored = core.world.files.get(params.get_str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > core.rules.max_download_bytes:
        raise bad_request("file is too big")
    return stored.file_api()


@api_method("sendChatAction")
async def send_chat_action(core: SandboxCore, bot: BotIdentity, params: Params) -> object:
    """Record a chat action such as 'typing'."""
    action = check_chat_action(params.get_str("action"))
    chat = target_chat(core, params)
    core.world.chat_actions.append((chat.id, action, time.time()))
    core.world.notify()
    return True
