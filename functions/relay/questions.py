"""Use cases of issue 4: receive a mentee's first question, then confirm the address.

Works only through the ports (Store, Mailer) and the manifest: no HTTP here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .config import Settings
from .domain import (
    Conflict,
    Event,
    InvalidInput,
    Message,
    NotFound,
    PolicyRefusal,
    Side,
    Status,
    Thread,
    new_id,
    policies,
    tokens,
    utcnow,
)
from .mail import compose
from .manifest import ManifestSource
from .ports import Mailer, Store

CONFIRM = "confirm"


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
        mailer: Mailer,
        manifest: ManifestSource,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.store = store
        self.mailer = mailer
        self.manifest = manifest
        self.settings = settings
        self.clock = clock

    # --- submit ----------------------------------------------------------------------------

    def check(self, q: Question) -> None:
        """Refuse what the manifest and the age policy do not allow (nothing is stored)."""
        manifest = self.manifest.get()
        problems = {}
        if manifest.regions and q.region not in manifest.regions:
            problems["region"] = "invalid_choice"
        if manifest.situations and q.situation not in manifest.situations:
            problems["situation"] = "invalid_choice"
        from .screening import screen

        if screen(q.pseudonym).masked:  # the mentor sees the pseudonym: no contact details in it
            problems["pseudonym"] = "pseudonym_contact"
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
        from .conversation import check_capacity  # issue 5: open threads >= capacity

        check_capacity(self.store, q.mentor, entry.capacity, now=self.clock())

    def rate_limit(self, *, client: str, email: str, now: datetime) -> None:
        """Fixed-window limits per client and per address; keys are salted hashes."""
        for bucket, value in (("client", client), ("email", email.casefold())):
            rule = policies.RATE_LIMITS[bucket]
            key = tokens.key_hash(self.settings.secret, bucket, value)
            if self.store.hit(bucket, key, window=rule.window, now=now) > rule.limit:
                raise PolicyRefusal("rate_limited")

    def submit(self, q: Question, *, client: str, idempotency_key: str | None) -> Received:
        from .screening import screen

        now = self.clock()
        self.check(q)
        band = policies.age_band(q.age)
        digest = tokens.fingerprint(
            q.mentor, q.lang, q.pseudonym, str(q.age), q.region, q.situation,
            q.email.casefold(), q.question,
        )  # fmt: skip
        key = idempotency_key or f"auto-{digest}"
        self.rate_limit(client=client, email=q.email, now=now)
        screening = screen(q.question)
        flags = screening.kinds
        expires = now + policies.UNCONFIRMED_TTL
        thread = Thread(
            id=new_id(),
            mentor=q.mentor,
            lang=q.lang,
            pseudonym=q.pseudonym,
            age_band=band,
            region=q.region,
            situation=q.situation,
            mentee_email=q.email,
            created_at=now,
            expires_at=expires,
        )
        message = Message(
            id=new_id(),
            thread_id=thread.id,
            author=Side.MENTEE,
            body=q.question,
            delivered_text=screening.delivered_text,
            status=Status.RECEIVED,
            created_at=now,
            updated_at=now,
            expires_at=expires,
            flags=flags,
            priority=int(screening.priority),
        )
        event = Event(
            thread_id=thread.id,
            message_id=message.id,
            action="received",
            actor="mentee",
            at=now,
            detail={"age_band": str(band), "flags": list(flags)},
        )
        stored, first, created = self.store.create_thread(
            thread, message, event, idempotency_key=key, fingerprint=digest, now=now
        )
        if created or first.status == Status.RECEIVED:
            self.send_confirmation(stored, now)
        return Received(
            thread_id=stored.id,
            created=created,
            minor=band == "minor",
            help=screening.needs_help,
        )

    def send_confirmation(self, thread: Thread, now: datetime) -> None:
        token = tokens.issue(
            self.settings.secret,
            thread_id=thread.id,
            side=str(Side.MENTEE),
            purpose=CONFIRM,
            now=now,
            ttl=policies.UNCONFIRMED_TTL,
        )
        entry = self.manifest.get().mentors.get(thread.mentor)
        self.mailer.send(
            compose.confirmation(
                sender=self.settings.sender,
                to=thread.mentee_email or "",
                lang=thread.lang,
                mentor_name=entry.name if entry else thread.mentor,
                link=f"{self.settings.relay_url}/api/questions/confirm?token={token}",
            )
        )

    # --- confirm ---------------------------------------------------------------------------

    def lang_of(self, token: str) -> str:
        """Language of the thread a confirmation link belongs to (checks the link first)."""
        now = self.clock()
        claims = tokens.verify(
            self.settings.secret, token, purpose=CONFIRM, side=str(Side.MENTEE), now=now
        )
        return self.store.get_thread(claims.thread_id, now=now).lang

    def confirm(self, token: str) -> Confirmed:
        """Address proven: received -> confirmed -> pending. Safe to repeat (second click)."""
        now = self.clock()
        claims = tokens.verify(
            self.settings.secret, token, purpose=CONFIRM, side=str(Side.MENTEE), now=now
        )
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
