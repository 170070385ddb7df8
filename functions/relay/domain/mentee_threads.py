"""A mentee's conversations seen together: which of them to list, and what each one is at.

Only threads whose address was proven are listed: a question someone typed with
another person's address never shows up in that person's list.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from .models import Message, Side, Status, Thread, ThreadState

PASSED = (Status.APPROVED, Status.DELIVERED)


class ThreadStatus(StrEnum):
    """What the list says of one conversation, from the mentee's side."""

    IN_MODERATION = "in_moderation"  # the last word is the mentee's, not passed on yet
    WAITING_ANSWER = "waiting_answer"  # passed on to the mentor, no answer since
    ANSWERED = "answered"  # the mentor's answer is the last thing passed on
    NOT_PASSED = "not_passed"  # the first question was refused
    CLOSED = "closed"


def listed(thread: Thread, messages: Sequence[Message]) -> bool:
    """Whether the list shows this thread: not erased, and its address proven."""
    if thread.state == ThreadState.ERASED or not messages:
        return False
    return messages[0].status != Status.RECEIVED


def status_of(thread: Thread, messages: Sequence[Message]) -> ThreadStatus:
    """The one word the list shows for a thread (messages oldest first)."""
    if thread.state == ThreadState.CLOSED:
        return ThreadStatus.CLOSED
    if messages and messages[0].status == Status.REJECTED and len(messages) == 1:
        return ThreadStatus.NOT_PASSED
    last_passed = next((m for m in reversed(messages) if m.status in PASSED), None)
    waiting = any(
        m.author == Side.MENTEE and m.status in (Status.CONFIRMED, Status.PENDING) for m in messages
    )
    if waiting:
        return ThreadStatus.IN_MODERATION
    if last_passed is not None and last_passed.author == Side.MENTOR:
        return ThreadStatus.ANSWERED
    return ThreadStatus.WAITING_ANSWER
