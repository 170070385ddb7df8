"""Pelican plugin `site_search`: the search pages, browse data, and the Pagefind index.

The search pages, facet data and search records are written with the rest of
the site; Pagefind runs last, over the records (not the rendered pages), and
only when the records changed. Under `mentors.build.build_site` it runs once
Pelican's objects are freed (so the build's memory and Pagefind's do not add
up) and writes its bundle into the staging folder, so a failed index fails
the build before the swap; on rebuild on save it may run after the swap
(`background_index`). A plain `pelican` run indexes on `finalized`.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

from mentors.build import after_pages
from mentors.generator import directory_ready
from pelican import signals

from .pagefind_index import check_coverage, index_records
from .pages import (
    DATA_DIR,
    SearchPageGenerator,
    index_is_current,
    mentors_per_language,
    records_dir,
    start,
)

STALE_MARK = "search-index.stale"  # in the build cache while an index is being rebuilt

# Importing pelican makes every logger created afterwards drop repeated messages
# (pelican.log installs its own logger class globally). The relay shares the
# process in `make serve` and in tests: give everyone else the standard class back.
logging.setLoggerClass(logging.Logger)


_CONTEXT: dict = {}  # the generators' shared context of the running build


def _generators(pelican):
    return SearchPageGenerator


def _context(generator):
    if isinstance(generator, SearchPageGenerator):
        _CONTEXT["context"] = generator.context


def _index(pelican):
    site = Path(pelican.output_path)
    context = _CONTEXT.pop("context", None)
    records = records_dir(pelican.settings)
    needed = (
        context is None
        or (records.parent / STALE_MARK).exists()
        or not index_is_current(context, site)
    )
    if context is not None:
        context["passerelle"].state.save_pending()
    # A partial of plain values: deferred, it may run in another process.
    after_pages(pelican.settings, partial(_write_index, records, needed), site)


def _write_index(records: Path, needed: bool, site: Path) -> None:
    """Index the records into `site` when they changed; check every profile is indexed."""
    stale = records.parent / STALE_MARK
    if needed:
        stale.parent.mkdir(parents=True, exist_ok=True)
        stale.touch()  # until this index is written: a crash or failure redoes it
        index_records(records, site)
    check_coverage(site, mentors_per_language(site / DATA_DIR))
    stale.unlink(missing_ok=True)


def register():
    signals.get_generators.connect(_generators)
    signals.generator_init.connect(_context)
    signals.finalized.connect(_index)
    directory_ready.connect(start)
