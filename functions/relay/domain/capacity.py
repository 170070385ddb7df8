"""A mentor's capacity: how many open conversations they take at once (one rule, both stores).

A thread counts once its first message is past `received` (the address was
proven): an unconfirmed question never blocks a mentor. Stores count those
threads (`Store.count_open_threads`); this module decides.
"""

from __future__ import annotations

from .errors import PolicyRefusal


def limit_of(capacity: object, default: int) -> int:
    """The profile's `capacity` when it is a positive whole number, else the default."""
    if isinstance(capacity, int) and not isinstance(capacity, bool) and capacity > 0:
        return capacity
    return default


def check_room(open_threads: int, capacity: object, default: int) -> None:
    """Refuse a new question when the mentor already has as many open threads as allowed."""
    if open_threads >= limit_of(capacity, default):
        raise PolicyRefusal("not_accepting", "mentor at capacity")
