"""Moderators' decisions: the queue, approve (as is or edited), reject with a reason, escalate.

Every decision is a compare-and-set on the message's status and version: when
two moderators decide the same message at once, exactly one wins and the
other gets `Conflict`. The approve decision writes the delivery job in the
same transaction (delivery.py sends it). Every decision is an audit event
(who, what, when, before and after); events never hold a message's text.

Works through the ports only; the API (api/moderation_routes.py), the
moderation page and the terminal CLI all call this.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime

from . import vocab
from .config import Settings
from .conversation import CONTROL, Limits, Links
from .delivery import Postman
from .domain import (
    Conflict,
    DeliveryJob,
    Event,
    InvalidInput,
    Message,
    MessageChanges,
    NotFound,
    Side,
    Status,
    Thread,
    ThreadState,
    new_id,
    policies,
    utcnow,
)
from .manifest import ManifestSource
from .ports import Mailer, Store

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
    notified: bool | None = None  # rejections: was the author told


@dataclass(frozen=True, slots=True)
class Alert:
    """A message the worker gave up delivering."""

    message: Message
    thread_id: str
    error: str
    attempts: int
    at: datetime  # when the worker gave up (the failed job's next_attempt_at)


def other(side: Side) -> Side:
    return Side.MENTOR if side == Side.MENTEE else Side.MENTEE


class Moderation:
    def __init__(
        self,
        store: Store,
        mailer: Mailer,
        manifest: ManifestSource,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
        limits: Limits | None = None,
    ):
        self.store = store
        self.mailer = mailer
        self.clock = clock
        self.limits = limits or Limits.from_env()
        self.postman = Postman(store, settings, manifest, Links(settings, self.limits))

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
        """Messages still approved and flagged whose delivery job gave up, newest first."""
        now = self.clock()
        latest: dict[str, DeliveryJob] = {}
        for job in self.store.failed_jobs(now=now, limit=limit):
            latest.setdefault(job.message_id, job)  # newest first: keep the first seen
        alerts = []
        for message_id, job in latest.items():
            try:
                message = self.store.get_message(message_id, now=now)
            except NotFound:
                continue
            if message.status == Status.APPROVED and "undeliverable" in message.flags:
                alerts.append(Alert(message, job.thread_id, job.last_error or "", job.attempts,
                                    job.next_attempt_at))  # fmt: skip
        return alerts

    # --- decisions -------------------------------------------------------------------------

    def _pending(self, message_id: str, version: int, now: datetime) -> tuple[Message, Thread]:
        message = self.store.get_message(message_id, now=now)
        if message.status != Status.PENDING or message.version != version:
            raise Conflict(f"message {message_id} was already decided or changed")
        thread = self.store.get_thread(message.thread_id, now=now)
        if thread.state == ThreadState.ERASED:
            raise Conflict(f"thread {thread.id} was erased by the mentee")
        return message, thread

    def approve(
        self, message_id: str, *, version: int, actor: str, text: str | None = None
    ) -> Decision:
        """Pass a message on, as screened or as edited; its delivery job is stored with it."""
        edited = None if text is None else clean_edit(text)
        now = self.clock()
        message, thread = self._pending(message_id, version, now)
        recipient = other(message.author)
        expiry = self.limits.thread_expiry(now)
        job = DeliveryJob(
            id=new_id(), message_id=message.id, thread_id=thread.id, recipient=recipient,
            created_at=now, next_attempt_at=now, expires_at=expiry,
        )  # fmt: skip
        changed = edited is not None and edited != message.delivered_text
        detail = {"before": "pending", "after": "approved", "edited": changed, "job": job.id,
                  "recipient": str(recipient)}  # fmt: skip
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
            jobs=[job],
            thread_expires_at=expiry,
        )
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
        updated = self.store.transition(
            message.id,
            expected_status=Status.PENDING,
            expected_version=version,
            new_status=Status.REJECTED,
            events=[Event(thread_id=thread.id, message_id=message.id, action="rejected",
                          actor=actor, at=now,
                          detail={"before": "pending", "after": "rejected", "reason": reason})],
            now=now,
            changes=MessageChanges(reason=reason),
            thread_expires_at=now + self.limits.retention if first else None,
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
        log.info("rejected", extra={"message_id": message.id, "reason": reason})
        return Decision(updated, notified=self._tell_author(thread, updated, first))

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

    # --- helpers ---------------------------------------------------------------------------

    def _first(self, thread: Thread, message: Message, now: datetime) -> bool:
        messages = self.store.list_messages(thread.id, now=now)
        return bool(messages) and messages[0].id == message.id

    def _tell_author(self, thread: Thread, message: Message, first: bool) -> bool:
        """Send the reason now; a failure is recorded (and shown to the moderator), not raised."""
        now = self.clock()
        try:
            mail = self.postman.rejection(thread, message, first=first, now=now)
            if mail is None:
                return False
            self.mailer.send(mail)
            outcome, sent = "rejection_notice_sent", True
        except Exception as exc:
            code = str(getattr(exc, "code", "") or type(exc).__name__)[:60]
            log.warning("rejection_notice_failed", extra={"message_id": message.id, "error": code})
            outcome, sent = "rejection_notice_failed", False
        with suppress(Conflict):  # the log line keeps the fact; the decision is stored
            self.store.revise_message(
                message.id, expected_version=message.version, changes=MessageChanges(), now=now,
                events=[Event(thread_id=thread.id, message_id=message.id, action=outcome,
                              actor="system", at=now)],
            )  # fmt: skip
        return sent


def clean_edit(text: object) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput({"text": "required"})
    text = text.replace("\r\n", "\n").strip()
    if CONTROL.search(text):
        raise InvalidInput({"text": "invalid"})
    if len(text) > EDIT_MAX:
        raise InvalidInput({"text": "too_long"})
    return text
