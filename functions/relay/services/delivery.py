"""The outbox worker: sends every e-mail the relay writes, from the jobs stored with each change.

A change that causes an e-mail stores its job in the same transaction, so no
e-mail can be lost between the two. A worker leases due jobs, composes each
e-mail (postman.py), sends it, then marks it sent (a `message` job also moves
its message to `delivered`, once). A transient failure is never final: the
job is tried again (domain.retries: backoff with jitter, capped) until its
thread expires. A permanent refusal (domain.MailRefused: invalid address,
bounce) fails the job for good, recorded as such. Moderators see both, and
jobs still queued after STUCK_AFTER attempts, and can resend or close them.

A crash after the send but before the job is marked sent makes the next
worker send again. That repeat is detected (the attempt left no record) and
carries the same Message-ID as the first, derived from the job, so the
reader's mail program shows it once.
"""

from __future__ import annotations

import logging
import random
import socket
import threading
from dataclasses import dataclass
from datetime import timedelta

from ..domain import (
    Conflict,
    DeliveryJob,
    Event,
    LeaseLost,
    MailRefused,
    NotFound,
    new_id,
    policies,
    retries,
)
from ..domain.models import STANDALONE_JOBS
from ..ports import Clock, Mailer, Store
from .postman import Postman, Undeliverable

log = logging.getLogger(__name__)


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


class Wakeup:
    """A doorbell between the services that queue jobs and the worker loop of `make serve`."""

    def __init__(self):
        self._event = threading.Event()

    def ring(self) -> None:
        self._event.set()

    def wait(self, timeout: float) -> bool:
        rung = self._event.wait(timeout)
        self._event.clear()
        return rung


class Delivery:
    def __init__(
        self,
        store: Store,
        mailer: Mailer,
        postman: Postman,
        clock: Clock,
        owner: str | None = None,
        lease: timedelta = policies.JOB_LEASE,
        rand=None,
    ):
        self.store = store
        self.mailer = mailer
        self.postman = postman
        self.clock = clock
        self.owner = owner or f"{socket.gethostname()}-{new_id()[:8]}"
        self.lease = lease
        self.rand = rand or random.random

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
            if job.kind in STANDALONE_JOBS:  # not about a thread: the postman reads what it needs
                mail = self.postman.compose_standalone(job, now)
            else:
                thread = self.store.get_thread(job.thread_id, now=now)
                message = self.store.get_message(job.message_id, now=now)
                mail = self.postman.compose(job, thread, message, now)
        except NotFound:
            return self._fail(job, "gone", final=True)
        except Undeliverable as missing:
            return self._fail(job, missing.code, final=missing.final)
        try:
            self.mailer.send(mail)
        except MailRefused as refused:  # for good: an invalid address, a bounce
            return self._fail(job, str(refused.code)[:60], final=True, permanent=True)
        except Exception as exc:  # any other failure: retry later, never lose the job
            code = str(getattr(exc, "code", "") or type(exc).__name__)[:60]
            return self._fail(job, code, final=False)
        event = Event(
            thread_id=job.thread_id,
            message_id=job.message_id,
            action="delivered" if job.kind == "message" else f"{job.kind}_sent",
            actor="system",
            at=self.clock(),
            detail={
                "job": job.id,
                "kind": str(job.kind),
                "recipient": str(job.recipient),
                "attempts": job.attempts,
                "repeat_after_crash": repeat,
                **({"before": "approved", "after": "delivered"} if job.kind == "message" else {}),
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
        log.info("delivered", extra={"job": job.id, "kind": str(job.kind)})
        return Report(sent=1, resent_after_crash=int(repeat))

    def _fail(self, job: DeliveryJob, code: str, *, final: bool, permanent: bool = False):
        now = self.clock()
        retry_at = None
        if not final:
            retry_at = retries.next_attempt(job.attempts, now, job.expires_at, self.rand)
        gave_up = retry_at is None
        event = Event(
            thread_id=job.thread_id,
            message_id=job.message_id,
            action="delivery_failed",
            actor="system",
            at=now,
            detail={"job": job.id, "kind": str(job.kind), "attempt": job.attempts, "error": code,
                    "gave_up": gave_up, "permanent": permanent,
                    "stuck": not gave_up and job.attempts >= policies.STUCK_AFTER},
        )  # fmt: skip
        try:
            self.store.fail_job(
                job.id, owner=self.owner, error=code, retry_at=retry_at, event=event, now=now,
                permanent=permanent,
            )  # fmt: skip
        except Conflict:  # lease lost or already handled: the job's owner now decides
            return Report()
        log.warning(
            "delivery_failed",
            extra={"job": job.id, "error": code, "attempt": job.attempts, "gave_up": gave_up},
        )
        return Report(failed=1) if gave_up else Report(retried=1)
