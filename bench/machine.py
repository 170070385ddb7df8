"""What this machine is doing while a benchmark runs, printed beside its figures.

Its speed changes from minute to minute (a slower phase raises every CPU
figure), and creating files costs what the file system makes it cost: both
bound what a run can show, so each run measures them itself.
"""

from __future__ import annotations

import time
from pathlib import Path


def _spin(_: int) -> float:
    started, total = time.process_time(), 0
    for i in range(2_000_000):
        total += i * i
    return time.process_time() - started


def machine_speed() -> dict:
    """CPU milliseconds of one fixed loop on each core at once (lower is faster)."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(2) as pool:
        runs = pool.map(_spin, [0, 1])
    return {"loop_ms_per_core": [round(r * 1000) for r in runs]}


def file_floor(site: Path, into: Path) -> dict:
    """Seconds to write `site`'s HTML pages again under `into`, folder by folder, and nothing
    else (one process): what a build that writes those pages cannot go below here."""
    pages, size, seconds = 0, 0, 0.0
    for page in Path(site).rglob("*.html"):
        body = page.read_bytes()  # read outside the timing: one page held at a time
        target = into / page.relative_to(site)
        start = time.perf_counter()
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(body)
        seconds += time.perf_counter() - start
        pages, size = pages + 1, size + len(body)
    return {"pages": pages, "seconds": seconds, "mib": size / 2**20}


def describe(speed: dict) -> str:
    return "loop " + " / ".join(f"{ms} ms" for ms in speed["loop_ms_per_core"]) + " per core"
