"""What each query word costs a first search, published so that the search page keeps
any query within a budget of index bytes.

Pagefind downloads one index chunk for each query word: the first chunk whose
range holds the word, or, when no word of the query falls in a range, the first
whose range holds its start (pagefind_web's `request_indexes`). Most chunks
hold many rare words (~4 KB), but a word of most profiles has a chunk of its
own of 12-20 KB at 10,000 mentors, so a query of enough such words has no bound.

A query also downloads the filter of each facet it is narrowed by (10-22 KB).
Beside each language's page table the index publishes `query-costs.<lang>.json`:
the budget, each response's headers, every chunk's range and every filter with
the bytes a host with the brotli copies sends for it (`site_search.brotli_copies`).
The search page (`withinBudget` in `search.js`) takes the filters a query needs
out of the budget, finds each query word's chunk as Pagefind does, keeps the
cheapest words while their chunks fit (a chunk counted once) and says which
words it left out: those whose chunks are biggest, the words most profiles hold,
which narrow a result the least. The same query and facets always keep the same words.

At 10,000 mentors, Pagefind's fixed part is ~82 KB (its wasm, worker, the language's
page table and this file) and the first results' fragments ~15 KB at most: a budget
of 49 KB keeps a first query within 150 KB whatever is typed, with ~4 KB to spare, and
the index's three commonest words together. Two facets chosen leave ~20 KB for the
words; three or four need more than the budget for their filters alone, and the query
keeps one word (up to ~176 KB in all: Pagefind's filters list every page of a value).
"""

from __future__ import annotations

import json
from pathlib import Path

from mentors.incremental import write_atomic

from .brotli_copies import copy_of

QUERY_INDEX_BYTES = 49_000
REQUEST_BYTES = 250  # a chunk's response headers, over HTTP/1.1 (the bench's server: ~200)
FILE = "query-costs.{lang}.json"  # in the bundle, beside the page tables


def costs_file(lang: str) -> str:
    return FILE.format(lang=lang)


def sent(path: Path) -> int:
    """The bytes a host with the brotli copies sends for the bundle's file at `path`."""
    return (copy_of(path) if copy_of(path).is_file() else path).stat().st_size


def write_costs(bundle: Path, lang: str, table: list) -> Path:
    """Publish, in `bundle`, the budget and what each chunk and filter of `lang`'s page
    table (`pagefind_compact.read_table`) costs: [from, to, bytes] a chunk, bytes a filter."""
    bundle = Path(bundle)
    costs = {
        "budget": QUERY_INDEX_BYTES,
        "request": REQUEST_BYTES,
        "chunks": [
            [start, end, sent(bundle / "index" / f"{name}.pf_index")]
            for start, end, name in table[2]
        ],
        "filters": {name: sent(bundle / "filter" / f"{hash}.pf_filter") for name, hash in table[3]},
    }
    path = Path(bundle) / costs_file(lang)
    write_atomic(path, json.dumps(costs, ensure_ascii=False, separators=(",", ":")))
    return path
