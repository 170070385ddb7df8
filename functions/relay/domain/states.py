"""The message state machine, in one table so every adapter enforces the same moves."""

from __future__ import annotations

from .errors import InvalidTransition
from .models import Status

#: received -> confirmed -> pending -> approved -> delivered, or rejected with a reason.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.CONFIRMED, Status.REJECTED}),
    Status.CONFIRMED: frozenset({Status.PENDING, Status.REJECTED}),
    Status.PENDING: frozenset({Status.APPROVED, Status.REJECTED}),
    Status.APPROVED: frozenset({Status.DELIVERED}),
    Status.DELIVERED: frozenset(),
    Status.REJECTED: frozenset(),
}


def check_transition(current: Status, target: Status) -> None:
    """Raise InvalidTransition unless `current -> target` is an allowed move."""
    if target not in TRANSITIONS[Status(current)]:
        raise InvalidTransition(str(current), str(target))
