"""Errors a user can cause, carrying a message in the user's language."""

from __future__ import annotations


class UserError(Exception):
    """An operation refused for a reason the user can understand and act on."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
