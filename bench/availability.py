"""Availability benchmark: time to compute GET /api/availability.json on SQLite for 1,000 and
10,000 mentors (a tenth of them with open threads), the cached answer, and the document's size.

    python -m bench.availability
"""

from __future__ import annotations

import json
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1_000, 10_000)
REPEAT = 5


def _paths() -> None:
    if str(ROOT / "functions") not in sys.path:
        sys.path.insert(0, str(ROOT / "functions"))


def _relay(folder: Path, size: int):
    from relay import container
    from relay.config import Settings
    from relay.domain import AgeBand, Event, MentorContact, Message, Side, Status, Thread, new_id

    slugs = [f"mentor-{n:05d}" for n in range(size)]
    mentors = {s: {"name": s, "lang": "fr", "accepting": n % 9 != 0, "capacity": 3}
               for n, s in enumerate(slugs)}  # fmt: skip
    manifest = folder / "mentors.json"
    manifest.write_text(json.dumps({"mentors": mentors}), encoding="utf-8")
    settings = Settings(
        data_dir=folder, store="sqlite", table="", mailer="outbox",
        sender="Passerelle <relais@passerelle.example.org>", site_url="http://127.0.0.1:8000",
        manifest=str(manifest), secret=secrets.token_urlsafe(16), moderator_tokens="",
    )  # fmt: skip
    now = datetime.now(UTC)
    relay = container.build(settings, clock=lambda: now)
    store = relay.store
    for n, slug in enumerate(slugs):
        store.set_mentor_contact(MentorContact(slug=slug, email=f"{slug}@example.org"))
        for _ in range(1 + n % 4 if n % 10 == 0 else 0):  # invented open threads
            thread = Thread(
                id=new_id(), mentor=slug, lang="fr", pseudonym="Invente", age_band=AgeBand.ADULT,
                region="06", situation="secondaire", mentee_email="invente@example.org",
                created_at=now, expires_at=now + timedelta(days=3),
            )  # fmt: skip
            message = Message(
                id=new_id(), thread_id=thread.id, author=Side.MENTEE, body="x" * 40,
                delivered_text="x" * 40, status=Status.PENDING, created_at=now,
                updated_at=now, expires_at=thread.expires_at,
            )  # fmt: skip
            event = Event(thread_id=thread.id, action="received", actor="bench", at=now)
            store.create_thread(
                thread, message, event, idempotency_key=new_id(), fingerprint="f", now=now
            )
    return relay


def run() -> None:
    _paths()
    for size in SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            relay = _relay(Path(tmp), size)
            service = relay.availability
            manifest = relay.manifest.get()
            computed = []
            for _ in range(REPEAT):
                start = time.perf_counter()
                published = service._compute(manifest, relay.clock())
                computed.append((time.perf_counter() - start) * 1000)
            service.document()
            start = time.perf_counter()
            service.document()
            cached_us = (time.perf_counter() - start) * 1e6
            states = list(published.states.values())
            print(
                f"{size:>6} mentors: compute median {statistics.median(computed):.1f} ms "
                f"(max {max(computed):.1f}), cached {cached_us:.0f} µs, "
                f"{len(published.body.encode()) / 1024:.1f} KiB "
                f"({states.count('accepting')} accepting, {states.count('at_capacity')} full, "
                f"{states.count('paused')} paused)",
                flush=True,
            )
            relay.close()


if __name__ == "__main__":
    run()
