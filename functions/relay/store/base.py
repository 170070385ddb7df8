"""What both store adapters share: the time codecs (text for sorting, epoch seconds for TTL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from ..domain.windows import EPOCH


def ts(value: datetime | None) -> str | None:
    """Fixed-width UTC text, so times compare and sort as strings."""
    if value is None:
        return None
    return _ts(value)


@lru_cache(maxsize=64)  # a request writes the same few instants (now, its expiries) many times
def _ts(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store")
    # isoformat is twice as fast as strftime (a request writes some twenty times)
    return value.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"


def dt(value: str | None) -> datetime | None:
    """Back from `ts`: an aware UTC datetime (fromisoformat reads the trailing Z)."""
    if value is None:
        return None
    return datetime.fromisoformat(value)


def epoch(value: datetime) -> Decimal:
    """Epoch seconds, exact to the microsecond (DynamoDB's TTL attribute)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store")
    delta = value - EPOCH
    return Decimal(delta.days * 86400 + delta.seconds) + Decimal(delta.microseconds).scaleb(-6)


def from_epoch(value: Decimal) -> datetime:
    seconds = int(value)
    micros = int((value - seconds) * 1_000_000)
    return EPOCH + timedelta(seconds=seconds, microseconds=micros)
