"""Applications to become a mentor: what they hold, how long they live, how an editor decides.

A person applies through the site; the application waits, unseen, until the
address is proven, then until an editor takes it (its profile goes into
content/, its address into the mentors' private contacts) or declines it.
Once decided, the address and the free texts are dropped and only the
outcome stays a little while, so an editor can see what happened.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from .errors import Conflict

UNCONFIRMED_TTL = timedelta(hours=72)  # an address never proven: the application goes
WAITING_TTL = timedelta(days=120)  # an editor has four months to decide
DECIDED_TTL = timedelta(days=30)  # the outcome (no address, no text) stays a month
BIO_MIN = 80
BIO_MAX = 2000
TOPICS_MAX = 8
REASON_MAX = 500


class ApplicationState(StrEnum):
    UNCONFIRMED = "unconfirmed"  # stored, the address not yet proven
    WAITING = "waiting"  # address proven: in the editors' list
    TAKEN = "taken"  # an editor wrote the profile and stored the contact
    DECLINED = "declined"  # an editor said no, with a reason


@dataclass(frozen=True, slots=True)
class Application:
    """What a person who wants to mentor wrote; never on the site until an editor commits it."""

    id: str
    lang: str
    name: str
    occupation: str
    sector: str
    region: str
    languages: tuple[str, ...]
    years_experience: int
    topics: tuple[str, ...]
    bio: str | None
    email: str | None
    created_at: datetime
    expires_at: datetime
    state: ApplicationState = ApplicationState.UNCONFIRMED
    flags: tuple[str, ...] = ()  # screening kinds found in the free texts
    decided_at: datetime | None = None
    decided_by: str | None = None
    reason: str | None = None  # why it was declined (the editor's words)
    slug: str | None = None  # the profile it became

    def __repr__(self) -> str:  # keeps the address and the texts out of logs and tracebacks
        return f"Application(id={self.id!r}, state={self.state!s})"


def _move(current: Application, allowed: tuple[ApplicationState, ...], target: ApplicationState):
    if current.state not in allowed:
        raise Conflict(f"application {current.id} is {current.state}, not {allowed[0]}")
    return target


def confirmed(current: Application, now: datetime) -> Application:
    """The address is proven: the application waits for an editor (a second click is a no-op)."""
    if current.state == ApplicationState.WAITING:
        return current
    _move(current, (ApplicationState.UNCONFIRMED,), ApplicationState.WAITING)
    return replace(current, state=ApplicationState.WAITING, expires_at=now + WAITING_TTL)


def taken(current: Application, *, slug: str, by: str, now: datetime) -> Application:
    """An editor wrote the profile `slug`: the address leaves the application (it went into the
    mentors' contacts in the same write), the texts too (they are in content/ now)."""
    _move(current, (ApplicationState.WAITING,), ApplicationState.TAKEN)
    return _decided(current, ApplicationState.TAKEN, by, now, slug=slug)


def declined(current: Application, *, reason: str, by: str, now: datetime) -> Application:
    _move(current, (ApplicationState.WAITING,), ApplicationState.DECLINED)
    reason = " ".join(reason.split())[:REASON_MAX]
    if not reason:
        raise ValueError("say why the application is declined")
    return _decided(current, ApplicationState.DECLINED, by, now, reason=reason)


def _decided(current, state, by, now, **more) -> Application:
    return replace(
        current, state=state, email=None, bio=None, decided_at=now, decided_by=by,
        expires_at=now + DECIDED_TTL, **more,
    )  # fmt: skip
