"""A conversation after the first question: each side reads it and writes through its own link.

A link is a signed token for one thread and one side; the mentor's link never
shows the mentee's address, and the mentee's link never shows the mentor's.
Every reply is screened and waits for a moderator, whoever wrote it and
whatever the mentee's age. Also here: the mentee's erasure, the mentor's pause
link, capacity (a mentor with as many open threads as their capacity takes no
new question) and the 90-day inactivity close.

Works through the ports only (Store); no HTTP here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .config import Settings
from .domain import (
    Conflict,
    Event,
    InvalidInput,
    MentorContact,
    Message,
    PolicyRefusal,
    Side,
    Status,
    Thread,
    ThreadState,
    new_id,
    policies,
    tokens,
    utcnow,
)
from .manifest import ManifestSource
from .ports import Store

CONVERSATION = "conversation"  # token purpose: read the thread, reply, (mentee) erase
PAUSE = "pause"  # token purpose: the mentor pauses or resumes themself

REPLY_MIN = 2
REPLY_MAX = policies.QUESTION_MAX
REPLIES_PER_DAY = 20
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class Limits:
    """The conversation's tunable numbers (environment variables, documented in the README)."""

    default_capacity: int = 3  # PASSERELLE_DEFAULT_CAPACITY: when a profile sets none
    retention: timedelta = timedelta(days=180)  # PASSERELLE_RETENTION_DAYS: after closing
    link_ttl: timedelta = timedelta(days=30)  # PASSERELLE_LINK_DAYS: links in e-mails
    inactivity: timedelta = policies.INACTIVITY_CLOSE

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Limits:
        env = os.environ if env is None else env

        def number(name: str, default: int) -> int:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            if not raw.isdigit() or int(raw) < 1:
                raise RuntimeError(f"{name} must be a whole number of at least 1, not {raw!r}")
            return int(raw)

        return cls(
            default_capacity=number("PASSERELLE_DEFAULT_CAPACITY", 3),
            retention=timedelta(days=number("PASSERELLE_RETENTION_DAYS", 180)),
            link_ttl=timedelta(days=number("PASSERELLE_LINK_DAYS", 30)),
        )

    def thread_expiry(self, now: datetime) -> datetime:
        """A thread active now can close after `inactivity`, then is kept `retention`."""
        return now + self.inactivity + self.retention


class Links:
    """Signed, expiring links of the e-mails; one side, one thread, one purpose each."""

    def __init__(self, settings: Settings, limits: Limits):
        self.secret = settings.secret
        self.base = settings.relay_url  # the API's origin (PASSERELLE_API_URL on AWS)
        self.limits = limits

    @property
    def days(self) -> int:
        return self.limits.link_ttl.days

    def token(self, thread_id: str, side: Side | str, purpose: str, now: datetime) -> str:
        return tokens.issue(
            self.secret, thread_id=thread_id, side=str(side), purpose=purpose, now=now,
            ttl=self.limits.link_ttl,
        )  # fmt: skip

    def conversation(self, thread_id: str, side: Side | str, now: datetime) -> str:
        token = self.token(thread_id, side, CONVERSATION, now)
        return f"{self.base}/api/conversation?token={token}"

    def pause(self, thread_id: str, now: datetime) -> str:
        token = self.token(thread_id, Side.MENTOR, PAUSE, now)
        return f"{self.base}/api/mentors/pause?token={token}"


def check_capacity(
    store: Store, mentor: str, capacity: int | None, *, now: datetime, limits: Limits | None = None
) -> None:
    """Refuse a new question at once when the mentor already has `capacity` open threads."""
    limit = capacity if isinstance(capacity, int) and capacity > 0 else None
    if limit is None:
        limit = (limits or Limits.from_env()).default_capacity
    if store.count_open_threads(mentor, now=now) >= limit:
        raise PolicyRefusal("not_accepting", "mentor at capacity")


@dataclass(frozen=True, slots=True)
class Shown:
    """One message as a side sees it: its own messages with their status, the other's delivered."""

    id: str
    mine: bool
    text: str
    status: Status
    at: datetime
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class View:
    side: Side
    thread: Thread
    lang: str  # the reader's language
    mentor_name: str
    messages: list[Shown] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.thread.state == ThreadState.OPEN


def visible(messages: list[Message], side: Side) -> list[Shown]:
    """What `side` may read: its own messages (as sent or as passed on), the other's approved."""
    shown = []
    for m in messages:
        mine = m.author == side
        passed = m.status in (Status.APPROVED, Status.DELIVERED)
        if not mine and not passed:
            continue
        text = m.delivered_text if passed else m.body
        if text is None:
            continue
        shown.append(Shown(m.id, mine, text, m.status, m.created_at, m.reason if mine else None))
    return shown


