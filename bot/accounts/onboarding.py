"""The onboarding questions, their order and which answers each one takes."""

from __future__ import annotations

from enum import StrEnum

from bot.core.errors import UserError
from bot.core.users import BusinessRole, BusinessSize, Language, WomenLed

ORGANISATION_MAX_LENGTH = 200


class Step(StrEnum):
    """One onboarding question."""

    LANGUAGE = "language"
    ROLE = "role"
    ORGANISATION = "organisation"
    SIZE = "size"
    WOMEN_LED = "women_led"
    PRIVACY = "privacy"


ORDER: tuple[Step, ...] = tuple(Step)
# Questions about the trader's business: staff who joined through an invite skip them.
TRADER_STEPS: frozenset[Step] = frozenset({Step.ROLE, Step.SIZE, Step.WOMEN_LED})

# The answers a button step accepts; None means the step takes typed text (or skip).
CHOICES: dict[Step, tuple[str, ...] | None] = {
    Step.LANGUAGE: tuple(Language),
    Step.ROLE: tuple(BusinessRole),
    Step.ORGANISATION: None,
    Step.SIZE: tuple(BusinessSize),
    Step.WOMEN_LED: tuple(WomenLed),
    Step.PRIVACY: ("accept", "decline"),
}

SKIP = "skip"


def next_step(step: Step, *, staff: bool = False) -> Step | None:
    """Return the question after this one, or None after the last (staff skip the trader's
    business questions)."""
    following = ORDER[ORDER.index(step) + 1 :]
    return next((s for s in following if not (staff and s in TRADER_STEPS)), None)


def resume_step(step: Step | None, *, staff: bool = False) -> Step | None:
    """Return the question to ask now: a staff member waiting at a trader's question moves on."""
    if step is None or not (staff and step in TRADER_STEPS):
        return step
    return next_step(step, staff=True)


def parse_step(value: str | None) -> Step | None:
    """Return the stored step as a Step, or None when onboarding is complete."""
    return Step(value) if value else None


def check_choice(step: Step, answer: str) -> str:
    """Return the answer if this step offers it as a button, else raise UserError."""
    choices = CHOICES[step]
    if choices is None:
        if answer == SKIP:
            return answer
        raise UserError("onboarding.error_type_organisation")
    if answer not in choices:
        raise UserError("onboarding.error_choose_button")
    return answer


def clean_organisation(text: str) -> str:
    """Return a typed organisation name tidied up, or raise UserError."""
    name = " ".join(text.split())
    if not name:
        raise UserError("onboarding.error_type_organisation")
    if len(name) > ORGANISATION_MAX_LENGTH:
        raise UserError("onboarding.error_organisation_too_long", limit=ORGANISATION_MAX_LENGTH)
    return name
