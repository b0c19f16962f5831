"""The bot's send budget: Telegram's flood limits, shared by replies to users and broadcasts.

Telegram allows about 30 messages a second overall and one a second per chat, and asks a bot
that goes faster to wait (429 with retry_after). Every message the bot sends is noted here, and
counts from the moment it is sent until a second after Telegram answered: the request reached
Telegram in between, however late, so the count never falls short of what Telegram sees (a
margin on the send time alone fails whenever a request is delayed longer than the margin).

Replies to users wait for their own chat's turn (one a second, and any 429 Telegram gave for
that chat alone), then for room in the window in the order their chats became ready: a chat
holds at most one place in that line, so a flooded chat never delays another chat's answers.
A broadcast takes a slot only when a reserve is left for replies, and a reply takes a freed
slot first, so a running broadcast never starves a conversation and the two together stay
under the overall limit.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

# Bot API methods that post or change a message, which Telegram's flood limits count.
SENDING_METHODS = frozenset(
    {
        "sendmessage", "senddocument", "sendphoto", "sendvideo", "sendaudio", "sendvoice",
        "sendanimation", "sendsticker", "sendlocation", "sendcontact", "sendmediagroup",
        "sendpoll", "senddice", "sendvenue", "sendvideonote", "copymessage", "copymessages",
        "forwardmessage", "forwardmessages", "editmessagetext", "editmessagecaption",
        "editmessagemedia", "editmessagereplymarkup",
    }
)  # fmt: skip
WINDOW = 1.001  # seconds in which at most `overall` messages go (Telegram's second, and a hair)
PER_CHAT_INTERVAL = 1.001  # seconds from Telegram's answer to the next message to that chat
IN_FLIGHT_WAIT = 0.005  # seconds to look again when only messages in flight fill the window
LANDING_WAIT = 0.01  # seconds to look again while the chat's last message is still in flight
CHAT_MEMORY = 20_000  # chats remembered before old entries are dropped
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Tempo:
    """Seconds as Telegram's limits count them: real ones, or `speed` times faster in a test
    (the emulator and the bot then share one tempo, and every limit holds in its seconds)."""

    speed: float = 1.0

    def monotonic(self) -> float:
        """Return the seconds elapsed on this tempo's clock."""
        return time.monotonic() * self.speed

    async def sleep(self, seconds: float) -> None:
        """Wait this many of the tempo's seconds."""
        await asyncio.sleep(seconds / self.speed)


REAL_TEMPO = Tempo()


