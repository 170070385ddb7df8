"""Run Pagefind over a built site: one index per language, read from <html lang>."""

from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pagefind.index import IndexConfig, PagefindIndex

log = logging.getLogger(__name__)

# Never index interactive parts of a page: the question form, navigation.
EXCLUDED = ["form", "nav", "[data-search-skip]"]
BUNDLE_DIR = "pagefind"


@dataclass(frozen=True)
class IndexStats:
    pages: int
    files: int
    bytes: int


class SearchIndexError(RuntimeError):
    """Pagefind could not index the site; the build must not be published."""


async def _index(site: Path) -> int:
    config = IndexConfig(exclude_selectors=EXCLUDED, output_path=str(site / BUNDLE_DIR))
    async with PagefindIndex(config=config) as index:
        result = await index.add_directory(str(site))
        return int(result["page_count"])


def index_site(site: Path) -> IndexStats:
    """Index every page of `site` marked with data-pagefind-body; write site/pagefind/."""
    site = Path(site).resolve()
    if not site.is_dir():
        raise SearchIndexError(f"cannot index {site}: no such folder")
    try:
        # A thread of its own: the caller may already run an event loop (Playwright does).
        with ThreadPoolExecutor(max_workers=1) as pool:
            pages = pool.submit(asyncio.run, _index(site)).result()
    except Exception as error:  # the service reports failures as several types
        raise SearchIndexError(f"Pagefind failed on {site.name}: {error}") from error
    bundle = site / BUNDLE_DIR
    files = [p for p in bundle.rglob("*") if p.is_file()]
    stats = IndexStats(pages=pages, files=len(files), bytes=sum(p.stat().st_size for p in files))
    log.info("search index: %d pages, %d files, %d bytes", stats.pages, stats.files, stats.bytes)
    return stats


def indexed_pages(site: Path) -> dict[str, int]:
    """Pages in each language's index, as Pagefind's entry file says."""
    entry = json.loads((Path(site) / BUNDLE_DIR / "pagefind-entry.json").read_text("utf-8"))
    return {lang: int(info["page_count"]) for lang, info in entry["languages"].items()}


def check_coverage(site: Path, expected: dict[str, int]) -> None:
    """Fail when an index holds fewer pages than the mentor profiles of its language.

    Pagefind indexes nothing, silently, from pages that lost `data-pagefind-body`.
    """
    found = indexed_pages(site)
    for lang, count in expected.items():
        if found.get(lang, 0) < count:
            raise SearchIndexError(
                f"the '{lang}' search index holds {found.get(lang, 0)} pages but the site has "
                f"{count} mentor profiles in that language: does theme/templates/mentor.html "
                "still mark <main> with data-pagefind-body and <html lang>?"
            )
