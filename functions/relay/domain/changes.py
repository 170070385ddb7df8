"""How a message changes: one rule for every store (the adapters only write the result)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from .models import Message, MessageChanges, Status
from .states import check_transition


def apply_changes(
    current: Message, status: Status, changes: MessageChanges | None, now: datetime
) -> Message:
    """The message after a change: new status (checked), version + 1, the given fields replaced."""
    if status != current.status:
        check_transition(current.status, status)
    c = changes or MessageChanges()
    return replace(
        current,
        status=Status(status),
        version=current.version + 1,
        updated_at=now,
        delivered_text=current.delivered_text if c.delivered_text is None else c.delivered_text,
        flags=current.flags if c.flags is None else tuple(c.flags),
        priority=current.priority if c.priority is None else c.priority,
        reason=current.reason if c.reason is None else c.reason,
        escalated=current.escalated if c.escalated is None else c.escalated,
        expires_at=current.expires_at if c.expires_at is None else c.expires_at,
    )


def check_expected(current: Message, status: Status | None, version: int) -> None:
    """The compare part of compare-and-set: Conflict unless the message is as the caller saw it."""
    from .errors import Conflict

    if (status is not None and current.status != status) or current.version != version:
        raise Conflict(
            f"message {current.id} is {current.status} v{current.version},"
            f" not {status or current.status} v{version}"
        )
