"""Site build benchmark: Passerelle against stock Pelican 4.12 on corpora of the same size.

For each size it prints, per variant, the wall time, the CPU time (user + sys
of the build and everything it started: render workers, Pagefind) and the
peak memory of the whole process tree (the sum of the processes' proportional
set sizes, sampled every 200 ms, so pages the forked workers share are counted
once; every 50 ms, reading them cost 4.3-5.0 CPU s during a 10,000-mentor build,
taken from the build's two cores, for the same peaks):

- `full`: the real build, both languages, with the search index;
- `no-index`: the same without the search pages and Pagefind;
- `incremental`: one profile changed after a full build, rebuilt as rebuild on
  save does it (the build cache's memos read back while the site is served,
  then the pages, then the search index in a thread), three times in a row
  with one more profile changed each time; the median rebuild's figures: the
  wall and CPU times are until the new pages are in place; the search index,
  rebuilt after them, is in place at the times printed beside them;
- `stock`: stock Pelican 4.12 with its default theme over the same mentors
  written as ordinary articles (French and English), installed by the bench in
  its own virtual environment under the git-ignored bench/out/.

`full` and `no-index` are each built three times (`BUILDS`) from the same corpus,
each time from nothing; the line gives the median build's figures (as the
issue's own table gives medians), every build's time and the highest of the
three peaks. Stock Pelican is built once: it only gives the ratios.

CPU time is the fairer figure on a shared machine; wall time is the target's.
Each build, stock Pelican's too, starts with every earlier write on disk, so no
build pays for the writing back of the one before.

    python -m bench.site                 # 10,000 (incremental at 5,000)
    python -m bench.site 1000 5000       # other sizes
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import venv
from pathlib import Path

from bench.machine import describe, file_floor, machine_speed

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SIZES = (10000,)
INCREMENTAL_SIZE = 5000
REBUILDS = 3  # rebuilds measured one after the other, each after one more changed profile
BUILDS = 3  # full builds of one corpus, each into a new folder with a new build cache
STOCK_PELICAN = "pelican[markdown]==4.12.0"
TARGETS = {"full": (30.0, 600.0), "no-index": (12.0, None), "incremental": (3.0, None)}
FREED = OUT / ".trees-deleted"  # touched when a run has deleted its trees
# ext4 without a journal passes over an inode freed in the last 60 s when it makes a file,
# and over one freed in the last 360 s while its inode table block is not yet written back.
SETTLE_SECONDS = 360
ENGINE_PLUGINS = ["pelican.plugins.yaml_metadata", "mentors"]


# ---- measuring a process tree ------------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pss_kib(root: int) -> int:
    """Proportional set size of `root` and all its descendants, in KiB."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss_kib(pid)
        todo.extend(_children(pid))
    return total


class PeakSampler:
    """Samples a process tree's memory in a thread until stopped; keeps the peak."""

    def __init__(self, pid: int, every: float = 0.2):
        self.pid, self.every, self.peak_kib = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, tree_pss_kib(self.pid))
            self._stop.wait(self.every)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _measured(command: list[str], env: dict | None = None, cwd: Path = ROOT) -> dict:
    """Run `command`; it prints one JSON line of figures last. Add the tree's peak memory."""
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    with PeakSampler(process.pid) as sampler:
        stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} failed:\n{stderr[-4000:]}")
    figures = json.loads(stdout.strip().splitlines()[-1])
    figures["peak_mib"] = sampler.peak_kib / 1024
    return figures


def _cpu() -> float:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# ---- Passerelle --------------------------------------------------------------------------


def _build_child(content: str, output: str, variant: str) -> None:
    """Runs in the child process: one build (or a full build, then rebuilds of changed profiles)."""
    sys.path[:0] = [str(ROOT / "plugins"), str(ROOT / "functions"), str(ROOT)]
    from mentors.build import build_site

    if variant == "incremental":
        figures = _rebuilds(Path(content), Path(output))
    else:
        overrides = {"PLUGINS": ENGINE_PLUGINS} if variant == "no-index" else None
        start, cpu = time.perf_counter(), _cpu()
        ok = build_site(ROOT / "pelicanconf.py", Path(output), Path(content), overrides)
        figures = {"seconds": time.perf_counter() - start, "cpu_seconds": _cpu() - cpu, "ok": ok}
    figures["pages"] = sum(1 for _ in Path(output).rglob("*.html")) if figures["ok"] else 0
    print(json.dumps(figures))


