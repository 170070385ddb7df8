"""All my conversations: one e-mailed link that lists every thread of a mentee's address.

The request answers the same whether or not the address has threads (no way to
learn who asked whom); a link goes out only when it has some, through the
outbox, to the address the newest thread already holds. Threads are found by
the salted key each one keeps (`tokens.mentee_key`), never by the address, and
the link names that key, signed and expiring; the list never shows the address.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..config import Settings
from ..domain import DeliveryJob, Event, JobKind, Side, new_id, tokens
from ..domain import mentee_threads as rules
from ..manifest import ManifestSource
from ..ports import Clock, Store
from . import ratelimit
from .links import CONVERSATION, THREADS, THREADS_TTL, Links


@dataclass(frozen=True, slots=True)
class Listed:
    """One line of the list: never the address, never a text."""

    thread_id: str
    lang: str
    mentor: str
    mentor_name: str
    started: datetime
    last_activity: datetime
    status: rules.ThreadStatus
    link: str  # the mentee's own signed link to the conversation


class MenteeThreads:
    def __init__(
        self,
        store: Store,
        manifest: ManifestSource,
        settings: Settings,
        links: Links,
        clock: Clock,
        queued: Callable[[], None] = lambda: None,
    ):
        self.store = store
        self.manifest = manifest
        self.settings = settings
        self.links = links
        self.clock = clock
        self.queued = queued

    def _threads(self, key: str, now: datetime):
        for thread in self.store.mentee_threads(key, now=now):
            messages = self.store.list_messages(thread.id, now=now)
            if rules.listed(thread, messages):
                yield thread, messages

    def request(self, email: str, *, client: str) -> bool:
        """Queue the link if this address has conversations; True when one was queued (for
        tests and logs: the API answers the same either way). RateLimited past the limits."""
        now = self.clock()
        key = tokens.mentee_key(self.settings.secret, email)
        ratelimit.enforce(self.store, self.settings, [("client", client), ("threads_link", key)],
                          now)  # fmt: skip
        return self._queue(key, now)

    def request_from_conversation(self, token: str, *, client: str) -> bool:
        """The same, asked from a conversation's page: its mentee link stands for the address.
        BadToken / NotFound if that link is not valid."""
        now = self.clock()
        claims = self.links.verify(token, CONVERSATION, now, Side.MENTEE)
        thread = self.store.get_thread(claims.thread_id, now=now)
        ratelimit.enforce(self.store, self.settings, [("client", client)], now)
        if not thread.mentee_key:  # erased
            return False
        ratelimit.enforce(self.store, self.settings, [("threads_link", thread.mentee_key)], now)
        return self._queue(thread.mentee_key, now)

    def _queue(self, key: str, now: datetime) -> bool:
        newest = next(self._threads(key, now), None)
        if newest is None:
            return False
        thread, messages = newest
        job = DeliveryJob(
            id=new_id(), message_id=messages[0].id, thread_id=thread.id, recipient=Side.MENTEE,
            created_at=now, next_attempt_at=now, kind=JobKind.THREADS_LINK,
            expires_at=min(thread.expires_at, now + THREADS_TTL),
        )  # fmt: skip
        event = Event(
            thread_id=thread.id, action="threads_link_requested", actor="mentee", at=now,
            detail={"job": job.id},
        )  # fmt: skip
        self.store.enqueue(job, event, now=now)
        self.queued()
        return True

    def listing(self, token: str) -> list[Listed]:
        """The threads the link's key names, newest first (BadToken if the link is not valid)."""
        now = self.clock()
        claims = self.links.verify(token, THREADS, now, Side.MENTEE)
        mentors = self.manifest.get().mentors
        found = []
        for thread, messages in self._threads(claims.thread_id, now):
            entry = mentors.get(thread.mentor)
            found.append(
                Listed(
                    thread_id=thread.id, lang=thread.lang, mentor=thread.mentor,
                    mentor_name=entry.name if entry else thread.mentor,
                    started=thread.created_at,
                    last_activity=thread.last_activity_at or thread.created_at,
                    status=rules.status_of(thread, messages),
                    link=self.links.conversation(thread.id, Side.MENTEE, now),
                )
            )  # fmt: skip
        return found