class SendBudget:
    """The messages of the last second (in flight or answered), each chat's, and pauses."""

    def __init__(
        self,
        overall: float = 0.0,
        *,
        reserve: int = 1,
        window: float = WINDOW,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.overall = int(overall) if overall > 0 else 0  # 0: no overall limit
        self.reserve = min(max(reserve, 0), max(self.overall - 1, 0))
        self.window = window
        self._clock = clock
        self.sleep = sleep  # waits in the clock's seconds
        self._tokens = itertools.count(1)
        self._sends: dict[int, float] = {}  # token: when answered (inf while in flight)
        self._last: dict[int, float] = {}  # chat: when its last message was answered
        self._flying: dict[int, int] = {}  # chat: messages to it in flight
        self._paused_until = 0.0
        self._chat_paused: dict[int, float] = {}  # chat: until when Telegram asked to wait
        self._chat_locks: dict[int, tuple[asyncio.Lock, int]] = {}  # chat: lock, its users
        self._line: deque[asyncio.Event] = deque()  # chats ready, waiting for room, in order
        self.pauses = 0
        self.chat_pauses = 0

    def note(self, chat_id: int | None) -> int:
        """Count a message going out now; return the token to hand to done() when answered."""
        token = next(self._tokens)
        self._sends[token] = math.inf
        if chat_id is not None:
            self._flying[chat_id] = self._flying.get(chat_id, 0) + 1
        return token

    def done(self, token: int, chat_id: int | None) -> None:
        """Record that Telegram answered (or the request failed): it counts one more second."""
        now = self._clock()
        if token in self._sends:
            self._sends[token] = now
        if chat_id is not None:
            self._last[chat_id] = now
            self._landed(chat_id)
            if len(self._last) > CHAT_MEMORY:
                self._forget(now)
        self._trim(now)

    def cancel(self, token: int, chat_id: int | None) -> None:
        """Forget a message noted but not sent after all."""
        self._sends.pop(token, None)
        if chat_id is not None:
            self._landed(chat_id)

    def recent(self) -> int:
        """Return how many messages are in flight or were answered in the last window."""
        self._trim(self._clock())
        return len(self._sends)

    def room_wait(self, *, reply: bool = False) -> float:
        """Return how long a message must wait for room in the window (0: none).

        A broadcast leaves the reserve to replies: a reply waits only when the window is full,
        and then takes the first slot that frees, before any broadcast message.
        """
        if not self.overall:
            return 0.0
        now = self._clock()
        self._trim(now)
        allowed = self.overall - (0 if reply else self.reserve)
        excess = len(self._sends) - allowed
        if excess < 0:
            return 0.0
        answered = sorted(t for t in self._sends.values() if t != math.inf)
        if excess >= len(answered):
            return IN_FLIGHT_WAIT  # the window is full of messages still in flight
        return max(answered[excess] + self.window - now, 0.0)

    def chat_wait(self, chat_id: int) -> float:
        """Return how long until this chat may get another message (0: now)."""
        if chat_id in self._flying:
            return PER_CHAT_INTERVAL
        last = self._last.get(chat_id)
        turn = 0.0 if last is None else last + PER_CHAT_INTERVAL - self._clock()
        return max(turn, self._chat_pause(chat_id), 0.0)

    def _chat_pause(self, chat_id: int | None) -> float:
        """Return how long Telegram asked to wait before this chat's next message (0: none)."""
        if chat_id is None or chat_id not in self._chat_paused:
            return 0.0
        return max(self._chat_paused[chat_id] - self._clock(), 0.0)

    def pause_chat(self, chat_id: int, seconds: float) -> None:
        """Stop sending to this one chat for as long as Telegram asked (others go on)."""
        until = self._clock() + seconds
        self._chat_paused[chat_id] = max(self._chat_paused.get(chat_id, 0.0), until)
        self.chat_pauses += 1
        if len(self._chat_paused) > CHAT_MEMORY:
            self._forget(self._clock())

    def pause(self, seconds: float) -> None:
        """Stop all sending for as long as Telegram asked."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        self.pauses += 1

    def paused_for(self) -> float:
        """Return how long sending stays paused (0: not paused)."""
        return max(self._paused_until - self._clock(), 0.0)

    async def reply_slot(self, chat_id: int | None) -> int:
        """Wait for a reply's turn in its chat, then for room; note it and return its token.

        The replies to one chat go one at a time, in order. A chat gets in line for the
        window's room only once its own turn has come, so each chat holds at most one place.
        With no overall limit (0), a reply waits only for a pause Telegram asked for.
        """
        if not self.overall:
            wait = max(self.paused_for(), self._chat_pause(chat_id))
            if wait > 0:
                await self.sleep(wait)
            return self.note(chat_id)
        if chat_id is None:
            await self._room_turn()
            return self.note(None)
        lock, users = self._chat_locks.get(chat_id, (asyncio.Lock(), 0))
        self._chat_locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                while True:
                    await self._chat_turn(chat_id)
                    await self._room_turn()
                    if self.chat_wait(chat_id) <= 0:  # no broadcast took the chat meanwhile
                        return self.note(chat_id)
        finally:
            lock, users = self._chat_locks[chat_id]
            if users > 1:
                self._chat_locks[chat_id] = (lock, users - 1)
            else:
                del self._chat_locks[chat_id]

    async def _chat_turn(self, chat_id: int) -> None:
        """Wait until the chat may get a message (its last one landed a second ago)."""
        while True:
            wait = self.chat_wait(chat_id)
            if wait <= 0:
                return
            await self.sleep(LANDING_WAIT if chat_id in self._flying else wait)

    async def _room_turn(self) -> None:
        """Wait, in line behind the chats ready before, for no pause and room in the window."""
        mine = asyncio.Event()
        self._line.append(mine)
        if self._line[0] is mine:
            mine.set()
        try:
            await mine.wait()
            while True:
                left = max(self.paused_for(), self.room_wait(reply=True))
                if left <= 0:
                    return
                await self.sleep(left)
        finally:
            first = self._line[0] is mine
            self._line.remove(mine)
            if first and self._line:
                self._line[0].set()

    def _landed(self, chat_id: int) -> None:
        left = self._flying.get(chat_id, 0) - 1
        if left > 0:
            self._flying[chat_id] = left
        else:
            self._flying.pop(chat_id, None)

    def _trim(self, now: float) -> None:
        expired = [token for token, t in self._sends.items() if t <= now - self.window]
        for token in expired:
            del self._sends[token]

    def _forget(self, now: float) -> None:
        self._last = {c: t for c, t in self._last.items() if t > now - PER_CHAT_INTERVAL}
        self._chat_paused = {c: t for c, t in self._chat_paused.items() if t > now}


class Pace:
    """Evenly spaced slots at a rate; a slot taken a little late keeps the cadence."""

    def __init__(self, rate: float, clock: Clock = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._clock = clock
        self._next = 0.0

    def wait(self) -> float:
        """Return how long until the next slot (0: now)."""
        return max(self._next - self._clock(), 0.0)

    def take(self) -> None:
        """Use the current slot."""
        now = self._clock()
        on_time = now - self._next < self.interval  # else idle: start afresh from now
        self._next = (self._next if on_time else now) + self.interval
