"""Each mentor's live state as one small public document, so pages never promise a full mentor.

The state comes from `domain.capacity.state_of`, the rule a new question
meets, over the manifest (`accepting`, `capacity`) and the store (open
threads, pauses). The document says only `accepting`, `at_capacity` or
`paused` per slug: no counts, nothing about who asked. It is computed at most
once per `cache_seconds` per process; pages cache it as long again.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..config import Settings
from ..domain.capacity import Availability, state_of
from ..manifest import Manifest, ManifestSource, MentorEntry
from ..ports import Clock, Store

CACHE_SECONDS = 60
SIMILAR_SHOWN = 3


@dataclass(frozen=True, slots=True)
class Published:
    """The document as served: its states, its JSON body and the body's ETag."""

    states: dict[str, Availability]
    body: str
    etag: str


class AvailabilityMap:
    def __init__(
        self,
        store: Store,
        manifest: ManifestSource,
        settings: Settings,
        clock: Clock,
        cache_seconds: int = CACHE_SECONDS,
    ):
        self.store = store
        self.manifest = manifest
        self.default_capacity = settings.limits.default_capacity
        self.clock = clock
        self.max_age = timedelta(seconds=cache_seconds)
        self._lock = threading.Lock()
        self._cached: tuple[Manifest, datetime, Published] | None = None

    def document(self) -> Published:
        """The current document: recomputed when older than the cache age or the site changed."""
        manifest, now = self.manifest.get(), self.clock()
        with self._lock:
            cached = self._cached
            if cached and cached[0] is manifest and now - cached[1] < self.max_age:
                return cached[2]
        published = self._compute(manifest, now)
        with self._lock:
            self._cached = (manifest, now, published)
        return published

    def _compute(self, manifest: Manifest, now: datetime) -> Published:
        accepting = [slug for slug, entry in manifest.mentors.items() if entry.accepting]
        counts = self.store.open_thread_counts(accepting, now=now)
        pauses = self.store.mentor_pauses(accepting)
        states = {}
        for slug, entry in sorted(manifest.mentors.items()):
            states[slug] = state_of(
                accepting=entry.accepting,
                reachable=pauses.get(slug) is False,  # no contact yet: nobody to write to
                open_threads=counts.get(slug, 0),
                capacity=entry.capacity,
                default=self.default_capacity,
            )
        body = json.dumps({"mentors": states}, separators=(",", ":"), sort_keys=True)
        etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:20] + '"'
        return Published(states=states, body=body, etag=etag)

    def similar_open(self, slug: str, limit: int = SIMILAR_SHOWN) -> list[MentorEntry]:
        """The first `limit` of the build's similar mentors who can take a question now."""
        mentors = self.manifest.get().mentors
        entry = mentors.get(slug)
        if entry is None:
            return []
        states = self.document().states
        found = [
            mentors[s]
            for s in entry.similar
            if s in mentors and states.get(s) is Availability.ACCEPTING
        ]
        return found[:limit]
