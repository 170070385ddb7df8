"""Pelican plugin `site_search`: the search pages, browse data, and the Pagefind index.

The search pages, facet data and search records are written with the rest of
the site; Pagefind runs last, on `finalized`, over the records (not the
rendered pages) and writes its bundle into the folder Pelican wrote (the
staging folder of `mentors.build.build_site`), so a failed index fails the
build before the swap.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pelican import signals

from .pagefind_index import check_coverage, index_records
from .pages import (
    DATA_DIR,
    SearchPageGenerator,
    index_is_current,
    mentors_per_language,
    records_dir,
)

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
    if context is None or not index_is_current(context, site):
        index_records(records_dir(pelican.settings), site)
    check_coverage(site, mentors_per_language(site / DATA_DIR))
    if context is not None:
        context["passerelle"].state.save_pending()


def register():
    signals.get_generators.connect(_generators)
    signals.generator_init.connect(_context)
    signals.finalized.connect(_index)