def _rebuilds(content: Path, output: Path) -> dict:
    """A full build, then `REBUILDS` rebuilds as rebuild on save runs them, each after one
    more profile changed; the figures of the median one, and every one's time."""
    from mentors.build import build_site, prepare_rebuild, wait_for_index

    if not build_site(ROOT / "pelicanconf.py", output, content_dir=content):
        raise SystemExit("the first build failed")
    # As rebuild on save does once the site is served; a person's first save comes later.
    prepare_rebuild(output).join()
    rounds = []
    for which in range(REBUILDS):
        before = _snapshot(output)
        _change_one_profile(content, which)
        start, cpu = time.perf_counter(), _cpu()
        # The pages first, then the search index and the previous site's deletion, in threads.
        ok = build_site(
            ROOT / "pelicanconf.py",
            output,
            content,
            background_cleanup=True,
            background_index=True,
        )
        figures = {"seconds": time.perf_counter() - start, "cpu_seconds": _cpu() - cpu}
        wait_for_index()
        figures["index_seconds"] = time.perf_counter() - start
        figures["index_cpu_seconds"] = _cpu() - cpu
        figures["ok"] = ok
        if not ok:
            return figures
        after = _snapshot(output)
        figures["changed"] = sum(1 for p, stamp in after.items() if before.get(p) != stamp)
        rounds.append(figures)
    median = sorted(rounds, key=lambda f: f["seconds"])[len(rounds) // 2]
    return {**median, "rounds": [f["seconds"] for f in rounds]}


def _snapshot(output: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for path in output.rglob("*.html"):
        stat = path.stat()
        found[path.relative_to(output).as_posix()] = (stat.st_ino, stat.st_mtime_ns)
    return found


def _change_one_profile(content: Path, which: int = 0) -> Path:
    """Edit one profile as an editor would: a new occupation (`which`: another profile)."""
    originals = sorted(p for p in (content / "mentors").glob("*.md") if p.name.count(".") == 1)
    path = originals[len(originals) // 2 + which]
    text = path.read_text(encoding="utf-8")
    new = "occupation: Conseillère en orientation"
    text = re.sub(r"^occupation: .*$", new, text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    return path


def measure(n: int, variant: str, workdir: Path) -> dict:
    """Build a fresh corpus of `n` mentors in `variant` `BUILDS` times, each time from nothing
    (a new output folder, a new build cache); the median build's figures, every build's
    time, and the highest peak of them. The incremental variant is one run of rebuilds."""
    from bench.corpus import generate

    content = workdir / f"content-{variant}"
    generate(n, content)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "plugins")])}
    rounds = []
    for number in range(1 if variant == "incremental" else BUILDS):
        output = workdir / f"output-{variant}-{number}"
        _written_back()
        code = (
            "import sys, bench.site as b; "
            f"b._build_child({str(content)!r}, {str(output)!r}, {variant!r})"
        )
        figures = {**_measured([sys.executable, "-c", code], env), "output": output}
        rounds.append(figures)
        if not figures["ok"]:
            return figures
    if variant == "incremental":
        return rounds[0]
    median = sorted(rounds, key=lambda f: f["seconds"])[len(rounds) // 2]
    peak = max(f["peak_mib"] for f in rounds)
    return {**median, "peak_mib": peak, "builds": [f["seconds"] for f in rounds]}


def _written_back() -> None:
    """Flush every written file to disk before a build is timed: the corpus just made and
    the previous build's ~450 MB of pages are otherwise written back during the next build
    (the kernel starts 30 s after a write) and counted as its time."""
    os.sync()


# ---- stock Pelican -----------------------------------------------------------------------


def stock_python() -> Path:
    """Stock Pelican 4.12 in its own virtual environment under bench/out/ (made once)."""
    home = OUT / "stock-pelican"
    python = home / "bin" / "python"
    stamp = home / ".installed"
    if not stamp.exists():
        venv.create(home, with_pip=True, clear=True)
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        done = subprocess.run([*pip, STOCK_PELICAN], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"cannot install {STOCK_PELICAN}:\n{done.stderr[-4000:]}")
        stamp.write_text(STOCK_PELICAN + "\n", encoding="utf-8")
    return python


STOCK_CONF = """AUTHOR = "Bench"
SITENAME = "Bench"
SITEURL = ""
PATH = "content"
TIMEZONE = "America/Toronto"
DEFAULT_LANG = "fr"
DEFAULT_PAGINATION = 10
"""


def measure_stock(n: int, workdir: Path) -> dict:
    from bench.corpus import generate_stock

    site = workdir / "stock"
    generate_stock(n, site / "content")
    (site / "pelicanconf.py").write_text(STOCK_CONF, encoding="utf-8")
    python = stock_python()
    _written_back()
    code = (
        "import json, resource, subprocess, sys, time\n"
        "def cpu():\n"
        "    c = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "    return c.ru_utime + c.ru_stime\n"
        "start = time.perf_counter()\n"
        "subprocess.run([sys.executable, '-m', 'pelican', 'content', '-o', 'output',"
        " '-s', 'pelicanconf.py', '-q'], check=True)\n"
        "print(json.dumps({'seconds': time.perf_counter() - start, 'cpu_seconds': cpu(),"
        " 'ok': True}))\n"
    )
    figures = _measured([str(python), "-c", code], cwd=site)
    figures["pages"] = sum(1 for _ in (site / "output").rglob("*.html"))
    return figures


# ---- report ------------------------------------------------------------------------------


def _line(n: int, variant: str, f: dict) -> str:
    extra = f" ({f['changed']} pages rewritten)" if "changed" in f else ""
    if "rounds" in f:
        times = ", ".join(f"{seconds:.1f}" for seconds in f["rounds"])
        extra += f" (median of {len(f['rounds'])} rebuilds: {times} s)"
    if "builds" in f:
        times = ", ".join(f"{seconds:.1f}" for seconds in f["builds"])
        extra += f" (median of {len(f['builds'])} builds: {times} s; peak: the highest of them)"
    if "index_seconds" in f:
        extra += (
            f" (search index in place at {f['index_seconds']:.1f} s,"
            f" {f['index_cpu_seconds']:.1f} CPU s)"
        )
    target = TARGETS.get(variant)
    if target:
        wall, memory = target
        extra += f"  target ≤ {wall:.0f} s" + (f", ≤ {memory:.0f} MiB" if memory else "")
    status = "" if f.get("ok", True) else "  BUILD FAILED"
    return (
        f"{n:>8} {variant:>12} {f['seconds']:>8.1f} {f['cpu_seconds']:>7.1f} "
        f"{f['peak_mib']:>9.0f} {f.get('pages', 0):>7}{extra}{status}"
    )


def run(sizes: tuple[int, ...] = SIZES, incremental: int = INCREMENTAL_SIZE) -> list[dict]:
    """Print one line per size and variant, then Passerelle's ratio to stock Pelican."""
    print("(figures are from this machine as it is now: other work running on it counts)")
    OUT.mkdir(parents=True, exist_ok=True)
    _settle()
    print(f"machine before: {describe(machine_speed())}", flush=True)
    print(f"{'mentors':>8} {'variant':>12} {'wall s':>8} {'CPU s':>7} {'peak MiB':>9} {'pages':>7}")
    results = []
    plan = [(n, v) for n in sizes for v in ("full", "no-index", "stock")]
    if incremental:
        plan.append((incremental, "incremental"))
    # Every tree is deleted after the last run, not between them: on a file system that
    # skips recently freed inodes one by one when it makes a file (ext4 without a
    # journal), deleting a site makes the next build's file creations several times
    # slower for a while, which would be measured as the next build's time. For the
    # same reason a run starts once the last run's deletion has settled (`_settle`).
    with tempfile.TemporaryDirectory(prefix="site-", dir=OUT) as tmp:
        for n, variant in plan:
            workdir = Path(tmp) / f"{n}-{variant}"
            workdir.mkdir()
            if variant == "stock":
                figures = measure_stock(n, workdir)
            else:
                figures = measure(n, variant, workdir)
            results.append({"mentors": n, "variant": variant, **figures})
            print(_line(n, variant, figures), flush=True)
            if variant == "no-index" and figures.get("ok"):
                floor = file_floor(figures["output"], workdir / "floor")
                print(
                    f"{n:>8} {'':>12} writing the same {floor['pages']} pages"
                    f" ({floor['mib']:.0f} MiB) into new folders, nothing else:"
                    f" {floor['seconds']:.1f} s in one process",
                    flush=True,
                )
        print(f"machine after: {describe(machine_speed())}", flush=True)
    FREED.touch()
    for n in sizes:
        by = {r["variant"]: r for r in results if r["mentors"] == n}
        stock = by["stock"]
        for variant in ("full", "no-index"):
            mine = by[variant]
            print(
                f"{n:>8} {variant} vs stock Pelican: wall ×{mine['seconds'] / stock['seconds']:.2f}"
                f", CPU ×{mine['cpu_seconds'] / stock['cpu_seconds']:.2f}"
                f", per page ×{_per_page(mine) / _per_page(stock):.2f} (CPU s per page)"
            )
    return results


def _settle() -> None:
    """Wait until the last run's deletion of its trees is `SETTLE_SECONDS` old: run right
    after it, the pages written 3.7 s in one process took 12.2 s, a build 49.5 s
    instead of 28.7 s."""
    try:
        age = time.time() - FREED.stat().st_mtime
    except FileNotFoundError:
        return
    if 0 <= age < SETTLE_SECONDS:
        print(
            f"waiting {SETTLE_SECONDS - age:.0f} s: the last run deleted its trees {age:.0f} s"
            " ago, and until then making files is slower here (see run)",
            flush=True,
        )
        time.sleep(SETTLE_SECONDS - age)


def _per_page(figures: dict) -> float:
    return figures["cpu_seconds"] / max(figures.get("pages") or 1, 1)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    run(tuple(args) or SIZES, incremental=min(args) if args else INCREMENTAL_SIZE)
