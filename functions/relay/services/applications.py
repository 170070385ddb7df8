"""Becoming a mentor: an application is stored, its address proven, then an editor decides.

The applicant's texts are screened: one that carries a contact detail is refused
(they become public if an editor takes them), other findings are flags the
editor sees. Nothing reaches the site until an editor writes the profile
(`invoke new-mentor --from-application`) and commits it; the address then goes
into the mentors' private contacts, in the same write that marks the
application taken, and never into content/.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .. import vocab
from ..config import Settings
from ..domain import (
    Conflict,
    DeliveryJob,
    InvalidInput,
    JobKind,
    MentorContact,
    Side,
    new_id,
)
from ..domain import applications as rules
from ..domain.applications import Application, ApplicationState
from ..ports import Clock, Store
from . import ratelimit
from .links import APPLICATION, Links


@dataclass(frozen=True, slots=True)
class Submission:
    """An application that passed the API's field validation (api/models.ApplicationIn)."""

    lang: str
    name: str
    occupation: str
    sector: str
    region: str
    languages: tuple[str, ...]
    years_experience: int
    topics: tuple[str, ...]
    bio: str
    email: str

    def __repr__(self) -> str:
        return f"Submission(lang={self.lang!r})"


@dataclass(frozen=True, slots=True)
class Confirmed:
    lang: str
    already: bool


class Applications:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        links: Links,
        clock: Clock,
        screen: Callable,
        queued: Callable[[], None] = lambda: None,
    ):
        self.store = store
        self.settings = settings
        self.links = links
        self.clock = clock
        self.screen = screen
        self.queued = queued

    # --- the applicant ---------------------------------------------------------------------

    def check(self, s: Submission) -> tuple[str, ...]:
        """Refuse codes outside data/*.yaml and contact details in the texts; return the flags."""
        problems: dict[str, str] = {}
        for field, name in (("sector", "sectors"), ("region", "regions")):
            if getattr(s, field) not in dict(vocab.labels(name, "fr")):
                problems[field] = "invalid_choice"
        if not set(s.languages) <= dict(vocab.labels("languages", "fr")).keys():
            problems["languages"] = "invalid_choice"
        flags: set[str] = set()
        texts = {"name": s.name, "occupation": s.occupation, "topics": "\n".join(s.topics),
                 "bio": s.bio}  # fmt: skip
        for field, text in texts.items():
            found = self.screen(text)
            if found.masked:  # would become public with the profile
                problems[field] = "contact_in_text"
            flags.update(found.kinds)
        if problems:
            raise InvalidInput(problems)
        return tuple(sorted(flags))

    def submit(self, s: Submission, *, client: str) -> str:
        """Store the application and queue the e-mail that proves the address; its id."""
        now = self.clock()
        flags = self.check(s)
        ratelimit.enforce(
            self.store, self.settings,
            [("client", client), ("application", s.email.casefold())], now,
        )  # fmt: skip
        application = Application(
            id=new_id(), lang=s.lang, name=s.name, occupation=s.occupation, sector=s.sector,
            region=s.region, languages=s.languages, years_experience=s.years_experience,
            topics=s.topics, bio=s.bio, email=s.email, created_at=now,
            expires_at=now + rules.UNCONFIRMED_TTL, flags=flags,
        )  # fmt: skip
        job = DeliveryJob(
            id=new_id(), message_id=application.id, thread_id=application.id,
            recipient=Side.MENTOR, created_at=now, next_attempt_at=now,
            expires_at=application.expires_at, kind=JobKind.APPLICATION,
        )  # fmt: skip
        self.store.create_application(application, jobs=[job], now=now)
        self.queued()
        return application.id

    def lang_of(self, token: str) -> str:
        now = self.clock()
        claims = self.links.verify(token, APPLICATION, now, Side.MENTOR)
        return self.store.get_application(claims.thread_id, now=now).lang

    def confirm(self, token: str) -> Confirmed:
        """The address is proven: the application waits for an editor. Safe to repeat."""
        now = self.clock()
        claims = self.links.verify(token, APPLICATION, now, Side.MENTOR)
        current = self.store.get_application(claims.thread_id, now=now)
        if current.state != ApplicationState.UNCONFIRMED:
            return Confirmed(lang=current.lang, already=True)
        try:
            self.store.update_application(
                rules.confirmed(current, now), expected=ApplicationState.UNCONFIRMED, now=now
            )
        except Conflict:  # a concurrent click won
            return Confirmed(lang=current.lang, already=True)
        return Confirmed(lang=current.lang, already=False)

    # --- the editor ------------------------------------------------------------------------

    def all(self) -> list[Application]:
        return self.store.list_applications(now=self.clock())

    def get(self, application_id: str) -> Application:
        return self.store.get_application(application_id, now=self.clock())

    def take(self, application_id: str, *, slug: str, by: str) -> Application:
        """Mark it taken as profile `slug` and store the address as that mentor's contact (not
        paused: the profile itself says whether it accepts questions)."""
        now = self.clock()
        current = self.store.get_application(application_id, now=now)
        decided = rules.taken(current, slug=slug, by=by, now=now)
        contact = MentorContact(slug=slug, email=current.email or "", updated_at=now)
        return self.store.update_application(
            decided, expected=current.state, now=now, contact=contact
        )

    def decline(self, application_id: str, *, reason: str, by: str) -> Application:
        now = self.clock()
        current = self.store.get_application(application_id, now=now)
        decided = rules.declined(current, reason=reason, by=by, now=now)
        return self.store.update_application(decided, expected=current.state, now=now)
