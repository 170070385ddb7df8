"""Terminal entry points called by tasks.py (`invoke mentor-contact`, `invoke audit`, ...).

Mentors' private addresses live only in the relay's store: this is how an
operator sets them. Output never prints a full address.
"""

from __future__ import annotations

import sys

from .config import Settings
from .domain import MentorContact, NotFound, utcnow
from .manifest import ManifestSource
from .store import open_store


def mask(address: str) -> str:
    """`marie@example.org` -> `m***@example.org`: enough to recognise, not to copy."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(1)


def _known_slugs(settings: Settings) -> set[str] | None:
    try:
        return set(ManifestSource(settings.manifest).get().mentors)
    except (OSError, ValueError):
        return None  # no build yet: cannot check the slug


def mentor_contact(slug: str, email: str | None = None, remove: bool = False) -> None:
    """Set, show or remove a mentor's private contact address."""
    from .api.models import EMAIL

    settings = Settings.from_env()
    store = open_store(settings)
    if email and remove:
        _fail("give --email or --remove, not both")
    known = _known_slugs(settings)
    if known is not None and slug not in known and not remove:
        _fail(f"no mentor {slug!r} in {settings.manifest} (run `invoke build` first?)")
    if remove:
        try:
            store.remove_mentor_contact(slug)
        except NotFound:
            _fail(f"{slug} has no contact address")
        print(f"{slug}: contact removed")
        return
    if email:
        email = email.strip()
        if not EMAIL.match(email) or len(email) > 254:
            _fail(f"not a valid e-mail address for {slug}")
        try:
            paused = store.get_mentor_contact(slug).paused
        except NotFound:
            paused = False
        store.set_mentor_contact(
            MentorContact(slug=slug, email=email, paused=paused, updated_at=utcnow())
        )
    try:
        contact = store.get_mentor_contact(slug)
    except NotFound:
        _fail(f"{slug} has no contact address (set one with --email)")
    state = "paused" if contact.paused else "receiving questions"
    print(f"{slug}: {mask(contact.email)} ({state})")


def audit(thread_id: str) -> None:
    """Print a thread's audit log: who did what, when (no message text, no address)."""
    store = open_store(Settings.from_env())
    events = store.events(thread_id)
    if not events:
        _fail(f"no events for thread {thread_id}")
    for event in events:
        detail = " ".join(f"{k}={v}" for k, v in sorted(event.detail.items()))
        target = f" message={event.message_id}" if event.message_id else ""
        print(f"{event.at.isoformat()}  {event.actor:<24} {event.action}{target} {detail}".rstrip())


def purge() -> None:
    """Delete every expired row (unconfirmed questions after 72 h, old threads, counters)."""
    removed = open_store(Settings.from_env()).purge(now=utcnow())
    print(f"purged {removed} expired rows")
