"""Threads, messages, events and delivery jobs: plain values, no I/O.

Times are timezone-aware UTC datetimes; `expires_at` on every row is what the
stores use as time to live (reads hide expired rows, a purge deletes them).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """Unguessable identifier (also used inside signed links, so never sequential)."""
    return uuid.uuid4().hex


class Status(StrEnum):
    RECEIVED = "received"  # stored, the mentee's address not yet proven
    CONFIRMED = "confirmed"  # address proven (or author authenticated by a signed link)
    PENDING = "pending"  # screened, waiting in the moderation queue
    APPROVED = "approved"  # a moderator let it through; a delivery job exists
    DELIVERED = "delivered"  # the e-mail to the other side went out
    REJECTED = "rejected"  # refused, with a reason that goes back to the author


class AgeBand(StrEnum):
    MINOR = "minor"  # 14 to 17: every message both ways is moderated, marked for everyone
    ADULT = "adult"  # 18 to 30


class Side(StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"


class ThreadState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # inactivity or the mentor closed it
    ERASED = "erased"  # bodies and address removed at the mentee's request


class JobState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # refused for good (bad address, bounce) or past its expiry
    CANCELLED = "cancelled"  # the thread was erased, or a moderator closed it


class JobKind(StrEnum):
    """Which e-mail a delivery job sends: every e-mail of the relay is a job of the outbox."""

    MESSAGE = "message"  # an approved message, to the other side
    CONFIRMATION = "confirmation"  # the link that proves a mentee's address
    PASSED_ON = "passed_on"  # tells the mentee their question went to the mentor
    REJECTION = "rejection"  # the reason a message was refused, to its author
    # Not about one message (message_id and thread_id name what they are about):
    APPLICATION = "application"  # the link that proves a mentor applicant's address
    THREADS_LINK = "threads_link"  # a mentee's link to all their conversations


#: Jobs whose e-mail is not about a thread's message (the postman composes them on their own).
STANDALONE_JOBS = frozenset({JobKind.APPLICATION})


@dataclass(frozen=True, slots=True)
class Thread:
    """One mentee, one mentor. The address only notifies: never shown, never logged."""

    id: str
    mentor: str
    lang: str
    pseudonym: str | None
    age_band: AgeBand
    region: str
    situation: str
    mentee_email: str | None
    created_at: datetime
    expires_at: datetime
    state: ThreadState = ThreadState.OPEN
    last_activity_at: datetime | None = None
    #: Salted hash of the address (tokens.mentee_key): finds a mentee's threads without it.
    mentee_key: str | None = None

    def __repr__(self) -> str:  # keeps the address out of tracebacks and logs
        return f"Thread(id={self.id!r}, mentor={self.mentor!r}, state={self.state!s})"


@dataclass(frozen=True, slots=True)
class Message:
    """A message as written (`body`, moderators only) and as it will be delivered."""

    id: str
    thread_id: str
    author: Side
    body: str | None
    delivered_text: str | None
    status: Status
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    flags: tuple[str, ...] = ()
    priority: int = 0
    version: int = 1
    reason: str | None = None  # rejection reason code (data/rejection_reasons.yaml)
    escalated: bool = False

    def __repr__(self) -> str:  # keeps the body out of tracebacks and logs
        return f"Message(id={self.id!r}, thread={self.thread_id!r}, status={self.status!s})"


@dataclass(frozen=True, slots=True)
class Event:
    """One line of the append-only audit log: who did what, when. Never personal data."""

    thread_id: str
    action: str
    actor: str
    at: datetime
    message_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=new_id)


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    """Outbox row written with the change that causes the e-mail; a worker leases it, sends it,
    marks it sent. `message_id` is the message it is about (a confirmation: the first one)."""

    id: str
    message_id: str
    thread_id: str
    recipient: Side
    created_at: datetime
    next_attempt_at: datetime
    expires_at: datetime
    state: JobState = JobState.QUEUED
    attempts: int = 0
    lease_owner: str | None = None
    lease_until: datetime | None = None
    last_error: str | None = None
    kind: JobKind = JobKind.MESSAGE
    permanent: bool = False  # failed because the mail service refused for good


@dataclass(frozen=True, slots=True)
class MentorContact:
    """A mentor's private address: lives only in the relay's store, never in the repository."""

    slug: str
    email: str
    paused: bool = False
    updated_at: datetime | None = None

    def __repr__(self) -> str:
        return f"MentorContact(slug={self.slug!r}, paused={self.paused})"


@dataclass(frozen=True, slots=True)
class MessageChanges:
    """What a transition may change besides the status (None = leave as is)."""

    delivered_text: str | None = None
    flags: tuple[str, ...] | None = None
    priority: int | None = None
    reason: str | None = None
    escalated: bool | None = None
    expires_at: datetime | None = None
