"""Fixed-window limits per client and per address, counted under salted hashes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ..config import Settings
from ..domain import RateLimited, tokens, windows
from ..ports import Store


def over(
    store: Store, settings: Settings, keys: Sequence[tuple[str, str]], now: datetime
) -> RateLimited | None:
    """Count one hit for each (bucket, raw value); the refusal if one is over its limit (the
    caller raises it, or returns it from inside a transaction). The store only sees
    `tokens.key_hash` of each value."""
    rules = [(settings.limits.rate(bucket), value) for bucket, value in keys]
    counters = [(r.name, tokens.key_hash(settings.secret, r.name, v), r.window) for r, v in rules]
    for (rule, _), count in zip(rules, store.hits(counters, now=now), strict=True):
        if count > rule.limit:
            return RateLimited(windows.retry_after(now, rule.window))
    return None


def enforce(
    store: Store, settings: Settings, keys: Sequence[tuple[str, str]], now: datetime
) -> None:
    """`over`, raised."""
    refused = over(store, settings, keys, now)
    if refused is not None:
        raise refused
