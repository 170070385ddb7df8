"""A mentor's capacity and live state: one rule for the question form and the availability map.

A thread counts once its first message is past `received` (the address was
proven): an unconfirmed question never blocks a mentor. Stores count those
threads (`Store.count_open_threads`, `Store.open_thread_counts`); this module
decides, so a question is refused exactly when the published state says so.
"""

from __future__ import annotations

from enum import StrEnum

from .errors import PolicyRefusal


class Availability(StrEnum):
    """What the site may say about a mentor right now (nothing more precise is published)."""

    ACCEPTING = "accepting"
    AT_CAPACITY = "at_capacity"
    PAUSED = "paused"  # the profile does not accept, the mentor paused, or has no contact yet


def limit_of(capacity: object, default: int) -> int:
    """The profile's `capacity` when it is a positive whole number, else the default."""
    if isinstance(capacity, int) and not isinstance(capacity, bool) and capacity > 0:
        return capacity
    return default


def state_of(
    *, accepting: bool, reachable: bool, open_threads: int, capacity: object, default: int
) -> Availability:
    """The live state: `accepting` comes from the profile, `reachable` is a contact that is
    not paused, `open_threads` what the store counts."""
    if not accepting or not reachable:
        return Availability.PAUSED
    if open_threads >= limit_of(capacity, default):
        return Availability.AT_CAPACITY
    return Availability.ACCEPTING


def check_room(open_threads: int, capacity: object, default: int) -> None:
    """Refuse a new question when the mentor already has as many open threads as allowed."""
    state = state_of(
        accepting=True, reachable=True, open_threads=open_threads, capacity=capacity,
        default=default,
    )  # fmt: skip
    if state is not Availability.ACCEPTING:
        raise PolicyRefusal("not_accepting", "mentor at capacity")
