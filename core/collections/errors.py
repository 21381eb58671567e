"""What a collector's write may be refused with; each message is French, for the screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.collections.workflow import FollowUp


class CollectionError(ValueError):
    """A write the workspace refuses; `str(error)` is the French explanation."""


class RefusedTransition(CollectionError):
    """The status change is not in the workflow, or a field it needs is missing or invalid."""


class NotInScope(CollectionError):
    """No such invoice or customer in the user's scope (the same answer for both: nothing leaks)."""


class StaleWrite(CollectionError):
    """Someone changed the invoice since the user read it; nothing was written.

    `current` is the invoice's follow-up as it is now, for the page to show."""

    def __init__(self, message: str, current: FollowUp) -> None:
        super().__init__(message)
        self.current = current
