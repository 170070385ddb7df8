"""Moderators' decisions: the queue, approve (as is or edited), reject with a reason, escalate,
and what to do with e-mails that could not go (resend, close).

Every decision is a compare-and-set on the message's status and version: when
two moderators decide the same message at once, exactly one wins and the
other gets `Conflict`. A decision stores the e-mails it causes (delivery to
the other side, the "passed on" notice, the rejection reason) as outbox jobs
in the same transaction; the delivery worker sends them. Every decision is
an audit event (who, what, when, before and after); events never hold a text.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime

from .. import vocab
from ..config import Settings
from ..domain import (
    Conflict,
    DeliveryJob,
    Event,
    InvalidInput,
    JobKind,
    JobState,
    Message,
    MessageChanges,
    NotFound,
    Side,
    Status,
    Thread,
    ThreadState,
    new_id,
    policies,
)
from ..ports import Clock, Store
from .conversations import clean_text

log = logging.getLogger(__name__)

EDIT_MAX = policies.QUESTION_MAX
ESCALATED_PRIORITY = 1000  # escalated messages come first in the queue


def reasons() -> list[dict[str, str]]:
    """Rejection reason templates (data/rejection_reasons.yaml), in both languages."""
    fr, en = dict(vocab.labels("rejection_reasons", "fr")), vocab.labels("rejection_reasons", "en")
    return [{"code": code, "fr": fr[code], "en": text} for code, text in en]


@dataclass(frozen=True, slots=True)
class Review:
    """One message with what a moderator needs to judge it (never the mentee's address)."""

    message: Message
    thread: Thread
    history: list[Message] = field(default_factory=list)  # the thread's other messages


@dataclass(frozen=True, slots=True)
class Decision:
    message: Message
    notified: bool | None = None  # rejections: is the author told (a notice is queued)


@dataclass(frozen=True, slots=True)
class Alert:
    """An e-mail that could not go: failed for good, or still failing after many attempts."""

    job: DeliveryJob
    message: Message
    thread_id: str
    error: str
    attempts: int
    at: datetime  # when it failed for good, or when it is tried next
    permanent: bool  # the mail service refused it for good (bad address, bounce)
    state: str  # failed | queued


def other(side: Side) -> Side:
    return Side.MENTOR if side == Side.MENTEE else Side.MENTEE


def clean_edit(text: object) -> str:
    return clean_text(text, minimum=1, maximum=EDIT_MAX, too_short="required", too_long="too_long")


class Moderation:
    def __init__(self, store: Store, settings: Settings, clock: Clock, queued=lambda: None):
        self.store = store
        self.limits = settings.limits
        self.clock = clock
        self.queued = queued  # wakes the delivery worker

    # --- reading ---------------------------------------------------------------------------

    def queue(self, limit: int = 50) -> list[Review]:
        now = self.clock()
        found = []
        for message in self.store.queue(now=now, limit=limit):
            try:
                thread = self.store.get_thread(message.thread_id, now=now)
            except NotFound:
                continue  # its thread expired between the two reads
            if thread.state != ThreadState.ERASED:  # erased by the mentee: nothing to judge
                found.append(Review(message, thread))
        return found

    def review(self, message_id: str) -> Review:
        now = self.clock()
        message = self.store.get_message(message_id, now=now)
        thread = self.store.get_thread(message.thread_id, now=now)
        history = [m for m in self.store.list_messages(thread.id, now=now) if m.id != message.id]
        return Review(message, thread, history)

    def audit(self, thread_id: str) -> list[Event]:
        return self.store.events(thread_id)

    def undeliverable(self, limit: int = 200) -> list[Alert]:
        """E-mails that failed for good or keep failing, newest first (erased threads aside)."""
        now = self.clock()
        alerts = []
        jobs = self.store.troubled_jobs(now=now, stuck_after=policies.STUCK_AFTER, limit=limit)
        for job in jobs:
            try:
                message = self.store.get_message(job.message_id, now=now)
                thread = self.store.get_thread(job.thread_id, now=now)
            except NotFound:
                continue
            if thread.state == ThreadState.ERASED:
                continue
            alerts.append(Alert(job, message, job.thread_id, job.last_error or "", job.attempts,
                                job.next_attempt_at, job.permanent, str(job.state)))  # fmt: skip
        return alerts

    # --- e-mails that could not go ---------------------------------------------------------

    def resend(self, job_id: str, *, actor: str) -> DeliveryJob:
        """Try a failed (or stuck) e-mail again now, e.g. once the address or mail is fixed."""
        return self._job_decision(job_id, actor, JobState.QUEUED, "delivery_resent")

    def close(self, job_id: str, *, actor: str) -> DeliveryJob:
        """Stop trying: the e-mail is cancelled (the message stays as it is), audited."""
        return self._job_decision(job_id, actor, JobState.CANCELLED, "delivery_closed")

    def _job_decision(self, job_id: str, actor: str, new: JobState, action: str) -> DeliveryJob:
        now = self.clock()
        job = self.store.get_job(job_id)
        if job.state not in (JobState.FAILED, JobState.QUEUED):
            raise Conflict(f"job {job_id} is {job.state}")
        event = Event(
            thread_id=job.thread_id, message_id=job.message_id, action=action, actor=actor, at=now,
            detail={"job": job.id, "kind": str(job.kind), "before": str(job.state),
                    "after": str(new), "attempts": job.attempts},
        )  # fmt: skip
        updated = self.store.set_job_state(
            job_id, expected=job.state, new=new, events=[event], now=now
        )
        if new == JobState.QUEUED:
            self.queued()
        log.info(action, extra={"job": job.id})
        return updated

    # --- decisions -------------------------------------------------------------------------

    def _pending(self, message_id: str, version: int, now: datetime) -> tuple[Message, Thread]:
        message = self.store.get_message(message_id, now=now)
        if message.status != Status.PENDING or message.version != version:
            raise Conflict(f"message {message_id} was already decided or changed")
        thread = self.store.get_thread(message.thread_id, now=now)
        if thread.state == ThreadState.ERASED:
            raise Conflict(f"thread {thread.id} was erased by the mentee")
        return message, thread

    @staticmethod
    def _job(message: Message, kind: JobKind, recipient: Side, now, expiry) -> DeliveryJob:
        return DeliveryJob(
            id=new_id(), message_id=message.id, thread_id=message.thread_id, recipient=recipient,
            created_at=now, next_attempt_at=now, expires_at=expiry, kind=kind,
        )  # fmt: skip

    def approve(
        self, message_id: str, *, version: int, actor: str, text: str | None = None
    ) -> Decision:
        """Pass a message on, as screened or as edited; its e-mails are stored with it."""
        edited = None if text is None else clean_edit(text)
        now = self.clock()
        message, thread = self._pending(message_id, version, now)
        recipient = other(message.author)
        expiry = self.limits.thread_expiry(now)
        jobs = [self._job(message, JobKind.MESSAGE, recipient, now, expiry)]
        if message.author == Side.MENTEE:  # the mentee learns their message went through
            jobs.append(self._job(message, JobKind.PASSED_ON, Side.MENTEE, now, expiry))
        changed = edited is not None and edited != message.delivered_text
        detail = {"before": "pending", "after": "approved", "edited": changed, "job": jobs[0].id,
                  "recipient": str(recipient), "jobs": [j.id for j in jobs]}  # fmt: skip
        if changed:
            detail["length_before"] = len(message.delivered_text or "")
            detail["length_after"] = len(edited)
        events = [Event(thread_id=thread.id, message_id=message.id, action="approved",
                        actor=actor, at=now, detail=detail)]  # fmt: skip
        updated = self.store.transition(
            message.id,
            expected_status=Status.PENDING,
            expected_version=version,
            new_status=Status.APPROVED,
            events=events,
            now=now,
            changes=MessageChanges(delivered_text=edited) if changed else None,
            jobs=jobs,
            thread_expires_at=expiry,
        )
        self.queued()
        log.info("approved", extra={"message_id": message.id, "edited": changed})
        return Decision(updated)

    def reject(self, message_id: str, *, version: int, actor: str, reason: str) -> Decision:
        """Refuse with a template reason; the author is told the reason, never who decided."""
        codes = {code for code, _ in vocab.labels("rejection_reasons", "fr")}
        if reason not in codes:
            raise InvalidInput({"reason": "invalid_choice"})
        now = self.clock()
        message, thread = self._pending(message_id, version, now)
        first = self._first(thread, message, now)
        expiry = now + self.limits.retention if first else None
        tell = message.author == Side.MENTOR or bool(thread.mentee_email)
        notice = self._job(message, JobKind.REJECTION, message.author, now,
                           expiry or thread.expires_at)  # fmt: skip
        updated = self.store.transition(
            message.id,
            expected_status=Status.PENDING,
            expected_version=version,
            new_status=Status.REJECTED,
            events=[Event(thread_id=thread.id, message_id=message.id, action="rejected",
                          actor=actor, at=now,
                          detail={"before": "pending", "after": "rejected", "reason": reason,
                                  "job": notice.id if tell else None})],
            now=now,
            changes=MessageChanges(reason=reason),
            jobs=[notice] if tell else [],
            thread_expires_at=expiry,
        )  # fmt: skip
        if first and thread.state == ThreadState.OPEN:
            # A refused first question leaves no conversation: close it so it frees capacity.
            with suppress(Conflict):  # erased or closed meanwhile
                self.store.set_thread_state(
                    thread.id, expected=ThreadState.OPEN, new=ThreadState.CLOSED, now=now,
                    events=[Event(thread_id=thread.id, action="closed", actor="system", at=now,
                                  detail={"before": "open", "after": "closed",
                                          "why": "first_message_rejected"})],
                )  # fmt: skip
        if tell:
            self.queued()
        log.info("rejected", extra={"message_id": message.id, "reason": reason})
        return Decision(updated, notified=tell)

    def escalate(self, message_id: str, *, version: int, actor: str) -> Decision:
        """Ask for a second look: stays pending, marked and moved to the top of the queue."""
        now = self.clock()
        message, thread = self._pending(message_id, version, now)
        updated = self.store.revise_message(
            message.id,
            expected_version=version,
            changes=MessageChanges(
                escalated=True, priority=max(message.priority, ESCALATED_PRIORITY)
            ),
            events=[Event(thread_id=thread.id, message_id=message.id, action="escalated",
                          actor=actor, at=now,
                          detail={"before": {"escalated": message.escalated},
                                  "after": {"escalated": True}})],
            now=now,
        )  # fmt: skip
        return Decision(updated)

    def _first(self, thread: Thread, message: Message, now: datetime) -> bool:
        messages = self.store.list_messages(thread.id, now=now)
        return bool(messages) and messages[0].id == message.id
