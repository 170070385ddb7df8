"""The delivery worker: sends what moderators approved, from the outbox the decision wrote.

The approve decision stores its delivery job in the same transaction, so an
approved message cannot be lost. A worker leases due jobs, composes and sends
each e-mail, then marks it sent (and the message delivered) once. A failed
send is retried with exponential backoff (policies.retry_delay); after
JOB_MAX_ATTEMPTS the job fails, the message is flagged `undeliverable` and an
alert lands in the moderators' list (Moderation.undeliverable).

A crash after the send but before the job is marked sent makes the next
worker send again. That repeat is detected (the attempt left no record) and
carries the same Message-ID as the first, derived from the job, so the
reader's mail program shows it once; the conversation page shows each
message once whatever happens.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from . import vocab
from .config import Settings
from .conversation import Limits, Links
from .domain import (
    Conflict,
    DeliveryJob,
    Event,
    LeaseLost,
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
from .mail import notices
from .manifest import ManifestSource
from .ports import Mailer, Store

log = logging.getLogger(__name__)

MESSAGE_ID_DOMAIN = "relay.passerelle.example.org"


class Undeliverable(Exception):
    """Nothing to send to (no address, thread erased): a short code, never personal data."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def message_id_for(job: DeliveryJob) -> str:
    """Same job, same Message-ID: a repeated send is one message for the reader's mail program."""
    return f"<{job.id}@{MESSAGE_ID_DOMAIN}>"


def reason_text(code: str | None, lang: str) -> str:
    return vocab.label("rejection_reasons", code or "", lang)


class Postman:
    """Composes the relay's e-mails from stored rows; sends nothing itself."""

    def __init__(self, store: Store, settings: Settings, manifest: ManifestSource, links: Links):
        self.store = store
        self.settings = settings
        self.manifest = manifest
        self.links = links

    def _mentor(self, thread: Thread) -> tuple[str, str]:
        entry = self.manifest.get().mentors.get(thread.mentor)
        name = entry.name if entry else thread.mentor
        lang = entry.lang if entry and entry.lang in ("fr", "en") else "fr"
        return name, lang

    def _mentor_address(self, thread: Thread) -> str:
        try:
            return self.store.get_mentor_contact(thread.mentor).email
        except NotFound:
            raise Undeliverable("no_mentor_contact") from None

    def delivery(self, thread: Thread, message: Message, recipient: Side, now: datetime):
        """The e-mail that carries an approved message to the other side."""
        if thread.state == ThreadState.ERASED or message.delivered_text is None:
            raise Undeliverable("erased")
        name, mentor_lang = self._mentor(thread)
        if recipient == Side.MENTOR:
            messages = self.store.list_messages(thread.id, now=now)
            first = bool(messages) and messages[0].id == message.id
            return notices.for_mentor(
                sender=self.settings.sender,
                to=self._mentor_address(thread),
                lang=mentor_lang,
                mentor_name=name,
                pseudonym=thread.pseudonym or "",
                age_band=str(thread.age_band),
                region=vocab.label("regions", thread.region, mentor_lang),
                text=message.delivered_text,
                first=first,
                answer_link=self.links.conversation(thread.id, Side.MENTOR, now),
                pause_link=self.links.pause(thread.id, now),
                link_days=self.links.days,
            )
        if not thread.mentee_email:
            raise Undeliverable("no_mentee_address")
        return notices.for_mentee(
            sender=self.settings.sender,
            to=thread.mentee_email,
            lang=thread.lang,
            pseudonym=thread.pseudonym or "",
            mentor_name=name,
            text=message.delivered_text,
            link=self.links.conversation(thread.id, Side.MENTEE, now),
            link_days=self.links.days,
        )

    def rejection(self, thread: Thread, message: Message, *, first: bool, now: datetime):
        """Tells the author the reason (a template in their language); None if nobody to tell."""
        if thread.state == ThreadState.ERASED:
            return None
        if message.author == Side.MENTOR:
            _, lang = self._mentor(thread)
            to = self._mentor_address(thread)
        else:
            lang, to = thread.lang, thread.mentee_email
            if not to:
                return None
        link = None if first else self.links.conversation(thread.id, message.author, now)
        return notices.rejected(
            sender=self.settings.sender, to=to, lang=lang,
            reason=reason_text(message.reason, lang), link=link, link_days=self.links.days,
        )  # fmt: skip


@dataclass
class Report:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    resent_after_crash: int = 0

    def __add__(self, other: Report) -> Report:
        return Report(
            self.sent + other.sent,
            self.retried + other.retried,
            self.failed + other.failed,
            self.resent_after_crash + other.resent_after_crash,
        )


