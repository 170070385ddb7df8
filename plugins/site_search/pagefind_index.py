"""Run Pagefind over the search records: one index per language, merged into one bundle.

Each language is indexed by its own run of the bundled binary (a tuned CLI
run: its Python service API answers one message per 100 ms poll, far too slow
for 20,000 records), one after the other, so Pagefind's memory holds one
language at a time. Pagefind names every file of a language with the
language's code (`pagefind.fr_<hash>.pf_meta`, `index/fr_*.pf_index`, ...),
so the two bundles merge by copying their files together and joining the
`languages` of their `pagefind-entry.json`. Each language's bundle is first made
lighter for a first query's download (`site_search.pagefind_compact`), while
Pagefind indexes the next language.

Each language is indexed without stemming (`--force-language` with a code
Pagefind has no stemmer for, filed under the real code in the entry file):
Snowball's French stemmer cuts "génie" to "gen", which then prefix-matches
"gens", "générale" and "génération". Unstemmed, a query word matches the
words it is a prefix of ("infirmi" finds "infirmière"); `search.js` trims
plural and feminine endings from the query so that "infirmières" still
finds "infirmier".
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from .pagefind_compact import (
    PagefindFormatError,
    compact,
    prepare_own_files,
    read_table,
    warm_own_files,
)
from .query_costs import write_costs

log = logging.getLogger(__name__)

BUNDLE_DIR = "pagefind"
INDEX_FORMAT = "unstemmed-7"  # change it with the indexing options: builds then re-index
ENTRY = "pagefind-entry.json"
OWN_FILES_CACHE = "pagefind-wasm"  # beside the records: Pagefind's wasm and scripts, made once


@dataclass(frozen=True)
class IndexStats:
    pages: int
    files: int
    bytes: int


class SearchIndexError(RuntimeError):
    """Pagefind could not index the site; the build must not be published."""


def unstemmed(lang: str) -> str:
    """The code a language is indexed under: one Pagefind has no stemmer for."""
    return f"x{lang}"


# Pagefind's allocator (jemalloc) on transparent huge pages where the kernel allows them:
# at 10,000 mentors a language's run took 470,000 page faults (its ~400 MB heap freed back
# and faulted in again, page by page), 2-3 s of system time; with them, ~6,000 faults and
# a run 0.5-1 s shorter, for ~25 MB more at its peak. Elsewhere jemalloc ignores it.
PAGEFIND_MALLOC_CONF = "thp:always,metadata_thp:always"


def _pagefind() -> str:
    """The binary itself (its Python launcher costs an interpreter's start, twice a build)."""
    from pagefind.service import get_executable

    found = get_executable()  # PAGEFIND_BINARY_PATH, else the installed pagefind_bin
    if found is None or not found.is_file():
        raise SearchIndexError(
            f"no Pagefind binary at {found}: install the project's requirements (pagefind[bin])"
            if found
            else "Pagefind's binary is not installed: install the project's requirements"
        )
    return str(found)


def _start(site: Path, bundle: Path, lang: str) -> subprocess.Popen:
    command = [_pagefind(), "--site", str(site), "--output-path", str(bundle), "--silent"]
    command += ["--force-language", unstemmed(lang)]
    env = {"_RJEM_MALLOC_CONF": PAGEFIND_MALLOC_CONF} | dict(os.environ)
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def _finish(run: subprocess.Popen, site: Path, bundle: Path) -> None:
    out, err = run.communicate()
    if run.returncode != 0 or not (bundle / ENTRY).exists():
        detail = (err or out).strip() or f"exit status {run.returncode}"
        raise SearchIndexError(f"Pagefind failed on {site.name}: {detail}")


def index_records(records: Path, site: Path, langs=("fr", "en")) -> IndexStats:
    """Index `records/<lang>/` for each language; write the merged bundle to site/pagefind/.

    While Pagefind indexes a language, the one before is compacted: that work is
    in this process, and small (one index chunk in memory at a time).
    """
    site = Path(site).resolve()
    if not site.is_dir():
        raise SearchIndexError(f"cannot index into {site}: no such folder")
    sources = [(lang, Path(records) / lang) for lang in langs if (Path(records) / lang).is_dir()]
    if not sources:
        raise SearchIndexError("no search records to index")
    bundle = site / BUNDLE_DIR
    with tempfile.TemporaryDirectory(prefix="pagefind-", dir=site.parent) as tmp:
        merged = Path(tmp) / BUNDLE_DIR  # a new folder: no stale chunks from an earlier run
        parts = [Path(tmp) / lang for lang, _ in sources]
        own_files_cache = Path(records).parent / OWN_FILES_CACHE
        previous = bundle if bundle.is_dir() else None  # its unchanged files' brotli copies
        warming = None
        entries: list[dict] = []  # each language's, compacted
        running = _start(sources[0][1], parts[0], sources[0][0])
        # A language is compacted beside Pagefind's run over the next, in a thread that
        # lets Pagefind have the CPU first (`_behind_pagefind`).
        with ThreadPoolExecutor(1, "compaction", initializer=_behind_pagefind) as beside:
            compacting = None
            try:
                for number, ((lang, source), part) in enumerate(zip(sources, parts, strict=True)):
                    _finish(running, source, part)
                    warming = warming or warm_own_files(part, own_files_cache)
                    if compacting is not None:
                        entries.append(compacting.result())
                    work = partial(_compacted, lang, part, merged, previous)
                    if number + 1 < len(sources):
                        following, folder = sources[number + 1]
                        running = _start(folder, parts[number + 1], following)
                        compacting = beside.submit(work)
                    else:
                        compacting = None
                        entries.append(work())
            finally:
                if running.poll() is None:  # a failure while the next language was indexed
                    running.kill()
                    running.communicate()
        languages = {lang: info for entry in entries for lang, info in entry["languages"].items()}
        entry = entries[-1] | {"languages": languages}
        if warming:
            warming.join()
        prepare_own_files(merged, own_files_cache)
        (merged / ENTRY).write_text(json.dumps(entry, separators=(",", ":")), encoding="utf-8")
        # Two renames: a site being served answers from the old bundle or the new one.
        old = Path(tmp) / "previous"
        if bundle.exists():
            bundle.rename(old)
        merged.rename(bundle)
    sizes = list(_file_sizes(bundle))
    pages = sum(int(info["page_count"]) for info in languages.values())
    stats = IndexStats(pages=pages, files=len(sizes), bytes=sum(sizes))
    log.info("search index: %d pages, %d files, %d bytes", stats.pages, stats.files, stats.bytes)
    return stats


def _compacted(lang: str, part: Path, merged: Path, previous: Path | None) -> dict:
    """Compact a language's bundle into `merged` and publish its query costs; return its
    entry, the language filed under the page's code (the search picks it by <html lang>)."""
    data = json.loads((part / ENTRY).read_text("utf-8"))
    info = data["languages"][unstemmed(lang)]
    try:
        info["hash"] = compact(part, info["hash"], into=merged, previous=previous)
        write_costs(part, lang, read_table(part / f"pagefind.{info['hash']}.pf_meta"))
    except PagefindFormatError as error:
        raise SearchIndexError(f"cannot compact the '{lang}' index: {error}") from error
    # Same file system (the temporary folder is next to the site): move, not copy.
    shutil.copytree(part, merged, copy_function=os.replace, dirs_exist_ok=True)
    return data | {"languages": {lang: info}}


def _behind_pagefind() -> None:
    """This thread yields the CPU to Pagefind (Linux: a thread's own nice value).

    Beside Pagefind's run over the next language, a compaction at the same
    priority slowed that run by 1.3 s (6.4 s instead of 5.1, at 10,000 mentors)
    for the 1.7 s it took; Pagefind leaves it most of a core meanwhile anyway.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


def _file_sizes(folder: Path) -> Iterator[int]:
    """The size of each file under `folder` (20,000 at 10,000 mentors: one stat each)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                yield from _file_sizes(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                yield entry.stat(follow_symlinks=False).st_size


def indexed_pages(site: Path) -> dict[str, int]:
    """Pages in each language's index, as Pagefind's entry file says."""
    entry = json.loads((Path(site) / BUNDLE_DIR / ENTRY).read_text("utf-8"))
    return {lang: int(info["page_count"]) for lang, info in entry["languages"].items()}


def check_coverage(site: Path, expected: dict[str, int]) -> None:
    """Fail when an index holds fewer pages than the mentor profiles of its language."""
    found = indexed_pages(site)
    for lang, count in expected.items():
        if found.get(lang, 0) < count:
            raise SearchIndexError(
                f"the '{lang}' search index holds {found.get(lang, 0)} pages but the site has "
                f"{count} mentor profiles in that language: are the search records "
                "(site_search.records) still written for every profile?"
            )
