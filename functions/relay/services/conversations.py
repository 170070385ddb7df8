"""A conversation after the first question: each side reads it and writes through its own link.

A link is a signed token for one thread and one side; the mentor's link never
shows the mentee's address, and the mentee's link never shows the mentor's.
Every reply is screened and waits for a moderator, whoever wrote it and
whatever the mentee's age. Also here: the mentee's erasure and the mentor's
pause link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..config import Settings
from ..domain import (
    Conflict,
    Event,
    InvalidInput,
    MentorContact,
    Message,
    RateLimited,
    Side,
    Status,
    Thread,
    ThreadState,
    idempotency,
    new_id,
    policies,
    tokens,
    windows,
)
from ..domain.text import allowed
from ..manifest import ManifestSource
from ..ports import Clock, Mailer, Store
from .links import CONVERSATION, PAUSE, Links

REPLY_MIN = 2
REPLY_MAX = policies.QUESTION_MAX


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


def clean_text(text: object, *, minimum: int, maximum: int, too_short: str, too_long: str) -> str:
    """A text as stored: CRLF folded, trimmed, nothing `domain.text` forbids, within bounds."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput({"text": "required"})
    text = text.replace("\r\n", "\n").strip()
    if not allowed(text):
        raise InvalidInput({"text": "invalid"})
    if len(text) < minimum:
        raise InvalidInput({"text": too_short})
    if len(text) > maximum:
        raise InvalidInput({"text": too_long})
    return text


class Conversations:
    def __init__(
        self,
        store: Store,
        mailer: Mailer,
        manifest: ManifestSource,
        settings: Settings,
        links: Links,
        clock: Clock,
        screen: Callable,
    ):
        self.store = store
        self.mailer = mailer
        self.manifest = manifest
        self.settings = settings
        self.limits = settings.limits
        self.links = links
        self.clock = clock
        self.screen = screen

    # --- reading ---------------------------------------------------------------------------

    def claims(self, token: str, purpose: str = CONVERSATION, side: Side | None = None):
        return self.links.verify(token, purpose, self.clock(), side)

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
        return clean_text(
            text, minimum=REPLY_MIN, maximum=REPLY_MAX, too_short="reply_too_short",
            too_long="reply_too_long",
        )  # fmt: skip

    def reply(self, token: str, text: object, idempotency_key: str | None = None) -> Message:
        """Store a reply from the token's side, screened, straight into the moderation queue."""
        claims = self.claims(token)
        side = Side(claims.side)
        body = self.clean(text)
        now = self.clock()
        thread = self.store.get_thread(claims.thread_id, now=now)
        if thread.state != ThreadState.OPEN:
            raise Conflict(f"thread is {thread.state}")
        digest = idempotency.fingerprint(self.settings.secret, thread.id, str(side), body)
        key = f"reply-{idempotency_key or digest}"
        seen = idempotency.replay(self.store.find_idempotent(key, now=now), digest)
        if seen is not None:  # a replay: the stored reply, no rate-limit hit
            return self.store.get_message(seen.message_id, now=now)
        rule = self.limits.rate("reply")
        counter = tokens.key_hash(self.settings.secret, "reply", f"{thread.id}:{side}")
        if self.store.hit("reply", counter, window=rule.window, now=now) > rule.limit:
            raise RateLimited(windows.retry_after(now, rule.window))
        earlier = [  # a detail split over the author's messages is caught ("514 555", "0199")
            m.body for m in self.store.list_messages(thread.id, now=now)
            if m.author == side and m.body
        ]  # fmt: skip
        screening = self.screen(body, context=earlier[-3:])
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
            message, event, idempotency_key=key, fingerprint=digest, now=now
        )
        return stored

    # --- the mentee erases, the mentor pauses ----------------------------------------------

    def erase(self, token: str) -> Thread:
        """Only the mentee's link erases: bodies, pseudonym and address go, audit facts stay.

        The store keeps no old copy (secure delete, WAL checkpoint) and the mailer
        forgets its local copies of the thread's e-mails.
        """
        claims = self.claims(token, CONVERSATION, Side.MENTEE)
        now = self.clock()
        before = self.store.get_thread(claims.thread_id, now=now).state
        events = [
            Event(thread_id=claims.thread_id, action="erased", actor="mentee", at=now,
                  detail={"before": str(before), "after": str(ThreadState.ERASED)}),
        ]  # fmt: skip
        if before == ThreadState.ERASED:
            events = []
        erased = self.store.erase_thread(claims.thread_id, events=events, now=now)
        self.mailer.forget(claims.thread_id)
        return erased

    def _pause_target(self, token: str) -> tuple[Thread, MentorContact]:
        claims = self.claims(token, PAUSE, Side.MENTOR)
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
