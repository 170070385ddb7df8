"""All my conversations, measured: on SQLite with 20,000 threads of 5,000 invented addresses,
the time to find one address's threads by its salted key (`Store.mentee_threads`) and the time
of the whole list behind the e-mailed link (`MenteeThreads.listing`: the threads, their
messages, the signed links).

    python -m bench.loops
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
THREADS = 20_000
ADDRESSES = 5_000
LOOKUPS = 1_000


def _paths() -> None:
    if str(ROOT / "functions") not in sys.path:
        sys.path.insert(0, str(ROOT / "functions"))


def _quantiles(values: list[float]) -> dict:
    cuts = statistics.quantiles(values, n=100)
    return {"p50_ms": round(cuts[49] * 1000, 3), "p99_ms": round(cuts[98] * 1000, 3)}


def run() -> dict:
    _paths()
    from relay import container
    from relay.config import Settings
    from relay.domain import AgeBand, Event, Message, Side, Status, Thread, new_id, tokens
    from relay.services.links import THREADS as PURPOSE

    with tempfile.TemporaryDirectory(prefix="bench-loops-") as tmp:
        folder = Path(tmp)
        manifest = folder / "mentors.json"
        manifest.write_text(json.dumps({"mentors": {"mentor-1": {"name": "M", "lang": "fr",
                                                                 "accepting": True}}}))  # fmt: skip
        settings = Settings(
            data_dir=folder, store="sqlite", table="", mailer="outbox",
            sender="Passerelle <relais@passerelle.example.org>",
            site_url="http://127.0.0.1:8000", manifest=str(manifest),
            secret=secrets.token_urlsafe(16), moderator_tokens="",
        )  # fmt: skip
        now = datetime.now(UTC)
        relay = container.build(settings, clock=lambda: now)
        keys = [tokens.mentee_key(settings.secret, f"invente{n}@example.org")
                for n in range(ADDRESSES)]  # fmt: skip
        started = time.perf_counter()
        for n in range(THREADS):
            key = keys[n % ADDRESSES]
            thread = Thread(
                id=new_id(), mentor="mentor-1", lang="fr", pseudonym="Invente",
                age_band=AgeBand.ADULT, region="06", situation="secondaire",
                mentee_email="invente@example.org", created_at=now - timedelta(minutes=n),
                expires_at=now + timedelta(days=30), mentee_key=key,
            )  # fmt: skip
            message = Message(
                id=new_id(), thread_id=thread.id, author=Side.MENTEE, body="x" * 40,
                delivered_text="x" * 40, status=Status.PENDING, created_at=now, updated_at=now,
                expires_at=thread.expires_at,
            )  # fmt: skip
            event = Event(thread_id=thread.id, action="received", actor="bench", at=now)
            relay.store.create_thread(thread, message, event, idempotency_key=new_id(),
                                      fingerprint="bench", now=now)  # fmt: skip
        filled = time.perf_counter() - started
        lookups, listings = [], []
        for n in range(LOOKUPS):
            key = keys[(n * 7919) % ADDRESSES]
            t = time.perf_counter()
            found = relay.store.mentee_threads(key, now=now)
            lookups.append(time.perf_counter() - t)
            assert len(found) == THREADS // ADDRESSES
            token = tokens.issue(settings.secret, thread_id=key, side="mentee", purpose=PURPOSE,
                                 now=now, ttl=timedelta(days=7))  # fmt: skip
            t = time.perf_counter()
            relay.mentee_threads.listing(token)
            listings.append(time.perf_counter() - t)
        relay.close()
    results = {
        "threads": THREADS, "addresses": ADDRESSES, "fill_s": round(filled, 1),
        "mentee_threads": _quantiles(lookups), "listing_page_data": _quantiles(listings),
    }  # fmt: skip
    print(f"all my conversations (SQLite): {results}", flush=True)
    return results


if __name__ == "__main__":
    run()