class Delivery:
    def __init__(
        self,
        store: Store,
        mailer: Mailer,
        postman: Postman,
        clock: Callable[[], datetime] = utcnow,
        owner: str | None = None,
        lease: timedelta = policies.JOB_LEASE,
        max_attempts: int = policies.JOB_MAX_ATTEMPTS,
    ):
        self.store = store
        self.mailer = mailer
        self.postman = postman
        self.clock = clock
        self.owner = owner or f"{socket.gethostname()}-{new_id()[:8]}"
        self.lease = lease
        self.max_attempts = max_attempts

    @classmethod
    def build(cls, store, mailer, settings, manifest, clock=utcnow, limits=None, **kw) -> Delivery:
        links = Links(settings, limits or Limits.from_env())
        return cls(store, mailer, Postman(store, settings, manifest, links), clock, **kw)

    def run_once(self, limit: int = 10) -> Report:
        """Claim up to `limit` due jobs and handle each; returns what happened."""
        report = Report()
        for job in self.store.claim_jobs(
            owner=self.owner, now=self.clock(), lease=self.lease, limit=limit
        ):
            report = report + self.handle(job)
        return report

    def drain(self, rounds: int = 20, limit: int = 10) -> Report:
        """Run until no job is due (or `rounds` is reached): maintenance, tests, `make serve`."""
        total = Report()
        for _ in range(rounds):
            report = self.run_once(limit)
            total = total + report
            if report == Report():
                break
        return total

    # --- one job ---------------------------------------------------------------------------

    def _recorded_failures(self, job: DeliveryJob) -> int:
        return sum(
            1
            for e in self.store.events(job.thread_id)
            if e.action == "delivery_failed" and e.detail.get("job") == job.id
        )

    def handle(self, job: DeliveryJob) -> Report:
        now = self.clock()
        # An earlier attempt that left neither a failure nor a success crashed mid-way:
        # it may have sent the e-mail. The same Message-ID makes the repeat invisible.
        repeat = job.attempts - 1 > self._recorded_failures(job)
        try:
            thread = self.store.get_thread(job.thread_id, now=now)
            message = self.store.get_message(job.message_id, now=now)
        except NotFound:
            return self._fail(job, None, "gone", final=True)
        if message.status != Status.APPROVED:
            return self._fail(job, None, f"message_{message.status}", final=True)
        try:
            mail = self.postman.delivery(thread, message, job.recipient, now)
        except Undeliverable as missing:
            if missing.code == "erased":
                return self._fail(job, None, missing.code, final=True)
            return self._fail(job, message, missing.code, final=missing.code != "no_mentor_contact")
        self._stamp(mail, job)
        try:
            self.mailer.send(mail)
        except Exception as exc:  # a mailer failure: retry later (unless it says it is `final`)
            code = str(getattr(exc, "code", "") or type(exc).__name__)[:60]
            return self._fail(job, message, code, final=bool(getattr(exc, "final", False)))
        event = Event(
            thread_id=job.thread_id,
            message_id=job.message_id,
            action="delivered",
            actor="system",
            at=self.clock(),
            detail={
                "job": job.id,
                "recipient": str(job.recipient),
                "attempts": job.attempts,
                "before": "approved",
                "after": "delivered",
                "repeat_after_crash": repeat,
            },
        )
        try:
            self.store.complete_job(job.id, owner=self.owner, event=event, now=self.clock())
        except LeaseLost:
            # The lease ran out during a slow send; another worker may send again, with the
            # same Message-ID. Nothing is lost: the job is still queued.
            log.warning("delivery_lease_lost", extra={"job": job.id})
            return Report(retried=1)
        except Conflict:
            log.info("delivery_already_done", extra={"job": job.id})
            return Report()
        log.info("delivered", extra={"job": job.id, "recipient": str(job.recipient)})
        return Report(sent=1, resent_after_crash=int(repeat))

    @staticmethod
    def _stamp(mail: EmailMessage, job: DeliveryJob) -> None:
        del mail["Message-ID"]
        mail["Message-ID"] = message_id_for(job)
        mail["X-Passerelle-Delivery"] = job.id

    def _fail(self, job: DeliveryJob, message: Message | None, code: str, *, final: bool) -> Report:
        gave_up = final or job.attempts >= self.max_attempts
        now = self.clock()
        if gave_up and message is not None:
            self._alert(job, message, code, now)
        retry_at = None if gave_up else now + policies.retry_delay(job.attempts)
        event = Event(
            thread_id=job.thread_id,
            message_id=job.message_id,
            action="delivery_failed",
            actor="system",
            at=now,
            detail={"job": job.id, "attempt": job.attempts, "error": code, "gave_up": gave_up},
        )
        try:
            self.store.fail_job(
                job.id, owner=self.owner, error=code, retry_at=retry_at, event=event, now=now
            )
        except Conflict:  # lease lost or already handled: the job's owner now decides
            return Report()
        log.warning(
            "delivery_failed",
            extra={"job": job.id, "error": code, "attempt": job.attempts, "gave_up": gave_up},
        )
        return Report(failed=1) if gave_up else Report(retried=1)

    def _alert(self, job: DeliveryJob, message: Message, code: str, now: datetime) -> None:
        """Flag the message and list it for moderators before the job is marked failed."""
        alert = Event(
            thread_id=job.thread_id,
            message_id=message.id,
            action="undeliverable",
            actor="system",
            at=now,
            detail={"job": job.id, "error": code, "attempts": job.attempts,
                    "recipient": str(job.recipient)},
        )  # fmt: skip
        for _ in range(3):
            flags = tuple(dict.fromkeys((*message.flags, "undeliverable")))
            try:
                self.store.revise_message(
                    message.id, expected_version=message.version, now=now, events=[alert],
                    changes=MessageChanges(flags=flags, escalated=True),
                )  # fmt: skip
                return
            except Conflict:
                message = self.store.get_message(message.id, now=now)
        raise Conflict(f"message {message.id} kept changing")
