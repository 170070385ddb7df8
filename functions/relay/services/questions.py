"""A mentee's first question: submit it (stored with its confirmation e-mail queued), confirm it.

A request never waits on mail: the confirmation is a job of the outbox,
written in the same transaction as the thread, and the delivery worker sends
it. A replay of a submission (same idempotency key, same content) gets the
first answer again, counts no rate-limit hit and queues nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ..config import Settings
from ..domain import (
    Conflict,
    DeliveryJob,
    Event,
    InvalidInput,
    JobKind,
    Message,
    NotFound,
    PolicyRefusal,
    RateLimited,
    Side,
    Status,
    Thread,
    capacity,
    idempotency,
    new_id,
    policies,
    tokens,
)
from ..domain.text import allowed
from ..manifest import ManifestSource
from ..ports import Clock, Store
from . import ratelimit
from .links import CONFIRM, Links


@dataclass(frozen=True, slots=True)
class Question:
    """A submission that passed the API's field validation."""

    mentor: str
    lang: str
    pseudonym: str
    age: int
    region: str
    situation: str
    email: str
    question: str

    def __repr__(self) -> str:  # no address, no body in logs or tracebacks
        return f"Question(mentor={self.mentor!r}, lang={self.lang!r})"


@dataclass(frozen=True, slots=True)
class Received:
    thread_id: str
    created: bool
    minor: bool
    help: bool = False  # self-harm or abuse: show the author where to get help now


@dataclass(frozen=True, slots=True)
class Confirmed:
    thread_id: str
    lang: str
    mentor: str
    already: bool


