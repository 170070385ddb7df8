"""Pagefind's bundle made lighter for a first query: a page table that compresses,
and small index chunks.

Before its first results, a browser downloads its language's page table
(`pagefind.<code>_<hash>.pf_meta`) and, for each query word, the index chunk
whose word range holds it. At 10,000 mentors, with Pagefind's own output, a
first query took 169 KB, more for a word in one of its bigger chunks:

- The table lists each page's fragment name and word count. Pagefind names a
  fragment by seven hex digits of its content's hash, which gzip cannot shrink
  (60 KB). Each fragment is renamed to a tag and its page's number in the table
  (in decimal, which brotli packs tighter than hex): consecutive names differ by
  a digit or two and the table halves. (Its word counts cost next to nothing:
  the records come to Pagefind grouped by length, `site_search.records`.)
  The tag is the start of the hash Pagefind gave the whole table, and that table
  lists every fragment's hash, so a name still means the same bytes in every
  build that has it: fragments stay cached forever (`ops.deploy`).
- Pagefind cuts its index into chunks of about 20,000 word positions (17 KB
  gzipped at the median, 56 KB at most). Here they are cut again, at about
  `CHUNK_BYTES`, and only between two words that share at most
  `SHARED_PREFIX` first letters. So a query word of more letters finds every
  word it starts in one chunk: with Pagefind's own cuts, "infirmi" could find
  "infirmier" in one chunk and miss "infirmière" in the next. A chunk's range
  runs from just past the previous chunk's last word to just before the next
  chunk's first (`_bounds`), so each query word is sent to the chunk where the
  words it starts begin. A word that would overflow a chunk starts the next.

The files a query waits for get brotli copies (`site_search.brotli_copies`),
made on two threads while the rest goes on; a chunk or filter the last build's
bundle holds byte for byte keeps its copy. For hosts that do not serve them,
Pagefind's wasm is also gzipped again with zopfli (~5 % smaller; kept between
builds), and the page table with gzip's densest level.

Both are Pagefind's own formats: gzip, a signature, then CBOR, read with cbor2's
C decoder (a pure Python one took 8 s a language); a chunk's words are copied
byte for byte. A version this code does not know is refused with the reason,
before anything is changed, and the index is not published.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import threading
import zlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import brotli
import cbor2
import zopfli.gzip
from mentors.incremental import write_atomic

from .brotli_copies import (
    SMALLEST_FILTER,
    compress,
    copy_of,
    reuse_copy,
    worth_a_copy,
    write_copy,
)

KNOWN_VERSIONS = ("1.5.2",)  # its formats here, and its worker's messages in search.js (inWorker)
SIGNATURE = b"pagefind_dcd"
TAG_DIGITS = 7
CHUNK_DIGITS = 8  # one more than Pagefind's names: a new chunk never overwrites an old one
CHUNK_BYTES = 12_000  # of CBOR: ~3-4 KB gzipped
SHARED_PREFIX = 3
ZOPFLI_ROUNDS = 5  # the wasm: 10 rounds gain 0.4 % more
LAST = "\U0010ffff"  # sorts after any word: the last chunk's range is open
WASM_FILES = "wasm.*.pagefind"  # Pagefind's wasm (`wasm.unknown.pagefind` here: no stemmer)
SCRIPTS = ("pagefind-worker.js", "pagefind.js")  # the search's worker; its loader, the fallback
COPY_THREADS = 2  # brotli lets go of Python's lock: one a core


class PagefindFormatError(ValueError):
    """A Pagefind bundle this code cannot read: the index is not published."""


def compact(
    bundle: Path,
    table_hash: str,
    chunk_bytes: int | None = None,
    into: Path | None = None,
    previous: Path | None = None,
) -> str:
    """Rename the fragments and re-cut the index chunks of the language whose table
    is `table_hash` in `bundle`; write its new table and return its hash.

    `into`: the bundle the renamed fragments are moved to (the same file system),
    where the languages' bundles are merged; by default, `bundle`. `previous`: the
    last build's bundle, whose brotli copies are kept for files that did not change.
    """
    bundle = Path(bundle)
    code, _, digest = table_hash.partition("_")
    old_table = bundle / f"pagefind.{table_hash}.pf_meta"
    table = read_table(old_table)
    old_chunks = [bundle / "index" / f"{name}.pf_index" for *_, name in table[2]]
    with _Copies(bundle, previous) as copies:
        words = _words(old_chunks)
        table[2] = _write_chunks(bundle / "index", code, words, chunk_bytes or CHUNK_BYTES, copies)
        for path in sorted((bundle / "filter").glob("*.pf_filter")):
            data = path.read_bytes()
            copies.add(path, data, _raw(path, data), SMALLEST_FILTER)
        fragments, moved = bundle / "fragment", Path(into or bundle) / "fragment"
        moved.mkdir(parents=True, exist_ok=True)
        tag = digest[:TAG_DIGITS]
        renames = []
        for number, page in enumerate(table[1]):
            name = f"{code}_{tag}{number}"
            renames.append((f"{fragments}/{page[0]}.pf_fragment", f"{moved}/{name}.pf_fragment"))
            page[0] = name
        raw = SIGNATURE + cbor2.dumps(table)
        data = gzip.compress(raw, compresslevel=9, mtime=0)
        new_hash = f"{code}_{_digest(data, len(digest))}"
        table_path = bundle / f"pagefind.{new_hash}.pf_meta"
        table_path.write_bytes(data)
        copies.add(table_path, data, raw)  # compressed while the fragments move
        for old, new in renames:
            os.replace(old, new)
    old_table.unlink()
    return new_hash


class _Copies:
    """Brotli copies made on `COPY_THREADS` threads; leaving waits for them all and
    raises the first failure. A file the last build's bundle (`previous`) holds byte
    for byte, under the same name, keeps that bundle's copy."""

    def __init__(self, bundle: Path, previous: Path | None):
        self.bundle, self.previous = bundle, previous
        self.pool = ThreadPoolExecutor(COPY_THREADS, thread_name_prefix="brotli")
        self.pending: list[Future] = []

    def add(self, path: Path, data: bytes, raw: bytes, smallest: int | None = None) -> None:
        """`path` (in the bundle) holds `data` as written, which decodes to `raw`; it gets a
        copy from `smallest` bytes (`brotli_copies.SMALLEST` by default)."""
        if not worth_a_copy(raw, smallest):
            return
        before = Path(self.previous) / path.relative_to(self.bundle) if self.previous else None
        if not reuse_copy(path, data, before):
            self.pending.append(self.pool.submit(write_copy, path, raw))

    def __enter__(self) -> _Copies:
        return self

    def __exit__(self, failed, *exc) -> None:
        try:
            if failed is None:
                for done in self.pending:
                    done.result()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=failed is not None)


