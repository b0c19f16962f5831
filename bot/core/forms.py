"""Forms in progress: each user's one open form, kept in the conversations table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from bot.core.conversations import Conversation, ConversationStore, Flow

FORM_IDLE = timedelta(hours=24)  # a form untouched this long is dropped (its writer is told)
Form = TypeVar("Form", bound=BaseModel)


def _now() -> datetime:
    return datetime.now(UTC)


class FormService:
    """Load, save and clear the one form a user has open; starting one replaces the last."""

    def __init__(self, store: ConversationStore, clock: Callable[[], datetime] = _now) -> None:
        self._store = store
        self._clock = clock

    async def current(self, user_id: int) -> Conversation | None:
        """Return the user's open form (of any flow), if any."""
        return await self._store.get(user_id)

    async def load(self, user_id: int, flow: Flow, model: type[Form]) -> Form | None:
        """Return the user's form of this flow as a model; None if another (or none) is open."""
        return parse(await self._store.get(user_id), flow, model)

    async def raw(self, user_id: int, flow: Flow) -> str | None:
        """Return the data of the user's form of this flow; None if another (or none) is open."""
        conversation = await self._store.get(user_id)
        if conversation is None or conversation.flow is not flow:
            return None
        return conversation.data

    async def save(self, user_id: int, flow: Flow, data: BaseModel | str) -> None:
        """Store the user's form (replacing whatever form was open)."""
        text = data if isinstance(data, str) else data.model_dump_json()
        await self._store.save(user_id, flow, text)

    async def clear(self, user_id: int) -> bool:
        """Drop the user's open form; tell whether there was one."""
        return await self._store.clear(user_id)

    async def clear_flow(self, user_id: int, flow: Flow) -> bool:
        """Drop the user's form only if it is of this flow; tell whether it was."""
        conversation = await self._store.get(user_id)
        if conversation is None or conversation.flow is not flow:
            return False
        return await self._store.clear_if_unchanged(conversation)

    async def drop_idle(
        self, idle: timedelta = FORM_IDLE, keep: tuple[Flow, ...] = ()
    ) -> list[Conversation]:
        """Drop forms untouched for longer than `idle` (but those of `keep`); return them."""
        dropped = []
        for conversation in await self._store.idle_since(self._clock() - idle):
            if conversation.flow in keep:
                continue
            if await self._store.clear_if_unchanged(conversation):
                dropped.append(conversation)
        return dropped


def parse(conversation: Conversation | None, flow: Flow, model: type[Form]) -> Form | None:
    """Return a stored form of this flow as a model; None if it is another flow or unreadable."""
    if conversation is None or conversation.flow is not flow:
        return None
    try:
        return model.model_validate_json(conversation.data)
    except ValidationError:
        return None
