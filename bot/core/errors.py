"""The errors every capability shares: what a user did wrong, and a flow that is gone."""

from __future__ import annotations


class UserError(ValueError):
    """An answer the bot does not take; `reason` is the catalog key that explains why."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


class NoDraft(Exception):
    """The user has no form in progress (it was submitted, cancelled or dropped)."""