def read_table(path: Path) -> list:
    """A page table as Python lists: [version, [[fragment, words], ...], chunks, ...]."""
    table = _read(path)
    version = table[0] if isinstance(table, list) and table else None
    if version not in KNOWN_VERSIONS:
        raise PagefindFormatError(
            f"{path.name}: Pagefind {version}'s page table is not one this build can compact"
            f" (it knows {', '.join(KNOWN_VERSIONS)}); update site_search.pagefind_compact"
        )
    return table


def _words(paths: list[Path]) -> Iterator[tuple[str, bytes]]:
    """Each word of the chunks at `paths`, in order, with its bytes as Pagefind wrote
    them (copied, not encoded again); each chunk deleted once read."""
    for path in paths:
        raw = _raw(path)
        stream = io.BytesIO(raw)
        stream.seek(len(SIGNATURE))
        if _array_length(stream, path) != 1:
            raise PagefindFormatError(f"{path.name} is not an index chunk of a known form")
        decoder = cbor2.CBORDecoder(stream)  # seeks back to each item's end
        for _ in range(_array_length(stream, path)):
            start = stream.tell()
            try:
                word = decoder.decode()
            except cbor2.CBORDecodeError as error:
                raise PagefindFormatError(f"{path.name} at byte {start}: {error}") from error
            if not (isinstance(word, list) and word and isinstance(word[0], str)):
                raise PagefindFormatError(f"{path.name}: a word of an unknown form at byte {start}")
            yield word[0], raw[start : stream.tell()]
        if stream.tell() != len(raw):
            raise PagefindFormatError(
                f"{path.name}: {len(raw) - stream.tell()} bytes after its words"
            )
        path.unlink()


def _raw(path: Path, data: bytes | None = None) -> bytes:
    """What the Pagefind file at `path` (holding `data`, when already read) unzips to."""
    raw = gzip.decompress(Path(path).read_bytes() if data is None else data)
    if not raw.startswith(SIGNATURE):
        raise PagefindFormatError(f"{path.name} is not a Pagefind file (no signature)")
    return raw


def _read(path: Path) -> object:
    try:
        return cbor2.loads(_raw(path)[len(SIGNATURE) :])
    except cbor2.CBORDecodeError as error:
        raise PagefindFormatError(f"{path.name}: {error}") from error


def _array_length(stream: io.BytesIO, path: Path) -> int:
    head = stream.read(1)
    if not head or head[0] >> 5 != 4 or head[0] & 0x1F > 27:
        raise PagefindFormatError(f"{path.name}: no array at byte {stream.tell() - 1}")
    info = head[0] & 0x1F
    return info if info < 24 else int.from_bytes(stream.read(1 << (info - 24)), "big")


def _array_head(length: int) -> bytes:
    if length < 24:
        return bytes([0x80 | length])
    size = next(size for size in (1, 2, 4, 8) if length < 1 << (8 * size))
    return bytes([0x98 + size.bit_length() - 1]) + length.to_bytes(size, "big")


