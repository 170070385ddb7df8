"""The relay's ports. Adapters: store/sqlite.py, store/dynamodb.py, mail/outbox.py, mail/ses.py.

Every Store method takes `now` explicitly (no hidden clock) so the contract suite
(tests/test_store_contract.py) can test expiry, leases and windows exactly.
Every row has an `expires_at`; reads behave as if expired rows did not exist
(raising `Expired`, a `NotFound`, for a direct lookup) and `purge` deletes them.

Writes that change state are atomic with their audit event(s) and the
outbox jobs they cause: either all are stored, or none is. Adapters decide
no rule: the domain (relay.domain) does, and they write what it decided.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol, runtime_checkable

from .domain import (
    DeliveryJob,
    Event,
    JobState,
    MentorContact,
    Message,
    MessageChanges,
    Status,
    Thread,
)
from .domain.applications import Application, ApplicationState
from .domain.idempotency import IdempotencyRecord

#: The time, as an aware UTC datetime (tests move it).
Clock = Callable[[], datetime]


@runtime_checkable
class Store(Protocol):
    # --- threads and messages -------------------------------------------------------------

    def create_thread(
        self,
        thread: Thread,
        message: Message,
        event: Event,
        *,
        idempotency_key: str,
        fingerprint: str,
        now: datetime,
        jobs: Sequence[DeliveryJob] = (),
    ) -> tuple[Thread, Message, bool]:
        """Store a new thread, its first message, its event and its jobs in one transaction.

        Returns (thread, message, created). If `idempotency_key` was already used
        (and has not expired) with the same `fingerprint`, nothing is written and
        the originally stored thread and message come back with created=False;
        with a different fingerprint, raises IdempotencyMismatch. Two concurrent
        first uses of one key store one thread; the other gets created=False.
        """
        ...

    def append_message(
        self,
        message: Message,
        event: Event,
        *,
        idempotency_key: str,
        fingerprint: str,
        now: datetime,
    ) -> tuple[Message, bool]:
        """Add a message to an existing, open, unexpired thread (same idempotency rules).

        Raises NotFound/Expired if the thread is gone, Conflict if it is not open.
        Touches the thread's `last_activity_at`.
        """
        ...

    def find_idempotent(self, key: str, *, now: datetime) -> IdempotencyRecord | None:
        """The unexpired record of an idempotency key, or None (read only)."""
        ...

    def get_thread(self, thread_id: str, *, now: datetime) -> Thread:
        """Raises NotFound, or Expired when its expires_at <= now."""
        ...

    def get_message(self, message_id: str, *, now: datetime) -> Message:
        """Raises NotFound, or Expired when its expires_at <= now."""
        ...

    def list_messages(self, thread_id: str, *, now: datetime) -> list[Message]:
        """Unexpired messages of a thread, oldest first."""
        ...

    def transition(
        self,
        message_id: str,
        *,
        expected_status: Status,
        expected_version: int,
        new_status: Status,
        events: Sequence[Event],
        now: datetime,
        changes: MessageChanges | None = None,
        jobs: Sequence[DeliveryJob] = (),
        thread_expires_at: datetime | None = None,
    ) -> Message:
        """Compare-and-set a message's status; write events and jobs in the same transaction.

        Checks the state machine first (InvalidTransition). Succeeds only if the
        stored message still has `expected_status` and `expected_version`;
        otherwise raises Conflict and writes nothing (the loser of a race).
        Increments `version`, sets `updated_at = now`, applies `changes`.
        `jobs` is the outbox: the e-mails this change causes, stored with it.
        `thread_expires_at` (if given) replaces the thread's expiry and the
        expiry of all its messages and jobs (e.g. a confirmed question lives longer).
        Raises NotFound/Expired if the message is gone.
        """
        ...

    def revise_message(
        self,
        message_id: str,
        *,
        expected_version: int,
        changes: MessageChanges,
        events: Sequence[Event],
        now: datetime,
    ) -> Message:
        """Compare-and-set on version only, status unchanged (escalate). Conflict if stale."""
        ...

    def set_thread_state(
        self,
        thread_id: str,
        *,
        expected: str,
        new: str,
        events: Sequence[Event],
        now: datetime,
    ) -> Thread:
        """Compare-and-set a thread's state (open -> closed). Conflict if it was not `expected`."""
        ...

    def erase_thread(self, thread_id: str, *, events: Sequence[Event], now: datetime) -> Thread:
        """Remove bodies, delivered texts, pseudonym and address; keep ids, statuses and events.

        State becomes `erased`; queued delivery jobs become `cancelled`. Idempotent:
        erasing an erased thread is not an error. NotFound if it never existed.
        No copy of the erased values stays in the store's files (SQLite: secure
        delete and a WAL checkpoint).
        """
        ...

    def events(self, thread_id: str) -> list[Event]:
        """The audit log of a thread, oldest first (kept after erasure)."""
        ...

    def queue(self, *, now: datetime, limit: int = 50) -> list[Message]:
        """Unexpired `pending` messages: highest priority first, then oldest first."""
        ...

    def count_open_threads(self, mentor: str, *, now: datetime) -> int:
        """Open, unexpired threads of a mentor that have a message past `received`: what
        domain.capacity counts (an unconfirmed question never takes a mentor's place)."""
        ...

    def open_thread_counts(self, mentors: Sequence[str], *, now: datetime) -> dict[str, int]:
        """`count_open_threads` for many mentors at once (the availability map): every slug
        asked for is in the answer, 0 when it has no open thread."""
        ...

    def list_threads(self, *, now: datetime) -> list[Thread]:
        """Every unexpired thread, oldest first: read-only, for the operators' report
        (on DynamoDB a Scan, so never on a request path)."""
        ...

    def inactive_threads(
        self, *, before: datetime, now: datetime, limit: int = 500
    ) -> list[Thread]:
        """Open, unexpired threads whose `last_activity_at` is earlier than `before`,
        least recently active first (the inactivity sweep; an index read, never a Scan)."""
        ...

    def mentee_threads(self, mentee_key: str, *, now: datetime) -> list[Thread]:
        """Unexpired, unerased threads whose `mentee_key` is this salted hash, newest first
        (an index read; erasure removes a thread's key with its address)."""
        ...

    # --- delivery outbox -------------------------------------------------------------------

    def claim_jobs(
        self, *, owner: str, now: datetime, lease: timedelta, limit: int = 10
    ) -> list[DeliveryJob]:
        """Lease up to `limit` queued jobs due now (next_attempt_at <= now) and not leased
        (lease_until is None or <= now). Each returned job has lease_owner=owner,
        lease_until=now+lease, attempts+1. Two workers never get the same job."""
        ...

    def complete_job(self, job_id: str, *, owner: str, event: Event, now: datetime) -> DeliveryJob:
        """Mark the job sent and, for a `message` job, its message `delivered`, once.

        Raises LeaseLost if `owner` no longer holds a live lease, Conflict if the
        job is already sent.
        """
        ...

    def fail_job(
        self,
        job_id: str,
        *,
        owner: str,
        error: str,
        retry_at: datetime | None,
        event: Event,
        now: datetime,
        permanent: bool = False,
    ) -> DeliveryJob:
        """Release the lease; retry at `retry_at`, or state `failed` when retry_at is None
        (then `next_attempt_at` records when it failed: `now`; `permanent` says the mail
        service refused for good).

        `error` is a short code, never personal data. LeaseLost as for complete_job.
        """
        ...

    def set_job_state(
        self, job_id: str, *, expected: JobState, new: JobState, events: Sequence[Event],
        now: datetime,
    ) -> DeliveryJob:  # fmt: skip
        """A moderator's resend (-> queued, due now) or close (-> cancelled), with its events.

        Conflict if the job is not in `expected` or a worker holds a live lease on it.
        """
        ...

    def enqueue(self, job: DeliveryJob, event: Event, *, now: datetime) -> None:
        """Store one more job about an existing, unexpired thread, with its event (one write).

        NotFound/Expired if the thread is gone. The job is then one of `jobs_of(thread)`.
        """
        ...

    def get_job(self, job_id: str) -> DeliveryJob: ...

    def jobs_of(self, thread_id: str) -> list[DeliveryJob]:
        """Every job of a thread, oldest first."""
        ...

    def troubled_jobs(
        self, *, now: datetime, stuck_after: int, limit: int = 200
    ) -> list[DeliveryJob]:
        """Unexpired jobs that failed, or are still queued after `stuck_after` attempts,
        the latest first (by `next_attempt_at`): the moderators' undeliverable list."""
        ...

    # --- rate limits -----------------------------------------------------------------------

    def hit(self, bucket: str, key_hash: str, *, window: timedelta, now: datetime) -> int:
        """Count one hit in the fixed window containing `now` and return the new count.

        Windows are domain.windows.window_start(now, window). `key_hash` is
        already a salted hash. The counter row expires at the window's end.
        """
        ...

    def hits(self, counters: Sequence[tuple[str, str, timedelta]], *, now: datetime) -> list[int]:
        """`hit` for several (bucket, key_hash, window) at once (SQLite: one transaction)."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """Group the writes made inside into one transaction where the store can (SQLite:
        one lock, one commit for a request's counters and thread); on DynamoDB each write
        stays atomic on its own. If an exception leaves it, the writes made inside may or
        may not be kept: callers let only unexpected errors escape."""
        ...

    # --- mentors' private contacts ---------------------------------------------------------

    def set_mentor_contact(self, contact: MentorContact) -> None:
        """Create or replace (keeps nothing else)."""
        ...

    def get_mentor_contact(self, slug: str) -> MentorContact:
        """Raises NotFound."""
        ...

    def mentor_pauses(self, mentors: Sequence[str]) -> dict[str, bool]:
        """Whether each mentor who has a contact is paused; a slug without one is left out.
        Reads no address."""
        ...

    def remove_mentor_contact(self, slug: str) -> None:
        """Raises NotFound if there was none."""
        ...

    def set_mentor_paused(
        self, slug: str, paused: bool, *, now: datetime, events: Sequence[Event] = ()
    ) -> MentorContact:
        """Pause or resume, with its audit events in the same transaction.

        Raises NotFound (and writes nothing) if the mentor has no contact.
        """
        ...

    # --- applications to become a mentor --------------------------------------------------

    def create_application(
        self, application: Application, *, jobs: Sequence[DeliveryJob] = (), now: datetime
    ) -> None:
        """Store a new application with the jobs it causes (its confirmation), in one write."""
        ...

    def get_application(self, application_id: str, *, now: datetime) -> Application:
        """Raises NotFound, or Expired when its expires_at <= now."""
        ...

    def list_applications(self, *, now: datetime) -> list[Application]:
        """Every unexpired application, oldest first (an index read, never a Scan)."""
        ...

    def update_application(
        self,
        application: Application,
        *,
        expected: ApplicationState,
        now: datetime,
        contact: MentorContact | None = None,
    ) -> Application:
        """Compare-and-set: store `application` (decided by domain.applications) only if the
        stored one is still unexpired and in state `expected`, else Conflict (NotFound if it is
        gone). With `contact`, the new mentor's private contact is written in the same
        transaction; Conflict, and nothing written, if that mentor already has one."""
        ...

    # --- addresses that bounced or complained ----------------------------------------------

    def mark_undeliverable(
        self, address_key: str, *, reason: str, expires_at: datetime, now: datetime
    ) -> None:
        """Record (or renew) that mail to this address must stop: `reason` is `bounce` or
        `complaint`. `address_key` is a salted hash (relay.aws.suppression), never the address."""
        ...

    def undeliverable_reason(self, address_key: str, *, now: datetime) -> str | None:
        """The reason recorded for this address key, or None (never marked, or expired)."""
        ...

    # --- housekeeping ----------------------------------------------------------------------

    def purge(self, *, now: datetime) -> int:
        """Delete every row whose expires_at <= now; return how many were deleted."""
        ...


@runtime_checkable
class Mailer(Protocol):
    def send(self, message: EmailMessage) -> str:
        """Send a fully composed message (mail/compose.py); return a provider message id.

        The message's headers are already safe (policy refuses newlines);
        raise domain.MailRefused for a permanent refusal (bad address, bounce), anything
        else for a transient failure: the delivery job is retried.
        """
        ...

    def forget(self, thread_id: str) -> None:
        """Remove any local copy of the thread's e-mails (erasure); a no-op for a service."""
        ...