class Conversations:
    def __init__(
        self,
        store: Store,
        manifest: ManifestSource,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
        limits: Limits | None = None,
    ):
        self.store = store
        self.manifest = manifest
        self.settings = settings
        self.clock = clock
        self.limits = limits or Limits.from_env()
        self.links = Links(settings, self.limits)

    # --- reading ---------------------------------------------------------------------------

    def claims(self, token: str, purpose: str = CONVERSATION):
        return tokens.verify(self.settings.secret, token or "", purpose=purpose, now=self.clock())

    def mentor_entry(self, slug: str):
        return self.manifest.get().mentors.get(slug)

    def reader_lang(self, thread: Thread, side: Side) -> str:
        if side == Side.MENTEE:
            return thread.lang
        entry = self.mentor_entry(thread.mentor)
        return entry.lang if entry and entry.lang in ("fr", "en") else "fr"

    def view(self, token: str) -> View:
        """The whole thread as the token's side sees it (BadToken, NotFound/Expired otherwise)."""
        claims = self.claims(token)
        side = Side(claims.side)
        now = self.clock()
        thread = self.store.get_thread(claims.thread_id, now=now)
        entry = self.mentor_entry(thread.mentor)
        messages = self.store.list_messages(thread.id, now=now)
        return View(
            side=side,
            thread=thread,
            lang=self.reader_lang(thread, side),
            mentor_name=entry.name if entry else thread.mentor,
            messages=visible(messages, side),
        )

    # --- replying --------------------------------------------------------------------------

    @staticmethod
    def clean(text: object) -> str:
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput({"text": "required"})
        text = text.replace("\r\n", "\n").strip()
        if CONTROL.search(text):
            raise InvalidInput({"text": "invalid"})
        if len(text) < REPLY_MIN:
            raise InvalidInput({"text": "reply_too_short"})
        if len(text) > REPLY_MAX:
            raise InvalidInput({"text": "reply_too_long"})
        return text

    def reply(self, token: str, text: object, idempotency_key: str | None = None) -> Message:
        """Store a reply from the token's side, screened, straight into the moderation queue."""
        from .screening import screen

        claims = self.claims(token)
        side = Side(claims.side)
        body = self.clean(text)
        now = self.clock()
        thread = self.store.get_thread(claims.thread_id, now=now)
        if thread.state != ThreadState.OPEN:
            raise Conflict(f"thread is {thread.state}")
        key = tokens.key_hash(self.settings.secret, "reply", f"{thread.id}:{side}")
        if self.store.hit("reply", key, window=timedelta(days=1), now=now) > REPLIES_PER_DAY:
            raise PolicyRefusal("rate_limited")
        digest = tokens.fingerprint(thread.id, str(side), body)
        earlier = [  # a detail split over the author's messages is caught ("514 555", "0199")
            m.body for m in self.store.list_messages(thread.id, now=now)
            if m.author == side and m.body
        ]  # fmt: skip
        screening = screen(body, context=earlier[-3:])
        flags = screening.kinds
        message = Message(
            id=new_id(),
            thread_id=thread.id,
            author=side,
            body=body,
            delivered_text=screening.delivered_text,
            status=Status.PENDING,  # authenticated by its link: confirmed, then queued at once
            created_at=now,
            updated_at=now,
            expires_at=thread.expires_at,
            flags=flags,
            priority=int(screening.priority),
        )
        event = Event(
            thread_id=thread.id,
            message_id=message.id,
            action="reply_queued",
            actor=str(side),
            at=now,
            detail={"before": None, "after": "pending", "flags": list(flags)},
        )
        stored, _created = self.store.append_message(
            message, event, idempotency_key=f"reply-{idempotency_key or digest}",
            fingerprint=digest, now=now,
        )  # fmt: skip
        return stored

    # --- the mentee erases, the mentor pauses ----------------------------------------------

    def erase(self, token: str) -> Thread:
        """Only the mentee's link erases: bodies, pseudonym and address go, audit facts stay."""
        claims = tokens.verify(
            self.settings.secret, token or "", purpose=CONVERSATION, side=str(Side.MENTEE),
            now=self.clock(),
        )  # fmt: skip
        now = self.clock()
        before = self.store.get_thread(claims.thread_id, now=now).state
        events = [
            Event(thread_id=claims.thread_id, action="erased", actor="mentee", at=now,
                  detail={"before": str(before), "after": str(ThreadState.ERASED)}),
        ]  # fmt: skip
        if before == ThreadState.ERASED:
            events = []
        return self.store.erase_thread(claims.thread_id, events=events, now=now)

    def _pause_target(self, token: str) -> tuple[Thread, MentorContact]:
        claims = tokens.verify(
            self.settings.secret, token or "", purpose=PAUSE, side=str(Side.MENTOR),
            now=self.clock(),
        )  # fmt: skip
        thread = self.store.get_thread(claims.thread_id, now=self.clock())
        return thread, self.store.get_mentor_contact(thread.mentor)

    def pause_state(self, token: str) -> tuple[str, MentorContact, str]:
        thread, contact = self._pause_target(token)
        return thread.mentor, contact, self.reader_lang(thread, Side.MENTOR)

    def set_paused(self, token: str, paused: bool) -> tuple[MentorContact, str]:
        """Pause or resume the mentor; the audit event goes on the thread whose link was used."""
        thread, contact = self._pause_target(token)
        now = self.clock()
        event = Event(
            thread_id=thread.id, action="mentor_paused" if paused else "mentor_resumed",
            actor=str(Side.MENTOR), at=now,
            detail={"mentor": thread.mentor, "before": {"paused": contact.paused},
                    "after": {"paused": paused}},
        )  # fmt: skip
        stored = self.store.set_mentor_paused(thread.mentor, paused, now=now, events=[event])
        return stored, self.reader_lang(thread, Side.MENTOR)

    # --- maintenance -----------------------------------------------------------------------

    def close_inactive(self, limit: int = 500) -> int:
        """Close open threads without activity for `inactivity`; returns how many closed."""
        now = self.clock()
        closed = 0
        for thread in self.store.inactive_threads(
            before=now - self.limits.inactivity, now=now, limit=limit
        ):
            events = [
                Event(thread_id=thread.id, action="closed", actor="system", at=now,
                      detail={"before": "open", "after": "closed", "why": "inactivity"}),
            ]  # fmt: skip
            try:
                self.store.set_thread_state(
                    thread.id, expected=ThreadState.OPEN, new=ThreadState.CLOSED, events=events,
                    now=now,
                )  # fmt: skip
                closed += 1
            except Conflict:
                continue  # someone else changed it meanwhile; the next sweep looks again
        return closed