def _write_chunks(
    folder: Path, code: str, words, chunk_bytes: int, copies: _Copies | None = None
) -> list[list[str]]:
    """Write `words` (sorted) as chunks of about `chunk_bytes` (with their brotli
    copies, given `copies`); return their [from, to, name] in order (`_bounds`)."""
    entries: list[list[str]] = []
    chunk: list[tuple[str, bytes]] = []
    size, previous, start = 0, "", ""  # the chunk's bytes, the word before, its range's start

    def flush(following: str | None) -> str:
        raw = b"".join([SIGNATURE, _array_head(1), _array_head(len(chunk)), *(b for _, b in chunk)])
        data = gzip.compress(raw, compresslevel=6, mtime=0)  # 9: 2 % smaller, 4 times slower
        name = f"{code}_{_digest(data, CHUNK_DIGITS)}"
        if any(name == entry[2] for entry in entries):  # same first digits: take them all
            name = f"{code}_{_digest(data, 32)}"
        path = folder / f"{name}.pf_index"
        path.write_bytes(data)
        if copies is not None:
            copies.add(path, data, raw)
        end, after = _bounds(chunk[-1][0], following) if following else (LAST, "")
        entries.append([start, end, name])
        return after

    for word, encoded in words:
        if previous and word <= previous:
            raise PagefindFormatError(f"the index's words are not in order ({word!r})")
        # A word that would overflow the chunk starts the next one, where a cut is allowed.
        if chunk and size + len(encoded) > chunk_bytes and _shared(previous, word) <= SHARED_PREFIX:
            start = flush(word)
            chunk, size = [], 0
        chunk.append((word, encoded))
        size += len(encoded)
        previous = word
    if chunk:
        flush(None)
    return entries


def _bounds(last: str, first: str) -> tuple[str, str]:
    """The end of a chunk whose last word is `last` and the start of the next, whose
    first word is `first`: the shortest strings that send every query word to the chunk
    holding the first word it comes before (Pagefind takes the first chunk whose
    range holds the query word, ends included, comparing strings)."""
    shared = _shared(last, first)
    start = first[: shared + 1]
    end = last
    if len(last) > shared + 1:  # else no string between `last` and `start` is shorter
        for at in (shared, shared + 1):
            bumped = chr(ord(last[at]) + 1) if ord(last[at]) < 0xD7FF else None
            candidate = last[:at] + bumped if bumped else None
            if candidate and candidate < start:
                end = candidate
                break
    return end, start


def _shared(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _digest(data: bytes, digits: int) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()[:digits]


def prepare_own_files(bundle: Path, cache: Path) -> None:
    """Pagefind's wasm (the same file every build) gzipped again with zopfli, 68.0 ->
    64.9 kB, and given a brotli copy (59.1 kB), as are Pagefind's scripts: all kept in
    `cache` by the digest of what Pagefind wrote."""
    for path in _own_files(Path(bundle)):
        kept = _cached(path.read_bytes(), Path(cache), path.name in SCRIPTS)
        if path.name not in SCRIPTS:
            path.write_bytes(kept.read_bytes())
        copy_of(path).write_bytes(copy_of(kept).read_bytes())


def warm_own_files(bundle: Path, cache: Path) -> threading.Thread:
    """`prepare_own_files`'s slow part started ahead, in a thread (Pagefind's files read
    now): Pagefind indexes the next language meanwhile. A failure is left for
    `prepare_own_files` to meet again and report."""
    originals = [(path.read_bytes(), path.name in SCRIPTS) for path in _own_files(Path(bundle))]

    def warm() -> None:
        with contextlib.suppress(OSError, zlib.error, brotli.error):
            for original, script in originals:
                _cached(original, Path(cache), script)

    thread = threading.Thread(target=warm, name="pagefind-own-files", daemon=True)
    thread.start()
    return thread


def _own_files(bundle: Path) -> list[Path]:
    scripts = [bundle / name for name in SCRIPTS]
    return [*bundle.glob(WASM_FILES), *(path for path in scripts if path.is_file())]


def _cached(original: bytes, cache: Path, script: bool) -> Path:
    """Where one of Pagefind's own files is kept: the wasm recompressed (a script needs
    no other form), with its brotli copy beside it."""
    kept = cache / f"{_digest(original, 32)}{'.js' if script else '.pagefind'}"
    if not copy_of(kept).exists():
        kept.parent.mkdir(parents=True, exist_ok=True)
        raw = original if script else gzip.decompress(original)
        if not script:
            smaller = zopfli.gzip.compress(raw, numiterations=ZOPFLI_ROUNDS)
            write_atomic(kept, min(smaller, original, key=len))  # whole, or not at all
        write_atomic(copy_of(kept), compress(raw))  # written last: the mark of a whole entry
    return kept
