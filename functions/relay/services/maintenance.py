"""Housekeeping besides requests: send due e-mails, close inactive threads, purge expired rows.

On AWS, `relay.aws.handlers.maintenance` runs it every 5 minutes; locally, `make
serve` runs it in a background thread (`Background`), woken at once when a
request queues an e-mail, so the outbox folder fills without a second command.
"""

from __future__ import annotations

import logging
import threading

from ..config import Settings
from ..domain import Conflict, Event, ThreadState
from ..ports import Clock, Store
from .delivery import Delivery, Wakeup

log = logging.getLogger(__name__)


class Maintenance:
    def __init__(self, store: Store, delivery: Delivery, settings: Settings, clock: Clock):
        self.store = store
        self.delivery = delivery
        self.limits = settings.limits
        self.clock = clock

    def run(self, *, purge: bool) -> dict:
        """Deliver due e-mails, close inactive threads and (if asked) purge expired rows."""
        report = self.delivery.drain()
        closed = self.close_inactive()
        purged = self.store.purge(now=self.clock()) if purge else 0
        return {"sent": report.sent, "retried": report.retried, "failed": report.failed,
                "closed": closed, "purged": purged}  # fmt: skip

    def close_inactive(self, limit: int = 500) -> int:
        """Close open threads without activity for `inactivity`; returns how many closed."""
        now = self.clock()
        closed = 0
        for thread in self.store.inactive_threads(
            before=now - self.limits.inactivity, now=now, limit=limit
        ):
            events = [
                Event(thread_id=thread.id, action="closed", actor="system", at=now,
                      detail={"before": "open", "after": "closed", "why": "inactivity"}),
            ]  # fmt: skip
            try:
                self.store.set_thread_state(
                    thread.id, expected=ThreadState.OPEN, new=ThreadState.CLOSED, events=events,
                    now=now,
                )  # fmt: skip
                closed += 1
            except Conflict:
                continue  # someone else changed it meanwhile; the next sweep looks again
        return closed


class Background:
    """Runs `Maintenance.run` every `every` seconds (or when woken) until `stop()`."""

    def __init__(
        self, maintenance: Maintenance, wakeup: Wakeup, every: float = 5.0, purge_every: int = 720
    ):
        self.maintenance = maintenance
        self.wakeup = wakeup
        self.every = every
        self.purge_every = purge_every  # rounds: about once an hour at 5 s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="relay-maintenance", daemon=True)

    def start(self) -> Background:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.wakeup.ring()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        rounds = 0
        while not self._stop.is_set():
            self.wakeup.wait(self.every)
            if self._stop.is_set():
                break
            rounds += 1
            try:
                self.maintenance.run(purge=rounds % self.purge_every == 0)
            except Exception as error:  # keep serving; the next round tries again
                log.warning("maintenance_failed", extra={"type": type(error).__name__})
