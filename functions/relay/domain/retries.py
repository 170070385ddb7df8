"""When to try a failed e-mail again: exponential backoff with jitter, capped, until expiry.

A transient failure is never final: the job is tried again, at most
JOB_BACKOFF_CAP apart, for as long as the message it carries lives. Jitter
spreads the retries so a mailer coming back is not met by every job at once.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from .policies import JOB_BACKOFF_BASE, JOB_BACKOFF_CAP, JOB_JITTER


def backoff(attempts: int, rand: Callable[[], float] = random.random) -> timedelta:
    """Delay after the n-th failed attempt: 30 s, 1 min, 2 min... capped at 1 h, each +-25 %."""
    base = JOB_BACKOFF_BASE * (2 ** min(max(attempts - 1, 0), 20))
    base = min(base, JOB_BACKOFF_CAP)
    spread = 1 + JOB_JITTER * (2 * rand() - 1)
    return min(base * spread, JOB_BACKOFF_CAP)


def next_attempt(
    attempts: int, now: datetime, until: datetime, rand: Callable[[], float] = random.random
) -> datetime | None:
    """Next try after `attempts` failures, never later than `until`; None once `until` passed."""
    if now >= until:
        return None
    return min(now + backoff(attempts, rand), until)