class Questions:
    def __init__(
        self,
        store: Store,
        manifest: ManifestSource,
        settings: Settings,
        links: Links,
        clock: Clock,
        screen: Callable,
        queued: Callable[[], None] = lambda: None,
    ):
        self.store = store
        self.manifest = manifest
        self.settings = settings
        self.limits = settings.limits
        self.links = links
        self.clock = clock
        self.screen = screen
        self.queued = queued  # wakes the delivery worker (make serve); a no-op on Lambda

    # --- submit ----------------------------------------------------------------------------

    def check(self, q: Question, now) -> None:
        """Refuse what the manifest and the age policy do not allow (nothing is stored)."""
        manifest = self.manifest.get()
        problems = {}
        if manifest.regions and q.region not in manifest.regions:
            problems["region"] = "invalid_choice"
        if manifest.situations and q.situation not in manifest.situations:
            problems["situation"] = "invalid_choice"
        if not allowed(q.pseudonym, one_line=True):  # whoever calls: the API checked it too
            problems["pseudonym"] = "invalid"
        elif self.screen(q.pseudonym).masked:  # the mentor sees the pseudonym: no contact in it
            problems["pseudonym"] = "pseudonym_contact"
        if not allowed(q.question):
            problems["question"] = "invalid"
        if problems:
            raise InvalidInput(problems)
        try:
            policies.age_band(q.age)
        except PolicyRefusal as refusal:
            raise InvalidInput({"age": refusal.code}) from None
        entry = manifest.mentors.get(q.mentor)
        if entry is None:
            raise PolicyRefusal("unknown_mentor")
        if not entry.accepting:
            raise PolicyRefusal("not_accepting")
        try:
            contact = self.store.get_mentor_contact(q.mentor)
        except NotFound:
            raise PolicyRefusal("not_accepting") from None
        if contact.paused:
            raise PolicyRefusal("not_accepting")
        open_threads = self.store.count_open_threads(q.mentor, now=now)
        capacity.check_room(open_threads, entry.capacity, self.limits.default_capacity)

    def over_limit(self, *, client: str, email: str, now) -> RateLimited | None:
        """Count this post (fixed windows per client and per address); the refusal to give
        if it is one too many."""
        return ratelimit.over(
            self.store, self.settings, [("client", client), ("email", email.casefold())], now
        )

    def fingerprint(self, q: Question) -> str:
        return idempotency.fingerprint(
            self.settings.secret, q.mentor, q.lang, q.pseudonym, str(q.age), q.region,
            q.situation, q.email.casefold(), q.question,
        )  # fmt: skip

    def submit(self, q: Question, *, client: str, idempotency_key: str | None) -> Received:
        now = self.clock()
        digest = self.fingerprint(q)
        key = idempotency_key or f"auto-{digest}"
        minor = policies.MIN_AGE <= q.age < policies.MAJORITY
        seen = idempotency.replay(self.store.find_idempotent(key, now=now), digest)
        if seen is not None:  # the first answer again: no rate-limit hit, nothing queued
            return Received(thread_id=seen.thread_id, created=False, minor=minor)
        try:
            self.check(q, now)
        except PolicyRefusal as refusal:
            return self._replay_or_refuse(key, digest, minor, refusal)
        band = policies.age_band(q.age)
        screening = self.screen(q.question)  # pure work, before the write
        flags = screening.kinds
        expires = now + policies.UNCONFIRMED_TTL
        thread = Thread(
            id=new_id(), mentor=q.mentor, lang=q.lang, pseudonym=q.pseudonym, age_band=band,
            region=q.region, situation=q.situation, mentee_email=q.email, created_at=now,
            expires_at=expires, mentee_key=tokens.mentee_key(self.settings.secret, q.email),
        )  # fmt: skip
        message = Message(
            id=new_id(), thread_id=thread.id, author=Side.MENTEE, body=q.question,
            delivered_text=screening.delivered_text, status=Status.RECEIVED, created_at=now,
            updated_at=now, expires_at=expires, flags=flags, priority=int(screening.priority),
        )  # fmt: skip
        confirmation = DeliveryJob(
            id=new_id(), message_id=message.id, thread_id=thread.id, recipient=Side.MENTEE,
            created_at=now, next_attempt_at=now, expires_at=expires, kind=JobKind.CONFIRMATION,
        )  # fmt: skip
        event = Event(
            thread_id=thread.id, message_id=message.id, action="received", actor="mentee", at=now,
            detail={"age_band": str(band), "flags": list(flags), "job": confirmation.id},
        )  # fmt: skip
        conflict = None
        with self.store.transaction():  # SQLite: the count and the thread in one write
            refused = self.over_limit(client=client, email=q.email, now=now)
            if refused is None:
                try:
                    stored, _first, created = self.store.create_thread(
                        thread, message, event, idempotency_key=key, fingerprint=digest,
                        now=now, jobs=[confirmation],
                    )  # fmt: skip
                except Conflict as error:  # a concurrent first use of the key won
                    conflict = error
        if refused is not None:
            return self._replay_or_refuse(key, digest, minor, refusal=refused)
        if conflict is not None:  # answer as the replay of the concurrent first use
            seen = idempotency.replay(self.store.find_idempotent(key, now=now), digest)
            if seen is None:
                raise conflict
            return Received(
                thread_id=seen.thread_id, created=False, minor=minor, help=screening.needs_help
            )
        if created:
            self.queued()
        return Received(
            thread_id=stored.id, created=created, minor=band == "minor", help=screening.needs_help
        )

    def _replay_or_refuse(self, key: str, digest: str, minor: bool, refusal: PolicyRefusal):
        """A concurrent first use of the key may be storing its thread right now (and was
        counted): this post is its replay and gets its answer, not the refusal."""
        seen = self._concurrent_first(key, digest)
        if seen is None:
            raise refusal
        return Received(thread_id=seen.thread_id, created=False, minor=minor)

    def _concurrent_first(self, key: str, digest: str, waits: int = 10):
        """The record of a first use of `key` being stored concurrently (a bounded wait)."""
        for attempt in range(waits):
            seen = idempotency.replay(self.store.find_idempotent(key, now=self.clock()), digest)
            if seen is not None or key.startswith("auto-"):
                return seen
            time.sleep(0.02 * (attempt + 1) / waits)
        return None

    # --- confirm ---------------------------------------------------------------------------

    def lang_of(self, token: str) -> str:
        """Language of the thread a confirmation link belongs to (checks the link first)."""
        now = self.clock()
        claims = self.links.verify(token, CONFIRM, now, Side.MENTEE)
        return self.store.get_thread(claims.thread_id, now=now).lang

    def confirm(self, token: str) -> Confirmed:
        """Address proven: received -> confirmed -> pending. Safe to repeat (second click)."""
        now = self.clock()
        claims = self.links.verify(token, CONFIRM, now, Side.MENTEE)
        thread = self.store.get_thread(claims.thread_id, now=now)
        messages = self.store.list_messages(thread.id, now=now)
        if not messages:
            raise NotFound("thread has no message")
        message = messages[0]
        already = message.status not in (Status.RECEIVED, Status.CONFIRMED)
        for target, action in ((Status.CONFIRMED, "address_confirmed"), (Status.PENDING, "queued")):
            if not already and _before(message.status, target):
                try:
                    message = self.store.transition(
                        message.id,
                        expected_status=message.status,
                        expected_version=message.version,
                        new_status=target,
                        events=[
                            Event(
                                thread_id=thread.id,
                                message_id=message.id,
                                action=action,
                                actor="mentee" if target == Status.CONFIRMED else "system",
                                at=now,
                            )
                        ],
                        now=now,
                        thread_expires_at=now + policies.THREAD_TTL
                        if target == Status.CONFIRMED
                        else None,
                    )
                except Conflict:  # a concurrent click won; read what it did
                    message = self.store.get_message(message.id, now=now)
                    already = True
        return Confirmed(
            thread_id=thread.id, lang=thread.lang, mentor=thread.mentor, already=already
        )


def _before(current: Status, target: Status) -> bool:
    order = [Status.RECEIVED, Status.CONFIRMED, Status.PENDING]
    return current in order and order.index(current) < order.index(target)
