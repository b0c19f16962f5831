"""Guided forms: steps in order, back, edit from the summary; each user's one open form,
kept in the conversations table (load, save, clear, dropped when idle)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import ClassVar, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.clock import Clock, utc_now
from bot.core.conversations import Conversation, ConversationStore, Flow
from bot.core.errors import UserError

FORM_IDLE = timedelta(hours=24)  # a form untouched this long is dropped (its writer is told)
Form = TypeVar("Form", bound=BaseModel)


class StepForm(BaseModel):
    """A form asked one step at a time; the last step of its order is the summary.

    Subclasses declare `step` (their Step enum) and say which steps they go through; the moves
    (advance, back, edit from the summary) are the same for every form.
    """

    model_config = ConfigDict(frozen=True)
    choose_error: ClassVar[str] = "button.stale"  # the UserError of a field that cannot be edited

    key: str
    step: StrEnum
    editing: bool = False  # a field opened from the summary: back to the summary after it
    started_at: datetime = Field(default_factory=utc_now)

    def order(self) -> Sequence[StrEnum]:
        """Return the steps this form goes through, in order, the summary last."""
        raise NotImplementedError

    def editable(self) -> Sequence[StrEnum]:
        """Return the steps the summary may reopen."""
        return ()

    def question_of(self, step: StrEnum) -> StrEnum:
        """Return the question a step belongs to (a sub-list belongs to its question)."""
        return step

    def position(self) -> StrEnum:
        """Return the step the form moves on from (the question of the current step)."""
        return self.question_of(self.step)

    def skips(self, step: StrEnum) -> bool:
        """Tell whether advancing passes over a step (already answered, say)."""
        return False

    def follow_up(self) -> StrEnum | None:
        """Return a step an answer given from the summary makes necessary, if any."""
        return None

    def advance(self) -> Self:
        """Move past the step just answered (back to the summary when editing a field)."""
        order = self.order()
        if self.editing:
            follow_up = self.follow_up()
            return self.model_copy(
                update={"step": follow_up or order[-1], "editing": follow_up is not None}
            )
        here = self.position()
        following = order[order.index(here) + 1 :] if here in order else order
        for step in following:
            if not self.skips(step):
                return self.model_copy(update={"step": step})
        return self.model_copy(update={"step": order[-1]})

    def back(self) -> Self:
        """Return to the previous step (from a sub-list to its question; to the summary when
        editing)."""
        question = self.question_of(self.step)
        if question != self.step:
            return self.model_copy(update={"step": question})
        order = self.order()
        if self.editing:
            return self.model_copy(update={"step": order[-1], "editing": False})
        if self.step not in order or order.index(self.step) == 0:
            return self.model_copy(update={"step": order[0]})
        return self.model_copy(update={"step": order[order.index(self.step) - 1]})

    def edit(self, step: StrEnum) -> Self:
        """Jump from the summary to a field, coming back to the summary after it."""
        if step not in self.editable():
            raise UserError(self.choose_error)
        return self.model_copy(update={"step": step, "editing": True})


class FormService:
    """Load, save and clear the one form a user has open; starting one replaces the last."""

    def __init__(self, store: ConversationStore, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    async def current(self, user_id: int) -> Conversation | None:
        """Return the user's open form (of any flow), if any."""
        return await self._store.get(user_id)

    async def load(self, user_id: int, flow: Flow, model: type[Form]) -> Form | None:
        """Return the user's form of this flow as a model; None if another (or none) is open."""
        return read_form(await self._store.get(user_id), flow, model)

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

    async def next_idle_at(self, keep: tuple[Flow, ...] = ()) -> datetime:
        """Return when the next open form falls idle (a day from now if none is open)."""
        oldest = await self._store.oldest_update(tuple(flow.value for flow in keep))
        soonest = self._clock() + FORM_IDLE
        return soonest if oldest is None else min(oldest + FORM_IDLE, soonest)

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


def read_form(conversation: Conversation | None, flow: Flow, model: type[Form]) -> Form | None:
    """Return a stored form of this flow as a model; None if it is another flow or unreadable."""
    if conversation is None or conversation.flow is not flow:
        return None
    try:
        return model.model_validate_json(conversation.data)
    except ValidationError:
        return None
