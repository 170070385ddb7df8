"""Run Pagefind over a built site: one index per language, read from <html lang>."""

from __future__ import annotations

import asyncio
import logging
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
    try:
        pages = asyncio.run(_index(site))
    except Exception as error:  # the service reports failures as several types
        raise SearchIndexError(f"Pagefind failed on {site.name}: {error}") from error
    bundle = site / BUNDLE_DIR
    files = [p for p in bundle.rglob("*") if p.is_file()]
    stats = IndexStats(pages=pages, files=len(files), bytes=sum(p.stat().st_size for p in files))
    log.info("search index: %d pages, %d files, %d bytes", stats.pages, stats.files, stats.bytes)
    return stats
