"""What both store adapters share: time codecs and the read checks (an expired row is gone)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ..domain import Expired, NotFound
from ..domain.windows import EPOCH


def ts(value: datetime | None) -> str | None:
    """Fixed-width UTC text, so times compare and sort as strings."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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


def check_alive(what: str, ident: str, expires_at: datetime, now: datetime | None) -> None:
    """Reads behave as if expired rows did not exist (Expired is a NotFound)."""
    if now is not None and expires_at <= now:
        raise Expired(f"{what} {ident} has expired")


def missing(what: str, ident: str) -> NotFound:
    return NotFound(f"no {what} {ident}")
