"""Pagefind's page tables made small: fragment names that compress.

Before its first results, a browser downloads its language's whole page table
(`pagefind.<code>_<hash>.pf_meta`): each page's fragment name and word count.
Pagefind names a fragment by seven hex digits of its content's hash, which gzip
cannot shrink: at 10,000 mentors the table is 60 KB of the 169 KB a first query
took. Here each fragment is renamed to a tag and its page's number in the table
(in hex). Consecutive names then differ by a digit or two, and the table is
half that size.

The tag is the start of the hash Pagefind gave the whole table, and that table
lists every fragment's hash. So a name means the same bytes in every build that
has it, and fragments can still be cached forever (`ops.deploy`). The table is
Pagefind's own format (gzip, a signature, then CBOR); a version this code does
not know is refused, with the reason, rather than half understood.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

KNOWN_VERSIONS = ("1.5.2",)
SIGNATURE = b"pagefind_dcd"
TAG_DIGITS = 7


class PageTableError(ValueError):
    """A page table this code cannot read (found before any fragment is renamed)."""


def compact(bundle: Path, table_hash: str) -> str:
    """Rename the fragments of the language whose table is `table_hash` in `bundle`;
    write its new table and return the hash that names it (for the entry file)."""
    bundle = Path(bundle)
    code, _, digest = table_hash.partition("_")
    old_table = bundle / f"pagefind.{table_hash}.pf_meta"
    table = read_table(old_table)
    tag = digest[:TAG_DIGITS]
    fragments = bundle / "fragment"
    for number, page in enumerate(table[1]):
        name = f"{code}_{tag}{number:x}"
        os.replace(fragments / f"{page[0]}.pf_fragment", fragments / f"{name}.pf_fragment")
        page[0] = name
    data = _pack(table)
    new_hash = f"{code}_{hashlib.blake2b(data, digest_size=8).hexdigest()[: len(digest)]}"
    (bundle / f"pagefind.{new_hash}.pf_meta").write_bytes(data)
    old_table.unlink()
    return new_hash


def read_table(path: Path) -> list:
    """A page table as Python lists: [version, [[fragment, words], ...], ...]."""
    raw = gzip.decompress(Path(path).read_bytes())
    if not raw.startswith(SIGNATURE):
        raise PageTableError(f"{path.name} is not a Pagefind page table (no signature)")
    table, end = decode(raw, len(SIGNATURE))
    version = table[0] if isinstance(table, list) and table else None
    if end != len(raw) or version not in KNOWN_VERSIONS:
        raise PageTableError(
            f"{path.name}: Pagefind {version}'s page table is not one this build can compact"
            f" (it knows {', '.join(KNOWN_VERSIONS)}); update site_search.page_table"
        )
    return table


def _pack(table: list) -> bytes:
    return gzip.compress(SIGNATURE + encode(table), compresslevel=9, mtime=0)


# The part of CBOR (RFC 8949) that Pagefind's page tables use: unsigned integers,
# text and arrays, each with its length in the shortest form.


def decode(data: bytes, at: int = 0) -> tuple[object, int]:
    """The item starting at `at`, and where the next one starts."""
    major, info = data[at] >> 5, data[at] & 0x1F
    at += 1
    if info < 24:
        value = info
    elif info <= 27:
        size = 1 << (info - 24)
        value, at = int.from_bytes(data[at : at + size], "big"), at + size
    else:
        raise PageTableError(f"CBOR item at byte {at - 1}: indefinite or reserved length")
    if major == 0:
        return value, at
    if major == 3:
        return data[at : at + value].decode("utf-8"), at + value
    if major == 4:
        items = []
        for _ in range(value):
            item, at = decode(data, at)
            items.append(item)
        return items, at
    raise PageTableError(f"CBOR item at byte {at - 1}: major type {major} is not expected")


def encode(item: object) -> bytes:
    if isinstance(item, bool) or not isinstance(item, (int, str, list)):
        raise TypeError(f"cannot encode {type(item).__name__} in a page table")
    if isinstance(item, int):
        return _head(0, item)
    if isinstance(item, str):
        text = item.encode("utf-8")
        return _head(3, len(text)) + text
    return _head(4, len(item)) + b"".join(encode(element) for element in item)


def _head(major: int, value: int) -> bytes:
    if value < 0:
        raise TypeError("a page table holds no negative number")
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise TypeError(f"{value} is too large for CBOR")
