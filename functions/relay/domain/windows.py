"""Fixed rate-limit windows: where the window holding `now` starts, and when to try again."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def window_start(now: datetime, window: timedelta) -> datetime:
    """Windows start at whole multiples of `window` since the epoch."""
    span = int(window.total_seconds())
    return EPOCH + timedelta(seconds=int((now - EPOCH).total_seconds()) // span * span)


def window_end(now: datetime, window: timedelta) -> datetime:
    return window_start(now, window) + window


def retry_after(now: datetime, window: timedelta) -> int:
    """Whole seconds until the next window opens (at least 1): the refusal's Retry-After."""
    return max(1, math.ceil((window_end(now, window) - now).total_seconds()))
