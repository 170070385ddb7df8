"""Housekeeping the relay needs besides requests: deliver, close inactive threads, purge.

On AWS, `lambda_handler.maintenance` runs it every 5 minutes; locally, `make
serve` runs it in a background thread (`Background`), so approved messages
reach the outbox folder without a second command.
"""

from __future__ import annotations

import logging
import threading

from .conversation import Conversations, Limits
from .delivery import Delivery

log = logging.getLogger(__name__)


def run_maintenance(questions, *, purge: bool) -> dict:
    """Deliver due messages, close inactive threads and (if asked) purge expired rows."""
    limits = Limits.from_env()
    clock = questions.clock
    delivery = Delivery.build(
        questions.store, questions.mailer, questions.settings, questions.manifest, clock, limits
    )
    report = delivery.drain()
    closed = Conversations(
        questions.store, questions.manifest, questions.settings, clock, limits
    ).close_inactive()
    purged = questions.store.purge(now=clock()) if purge else 0
    return {"sent": report.sent, "retried": report.retried, "failed": report.failed,
            "closed": closed, "purged": purged}  # fmt: skip


class Background:
    """Runs `run_maintenance` every `every` seconds in a daemon thread until `stop()`."""

    def __init__(self, questions, every: float = 5.0, purge_every: int = 720):
        self.questions = questions
        self.every = every
        self.purge_every = purge_every  # rounds: about once an hour at 5 s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="relay-maintenance", daemon=True)

    def start(self) -> Background:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        rounds = 0
        while not self._stop.wait(self.every):
            rounds += 1
            try:
                run_maintenance(self.questions, purge=rounds % self.purge_every == 0)
            except Exception as error:  # keep serving; the next round tries again
                log.warning("maintenance_failed", extra={"type": type(error).__name__})
