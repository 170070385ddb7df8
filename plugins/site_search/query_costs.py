"""What each query word costs a first search, published so that the search page keeps
any query within a budget of index bytes.

Pagefind downloads one index chunk for each query word: the first chunk whose
range holds the word, or, when no word of the query falls in a range, the first
whose range holds its start (pagefind_web's `request_indexes`). Most chunks
hold many rare words (~4 KB), but a word of most profiles has a chunk of its
own of 12-20 KB at 10,000 mentors, so a query of enough such words has no bound.

A query also downloads the filter of each facet value it is narrowed by (each
value is a filter of its own, `site_search.records`: 0.3-10 KB at 10,000 mentors).
Beside each language's page table the index publishes `query-costs.<lang>.json`:
the budget, each response's headers, every chunk's range with the bytes a host
with the brotli copies sends for it (`site_search.brotli_copies`), the same for the
filters of more than `LISTED_FILTER` bytes, and the most any other filter costs.
The search page (`withinBudget` in `search.js`) takes the filters a query needs
out of the budget, finds each query word's chunk as Pagefind does, keeps the
cheapest words while their chunks fit (a chunk counted once) and says which
words it left out: those whose chunks are biggest, the words most profiles hold,
which narrow a result the least. The same query and facets always keep the same words.

At 10,000 mentors, Pagefind's fixed part is ~84 KB (its wasm, worker, the language's
page table and this file) and the first results' fragments ~15 KB at most: a budget
of 49 KB keeps a first query within 150 KB whatever is typed and whichever facets are
chosen (the costliest value of each of the four facets takes ~22 KB together, and
the biggest chunk ~20 KB), and keeps the index's three commonest words together.
"""

from __future__ import annotations

import json
from pathlib import Path

from mentors.incremental import write_atomic

from .brotli_copies import copy_of, write_copy
from .records import TYPE_FILTER

QUERY_INDEX_BYTES = 49_000
REQUEST_BYTES = 250  # a chunk's response headers, over HTTP/1.1 (the bench's server: ~200)
FILE = "query-costs.{lang}.json"  # in the bundle, beside the page tables
LISTED_FILTER = 1_000  # bytes: a facet value's filter (most are ~0.5 KB) listed by name above


def costs_file(lang: str) -> str:
    return FILE.format(lang=lang)


def sent(path: Path) -> int:
    """The bytes a host with the brotli copies sends for the bundle's file at `path`."""
    return (copy_of(path) if copy_of(path).is_file() else path).stat().st_size


def _listed(name: str, size: int) -> bool:
    return size > LISTED_FILTER or name == TYPE_FILTER  # the one every text search loads


def write_costs(bundle: Path, lang: str, table: list) -> Path:
    """Publish, in `bundle`, the budget and what each chunk and filter of `lang`'s page
    table (`pagefind_compact.read_table`) costs: [from, to, bytes] a chunk; bytes a filter
    of more than `LISTED_FILTER` bytes and the articles' filter, and the most any other
    costs (`filter`).

    The file gets a brotli copy whatever its size: every first query waits for it."""
    bundle = Path(bundle)
    filters = {name: sent(bundle / "filter" / f"{digest}.pf_filter") for name, digest in table[3]}
    costs = {
        "budget": QUERY_INDEX_BYTES,
        "request": REQUEST_BYTES,
        "chunks": [
            [start, end, sent(bundle / "index" / f"{name}.pf_index")]
            for start, end, name in table[2]
        ],
        "filters": {name: size for name, size in filters.items() if _listed(name, size)},
        "filter": max(
            (size for name, size in filters.items() if not _listed(name, size)), default=0
        ),
    }
    path = bundle / costs_file(lang)
    text = json.dumps(costs, ensure_ascii=False, separators=(",", ":"))
    write_atomic(path, text)
    write_copy(path, text.encode("utf-8"))
    return path
