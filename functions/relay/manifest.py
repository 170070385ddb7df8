"""Which mentors exist and accept questions: the manifest the site build writes.

Read from `PASSERELLE_MANIFEST`: a file path (reloaded when it changes) or
`s3://bucket/key` on AWS (cached for a few minutes per warm Lambda).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

S3_CACHE_SECONDS = 300


@dataclass(frozen=True)
class MentorEntry:
    slug: str
    name: str
    lang: str
    accepting: bool
    capacity: int | None = None
    similar: tuple[str, ...] = ()  # candidate slugs, nearest first (same sector, then region)


@dataclass(frozen=True)
class Manifest:
    mentors: dict[str, MentorEntry] = field(default_factory=dict)
    regions: frozenset[str] = frozenset()
    situations: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, data: dict) -> Manifest:
        mentors = {
            slug: MentorEntry(
                slug=slug,
                name=str(entry.get("name", slug)),
                lang=str(entry.get("lang", "fr")),
                accepting=bool(entry.get("accepting", False)),
                capacity=entry.get("capacity"),
                similar=tuple(str(s) for s in entry.get("similar") or ()),
            )
            for slug, entry in (data.get("mentors") or {}).items()
        }
        return cls(
            mentors=mentors,
            regions=frozenset(str(c) for c in data.get("regions") or ()),
            situations=frozenset(str(c) for c in data.get("situations") or ()),
        )


class ManifestSource:
    """Loads the manifest lazily and keeps it fresh without re-reading on every request."""

    def __init__(self, location: str):
        self.location = location
        self._lock = threading.Lock()
        self._stamp: object = None
        self._loaded_at: float | None = None  # never loaded (monotonic time may be small)
        self._manifest = Manifest()

    def get(self) -> Manifest:
        with self._lock:
            if self.location.startswith("s3://"):
                loaded = self._loaded_at
                if loaded is None or time.monotonic() - loaded > S3_CACHE_SECONDS:
                    self._manifest = self.parse(self._read_s3())
                    self._loaded_at = time.monotonic()
                return self._manifest
            path = Path(self.location)
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            if stamp != self._stamp:
                self._manifest = self.parse(json.loads(path.read_text(encoding="utf-8")))
                self._stamp = stamp
            return self._manifest

    def parse(self, data: dict):
        """The document's object (a subclass reads another document of the build the same way)."""
        return Manifest.parse(data)

    def _read_s3(self) -> dict:
        import boto3

        bucket, _, key = self.location.removeprefix("s3://").partition("/")
        body = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        return json.loads(body)
