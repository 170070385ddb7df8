"""The build's search data for the no-JavaScript search, one file per language.

`relay/search-<lang>.json` sits next to the manifest (locally in output/relay/,
on AWS in the site bucket): its location is the manifest's with the file name
changed. A language's file is read on its first search and kept like the
manifest (re-read when the file changes, or every few minutes from S3); the
mentors' words are folded once per load.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from .manifest import ManifestSource
from .search_match import Index

LANGS = ("fr", "en")
FACETS = ("sector", "region", "language")


@dataclass(frozen=True)
class FacetValue:
    value: str
    name: str
    url: str  # the listing page, site-relative


@dataclass(frozen=True)
class SearchData:
    lang: str = "fr"
    mentors: tuple[dict, ...] = ()
    index: Index = Index((), ())
    facets: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)

    @classmethod
    def parse(cls, data: dict) -> SearchData:
        weights = data.get("weights") or {}
        mentors = tuple(data.get("mentors") or ())
        index = Index.of([m.get("fields") or {} for m in mentors], weights)
        return cls(
            lang=str(data.get("lang", "fr")),
            # The searched texts live on in the index only.
            mentors=tuple({k: v for k, v in m.items() if k != "fields"} for m in mentors),
            index=index,
            facets={
                facet: tuple(
                    FacetValue(str(v["value"]), str(v["name"]), str(v["url"]))
                    for v in (data.get("facets") or {}).get(facet, ())
                )
                for facet in FACETS
            },
        )


class _Source(ManifestSource):
    def parse(self, data: dict) -> SearchData:
        return SearchData.parse(data)


def location_of(manifest: str, lang: str) -> str:
    """`.../relay/mentors.json` -> `.../relay/search-<lang>.json` (a path or an s3:// URL)."""
    folder = manifest.rpartition("/")[0]
    return f"{folder}/search-{lang}.json" if folder else f"search-{lang}.json"


class SearchSources:
    """Each language's search data, loaded on first use."""

    def __init__(self, manifest_location: str):
        self.manifest_location = manifest_location
        self._lock = threading.Lock()
        self._sources: dict[str, _Source] = {}

    def get(self, lang: str) -> SearchData:
        """The data of `lang`; OSError (or botocore's ClientError) when the build wrote none."""
        with self._lock:
            source = self._sources.get(lang)
            if source is None:
                source = self._sources[lang] = _Source(location_of(self.manifest_location, lang))
        return source.get()
