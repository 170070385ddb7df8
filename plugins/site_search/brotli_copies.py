"""Brotli copies of the Pagefind files a query waits for, for hosts that serve them.

Pagefind gzips its files itself and unzips them in JavaScript, so a host sends
them as they are. Browsers also take brotli, and Pagefind reads a file the
browser has already decoded as it is (it then starts with Pagefind's
signature). So beside such a file `X` the index writes `X.br`, the brotli of
what `X` unzips to (or of `X` itself, for Pagefind's scripts), and a host that knows
these copies sends `X.br` as `X`, with `Content-Encoding: br`, to a browser
that takes it: `site_search.serve` does, and `ops.deploy` uploads the copy as
`X` (CloudFront passes a stored encoding through). Any other host serves `X`.
At 10,000 mentors: a page table 35 KiB gzipped -> 16 KiB, the wasm 63 -> 58 KiB,
the index chunk of a word most profiles hold about a sixth smaller.

Only files of `SMALLEST` bytes or more get a copy (page tables, the wasm,
Pagefind's scripts, the chunks of the most common words), at brotli's densest
level: there it saves kilobytes. A chunk of ordinary words (~4 KB gzipped) would
save ~0.5 KB, and copies of all 400 of them cost 1.4 s of a build's CPU at
10,000 mentors. Every filter gets one (`SMALLEST_FILTER`): each facet value is
a filter (`site_search.records`) and a query narrowed by values waits for theirs
(at 10,000 mentors, 114 values' filters, 105 KB gzipped a language, 70 KB as
brotli, made in ~0.1 s).
"""

from __future__ import annotations

import os
from pathlib import Path

import brotli

SUFFIX = ".br"
SMALLEST = 24_000  # bytes, decoded
SMALLEST_FILTER = 0  # bytes, decoded: every filter (each facet value is one)


def copy_of(path: Path) -> Path:
    """Where the brotli copy of `path` is."""
    return path.with_name(path.name + SUFFIX)


def worth_a_copy(raw: bytes, smallest: int | None = None) -> bool:
    return len(raw) >= (SMALLEST if smallest is None else smallest)


def compress(raw: bytes) -> bytes:
    # A window just over the file: the same bytes, less memory than brotli's default.
    window = min(24, max(10, (len(raw) + 16).bit_length()))
    return brotli.compress(raw, quality=11, lgwin=window)


def write_copy(path: Path, raw: bytes) -> None:
    """Write the brotli copy of `path`, whose decoded content is `raw`."""
    copy_of(path).write_bytes(compress(raw))


def reuse_copy(path: Path, data: bytes, previous: Path | None) -> bool:
    """Link `path`'s copy to the one of `previous` (a file of the last build's bundle)
    when that file holds the very bytes `data` that `path` holds; say whether it did."""
    if previous is None or not copy_of(previous).is_file():
        return False
    try:
        if previous.read_bytes() != data:
            return False
        os.link(copy_of(previous), copy_of(path))
    except OSError:  # gone meanwhile, or a file system without links: compress again
        return False
    return True
