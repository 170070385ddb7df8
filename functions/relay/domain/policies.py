"""The service's rules in numbers: who may ask, how long things live, how often one may post."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from .errors import PolicyRefusal
from .models import AgeBand

MIN_AGE = 14  # in Québec, the age from which a young person consents alone
MAJORITY = 18
MAX_AGE = 30

QUESTION_MIN = 20
QUESTION_MAX = 2000
PSEUDONYM_MAX = 40

UNCONFIRMED_TTL = timedelta(hours=72)  # a question whose address is never proven
THREAD_TTL = timedelta(days=365)  # retention of a confirmed thread (issue 5 tunes it)
INACTIVITY_CLOSE = timedelta(days=90)
IDEMPOTENCY_TTL = timedelta(hours=24)
AUDIT_TTL = timedelta(days=3 * 365)  # audit facts outlive an erased thread

MIN_FILL_SECONDS = 3  # a human needs at least this long to fill the form

# Delivery jobs (outbox): a lease per attempt; retries back off (domain/retries.py) and go on
# until the job's own expiry. After STUCK_AFTER attempts moderators see it as undeliverable.
JOB_LEASE = timedelta(minutes=2)
STUCK_AFTER = 6
JOB_BACKOFF_BASE = timedelta(seconds=30)
JOB_BACKOFF_CAP = timedelta(hours=1)
JOB_JITTER = 0.25  # each delay is drawn within +-25 % so a recovering mailer is not hit at once


def filled_too_fast(rendered_at_ms: int | None, now_ms: int) -> bool:
    """A form sent less than MIN_FILL_SECONDS after its page was rendered, or whose page time
    is unknown (empty) or in the future, was not filled by a person at a person's pace."""
    if rendered_at_ms is None:
        return True
    return now_ms - rendered_at_ms < MIN_FILL_SECONDS * 1000  # the future is negative: too fast


def age_band(age: int) -> AgeBand:
    """Map an age to its band, or refuse kindly outside 14 to 30."""
    if age < MIN_AGE:
        raise PolicyRefusal("too_young")
    if age > MAX_AGE:
        raise PolicyRefusal("too_old")
    return AgeBand.MINOR if age < MAJORITY else AgeBand.ADULT


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `limit` hits per fixed `window` for one key (a salted hash, never the raw value)."""

    name: str
    limit: int
    window: timedelta
