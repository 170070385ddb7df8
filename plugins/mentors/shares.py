"""Pages shared out between forked processes, each taking its own share a chunk at a time.

Each process owns a contiguous share of the jobs (one language's pages: it
compiles one language's templates and keeps one language's cards), and takes
it from the front. A process whose share is done takes chunks from the end of
the share with the most jobs left, so all of them finish together whatever
else one of them does, or however much slower one core runs: a fixed split
waits for the slowest share.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator


class Shares:
    """Job numbers 0..`count`-1 in `parts` contiguous shares, handed out by `take`.

    Made before the processes fork: its bounds and lock live in shared memory.
    """

    def __init__(self, count: int, parts: int, chunk: int = 32):
        size = -(-count // parts) if parts else 0
        starts = [min(i * size, count) for i in range(parts)]
        ends = [min(start + size, count) for start in starts]
        context = mp.get_context("fork")
        # [start of share 0, end of share 0, start of share 1, ...]: what is left of each.
        bounds = [n for pair in zip(starts, ends, strict=True) for n in pair]
        self._bounds = context.RawArray("q", bounds)
        self._lock = context.Lock()
        self.parts, self.chunk = parts, chunk
        self.initial = [range(start, end) for start, end in zip(starts, ends, strict=True)]

    def take(self, part: int) -> range | None:
        """The next chunk for the process of share `part`; None once every job is taken."""
        bounds, chunk = self._bounds, self.chunk
        with self._lock:
            start, end = bounds[2 * part], bounds[2 * part + 1]
            if start < end:
                bounds[2 * part] = min(start + chunk, end)
                return range(start, bounds[2 * part])
            other = max(range(self.parts), key=lambda i: bounds[2 * i + 1] - bounds[2 * i])
            start, end = bounds[2 * other], bounds[2 * other + 1]
            if start >= end:
                return None
            bounds[2 * other + 1] = max(start, end - chunk)
            return range(bounds[2 * other + 1], end)

    def jobs(self, part: int) -> Iterator[int]:
        """Every job number the process of share `part` takes, in the order it takes them."""
        while (taken := self.take(part)) is not None:
            yield from taken
