"""The emulated Telegram server without HTTP: state, rules, faults, records and people."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterable

from bot.sandbox import methods_bot, methods_messages  # noqa: F401  (registers the methods)
from bot.sandbox.errors import (
    ApiError,
    JsonDict,
    not_found,
    too_many_requests,
    unauthorized,
    unix_now,
)
from bot.sandbox.faults import (
    ApiCall,
    DroppedConnection,
    Faults,
    Limits,
    Rejection,
    Stats,
)
from bot.sandbox.files import StoredFile
from bot.sandbox.params import Params
from bot.sandbox.registry import METHODS, BotIdentity, Reply
from bot.sandbox.rules import Rules, parse_scope
from bot.sandbox.state import ChatState, UserState, World, chat_member
from bot.sandbox.updates import UpdateHub, WebhookDelivery
from bot.sandbox.users import SimChat, SimUser
from bot.sandbox.views import BotMessage

TOKEN_PATTERN = re.compile(r"^(\d+):[A-Za-z0-9_-]+$")
FIRST_USER_ID = 5_000_001
FIRST_GROUP_ID = -4_000_000_001
FIRST_SUPERGROUP_ID = -1_002_000_000_001
FIRST_CHANNEL_ID = -1_003_000_000_001


class SandboxCore:
    """Everything the emulated Bot API does, callable in-process via ``invoke``."""

    def __init__(
        self,
        *,
        bot_username: str = "customs_feedback_bot",
        bot_first_name: str = "Customs Feedback Bot",
        tokens: Iterable[str] | None = None,
        limits_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Create an empty world; ``tokens`` restricts which bot tokens are valid;
        ``limits_clock`` is the seconds the flood limits count in (a test's may run faster)."""
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.tokens = set(tokens) if tokens is not None else None
        self.world = World()
        self.stats = Stats()
        self.hub = UpdateHub(self.world.signal, self.stats)
        self.hub.on_webhook_reply = self._webhook_reply
        self.hub.on_activity = self._touch
        self.rules = Rules()
        self.faults = Faults()
        self.limits = Limits()
        self.limits_clock = limits_clock
        self.calls: list[ApiCall] = []
        self.rejections: list[Rejection] = []
        self.thumbnails: dict[str, StoredFile] = {}
        self.sim_users: dict[int, SimUser] = {}
        self.sim_chats: dict[int, SimChat] = {}
        self.last_token: str | None = None
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._next_user_id = FIRST_USER_ID
        self._next_group = 0
        self._next_channel = 0

    # ----------------------------------------------------------------- identity

    def identity(self, token: str) -> BotIdentity:
        """Return the bot a token belongs to, or raise 401 Unauthorized."""
        match = TOKEN_PATTERN.match(token)
        if match is None or (self.tokens is not None and token not in self.tokens):
            raise unauthorized()
        return BotIdentity(int(match.group(1)), self.bot_username, self.bot_first_name)

    @property
    def bot(self) -> BotIdentity:
        """Return the identity of the bot that called last (a placeholder before any call)."""
        if self.last_token is None:
            return BotIdentity(1, self.bot_username, self.bot_first_name)
        return self.identity(self.last_token)

    # ------------------------------------------------------------------ calling

    async def invoke(
        self,
        token: str,
        method: str,
        params: Params,
        *,
        client_gone: Callable[[], bool] | None = None,
    ) -> Reply:
        """Run one Bot API call with faults, latency and limits; record it; return the reply."""
        spec = METHODS.get(method.lower())
        name = spec.name if spec else method
        polling = name == "getUpdates"
        started = time.time()
        self.stats.calls[name] += 1
        if not polling:
            self._busy(+1)
        try:
            bot = self.identity(token)
            self.last_token = token
            if spec is None:
                raise not_found()
            await self._before(name, params)
            outcome = await spec.func(self, bot, params)
        except ApiError as error:
            gone = client_gone() if client_gone else False
            self._record(name, params, started, error, ignored=gone)
            raise
        except DroppedConnection:
            self._record(name, params, started, ApiError(0, "connection dropped", injected=True))
            raise
        except asyncio.CancelledError:
            self._record(name, params, started, ApiError(0, "cancelled: client went away"), True)
            raise
        except Exception as exc:
            failure = ApiError(500, f"Internal Server Error: emulator failure: {exc!r}")
            self._record(name, params, started, failure)
            raise failure from exc
        finally:
            if not polling:
                self._busy(-1)
        reply = outcome if isinstance(outcome, Reply) else Reply(outcome)
        self.calls.append(ApiCall(name, params.record(), True, started, time.time() - started))
        return reply

    async def _before(self, name: str, params: Params) -> None:
        """Apply latency, injected faults and flood control before running a method."""
        delay = self.faults.delay_for(name)
        if delay > 0:
            await asyncio.sleep(delay)
        chat_id = params.raw("chat_id")
        fault = self.faults.take(name, chat_id)
        if fault is not None:
            self.stats.injected_faults += 1
            if fault.disconnect:
                raise DroppedConnection(name)
            raise fault.error()
        chat = self.world.resolve_chat(chat_id) if chat_id not in (None, "") else None
        group = chat is not None and not chat.is_private
        retry_after = self.limits.check(name, chat_id, self.limits_clock(), group=group)
        if retry_after is not None:
            self.stats.rate_limited += 1
            raise too_many_requests(retry_after, injected=True)

    def _busy(self, delta: int) -> None:
        self._inflight += delta
        self._touch()
        self.world.notify()

    def _touch(self) -> None:
        """Remember that something happened now (for :meth:`idle`)."""
        self._last_activity = time.monotonic()

    def _record(
        self, name: str, params: Params, started: float, error: ApiError, ignored: bool = False
    ) -> None:
        """Record a failed call; rejections skip calls whose client had already gone."""
        record = params.record()
        self.calls.append(
            ApiCall(
                name,
                record,
                False,
                started,
                time.time() - started,
                error.error_code,
                error.description,
                error.injected,
            )
        )
        if ignored or (error.error_code == 0 and not error.injected):
            return
        self.rejections.append(
            Rejection(name, record, error.error_code, error.description, error.injected)
        )
        self.stats.rejections += 1
        if error.error_code == 429:
            self.stats.too_many_requests += 1

    async def _webhook_reply(self, payload: JsonDict) -> None:
        """Execute a method returned in a webhook response body."""
        if self.last_token is None:
            return
        values = {k: v for k, v in payload.items() if k != "method"}
        try:
            await self.invoke(self.last_token, str(payload["method"]), Params(values))
        except (ApiError, DroppedConnection):
            return  # recorded in rejections like any other call

    @property
    def violations(self) -> list[Rejection]:
        """Return rejections caused by the bot breaking Telegram's rules (not injected)."""
        return [r for r in self.rejections if not r.injected]

    def assert_no_violations(self) -> None:
        """Fail with every rule violation if the bot made any."""
        if self.violations:
            lines = "\n".join(
                f"  {r.method} -> {r.error_code} {r.description} params={r.params}"
                for r in self.violations
            )
            raise AssertionError(f"the bot made {len(self.violations)} rejected call(s):\n{lines}")

    # ------------------------------------------------------------------- people

    def add_user(
        self,
        first_name: str = "User",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        *,
        id: int | None = None,
        started: bool = True,
        is_premium: bool = False,
    ) -> SimUser:
        """Create a simulated user and their private chat with the bot."""
        user_id = id if id is not None else self._next_user_id
        self._next_user_id = max(self._next_user_id, user_id + 1)
        state = UserState(
            user_id,
            first_name,
            last_name,
            username,
            language_code,
            is_premium=is_premium,
            started=started,
        )
        self.world.users[user_id] = state
        self.world.chats[user_id] = ChatState(
            user_id, "private", username=username, first_name=first_name, last_name=last_name
        )
        sim = SimUser(self, state)
        self.sim_users[user_id] = sim
        return sim

    def add_group(
        self,
        title: str,
        members: Iterable[SimUser] = (),
        *,
        id: int | None = None,
        supergroup: bool = True,
        username: str | None = None,
        admins: Iterable[SimUser] = (),
        bot_is_admin: bool = False,
        forum: bool = False,
    ) -> SimChat:
        """Create a group (or supergroup, or a forum: a supergroup with topics) that already has
        the bot as a member."""
        if forum and not supergroup:
            raise ValueError("only a supergroup can be a forum")
        self._next_group += 1
        first = FIRST_SUPERGROUP_ID if supergroup else FIRST_GROUP_ID
        chat_id = id if id is not None else first - (self._next_group - 1)
        chat = ChatState(
            chat_id,
            "supergroup" if supergroup else "group",
            title=title,
            username=username,
            members=[user.id for user in members],
            admins=[user.id for user in admins],
            bot_admin=bot_is_admin,
            is_forum=forum,
        )
        for admin in chat.admins:
            if admin not in chat.members:
                chat.members.append(admin)
        self.world.chats[chat_id] = chat
        sim = SimChat(self, chat)
        self.sim_chats[chat_id] = sim
        return sim

    def add_channel(
        self,
        title: str,
        *,
        id: int | None = None,
        username: str | None = None,
        bot_is_admin: bool = True,
    ) -> SimChat:
        """Create a channel the bot is a member of (an admin, by default: who may post)."""
        self._next_channel += 1
        chat_id = id if id is not None else FIRST_CHANNEL_ID - (self._next_channel - 1)
        chat = ChatState(chat_id, "channel", title=title, username=username,
                         bot_admin=bot_is_admin)  # fmt: skip
        self.world.chats[chat_id] = chat
        sim = SimChat(self, chat)
        self.sim_chats[chat_id] = sim
        return sim

    def user(self, user_id: int) -> SimUser:
        """Return the simulated user with this id."""
        return self.sim_users[user_id]

    # ------------------------------------------------------------------ updates

    def push_update(self, update: JsonDict) -> JsonDict:
        """Queue a raw update dict (``update_id`` is filled in if missing) and return it."""
        return self.hub.push(update)

    @property
    def updates(self) -> list[JsonDict]:
        """Return every update ever queued for the bot, oldest first."""
        return list(self.hub.history)

    def push_my_chat_member(
        self, chat: ChatState, actor: JsonDict, old_status: str, new_status: str
    ) -> JsonDict:
        """Queue a ``my_chat_member`` update about the bot's status in a chat."""
        bot_user = self.bot.api()
        return self.push_update(
            {
                "my_chat_member": {
                    "chat": chat.api(),
                    "from": actor,
                    "date": unix_now(),
                    "old_chat_member": chat_member(old_status, bot_user),
                    "new_chat_member": chat_member(new_status, bot_user),
                }
            }
        )

    # ------------------------------------------------------------------ reading

    def sent_to(
        self, chat: int | SimUser | SimChat, *, include_deleted: bool = False
    ) -> list[BotMessage]:
        """Return the bot's messages in a chat (current versions), oldest first."""
        chat_id = chat if isinstance(chat, int) else chat.id
        states = self.world.chat_messages(chat_id, include_deleted=include_deleted)
        return [BotMessage.from_state(state, self.world.files) for state in states]

    def commands(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        """Return the commands set for exactly this scope and language (default scope: all)."""
        key, _ = parse_scope(scope)
        return list(self.world.commands.get((key, language_code), []))

    def menu_button(self, chat: int | SimUser | None = None) -> JsonDict:
        """Return the menu button of a private chat (or the default one)."""
        default = self.world.default_menu_button
        if chat is None:
            return default
        state = self.world.chats[chat if isinstance(chat, int) else chat.id]
        return state.menu_button or default

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Return every attempt to POST an update to the webhook, with its HTTP status."""
        return list(self.hub.deliveries)

    def chat_actions(self, chat: int | SimUser | SimChat) -> list[str]:
        """Return the chat actions (e.g. 'typing') the bot sent to a chat, in order."""
        chat_id = chat if isinstance(chat, int) else chat.id
        return [action for cid, action, _ in self.world.chat_actions if cid == chat_id]

    def _activity_since(self, busy: Callable[[], bool]) -> Callable[[], bool]:
        """Return a predicate that turns true on any activity after now."""
        mark = self._last_activity
        return lambda: busy() or self._last_activity != mark

    async def idle(self, quiet: float = 0.2, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until every update reached the bot and no API call happened for ``quiet`` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        signal = self.world.signal

        def busy() -> bool:
            return self._inflight > 0 or not self.hub.quiet

        while True:
            if not await signal.wait_until(lambda: not busy(), deadline - loop.time()):
                raise AssertionError(
                    f"the bot did not go quiet within {timeout} s: {self._inflight} call(s) "
                    f"in flight, {len(self.hub.undelivered)} update(s) not fetched yet"
                )
            elapsed = time.monotonic() - self._last_activity
            if elapsed >= quiet:
                return
            if not await signal.wait_until(self._activity_since(busy), quiet - elapsed):
                return
