"""One build, and the previous site kept whenever it fails.

A full build writes into a staging folder, swapped into place only when
everything succeeded. An incremental build (the previous output and its
state are there) writes in place instead, which is what makes one changed
profile quick: the whole content is read and validated before anything is
written (a mistake leaves the site as it was), each page it renders again
replaces the old one in one rename, and pages that are gone go last. Should
it still fail midway, the pages it rewrote are rendered again by the next
build (mentors.incremental.BuildState.before_writing).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os
import shutil
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import incremental
from .errors import ContentError
from .forked import Forked

# Work a plugin hands over to run once Pelican's objects are freed (`defer`).
_DEFERRED: list[Callable[[Path], None]] = []
_HERE: list[Callable[[Path], None]] = []  # deferred, but needing the building process's objects
# Threads the next build waits for: the last build's search index, memos being read back.
_BACKGROUND: list[threading.Thread] = []


class _ErrorLog(logging.Handler):
    """Pelican and plugins report some problems only as ERROR log lines: they fail the build too."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_site(
    settings_path: Path,
    output_dir: Path,
    content_dir: Path | None = None,
    overrides: dict[str, Any] | None = None,
    background_cleanup: bool = False,
    background_index: bool = False,
) -> bool:
    """Build the site into `output_dir`; on any problem print them all, keep the old output.

    `background_cleanup`: return as soon as the new site is in place and delete
    the previous one in a thread (rebuild on save); the next build finishes it.
    `background_index`: also put the new site in place before the search index
    is rebuilt (rebuild on save): pages are new at once, search follows when
    Pagefind is done (`wait_for_index`); until then it answers from the previous
    index. A failed index is printed and redone by the next build.
    """
    from pelican import Pelican, signals
    from pelican.settings import read_settings

    wait_for_index()
    output_dir = Path(output_dir).resolve()
    staging = output_dir.with_name(output_dir.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    cache = cache_dir(output_dir)
    in_place = output_dir.is_dir() and incremental.has_state(cache)
    target = output_dir if in_place else staging
    if not in_place:
        _reuse_image_variants(output_dir, staging)
    # Pelican must never delete the folder it writes into: it holds the previous pages.
    override: dict[str, Any] = {
        "OUTPUT_PATH": str(target),
        "DELETE_OUTPUT_DIRECTORY": False,
        "BUILD_CACHE_PATH": str(cache),
        "BUILD_DEFERS_JOBS": True,
        "BUILD_IN_PLACE": in_place,
        # Pelican runs in a forked process that ends with the build (`_in_child`).
        "BUILD_IN_CHILD": not background_index,
    }
    if content_dir is not None:
        override["PATH"] = str(Path(content_dir).resolve())
    override.update(overrides or {})
    errors = _ErrorLog()
    root = logging.getLogger()
    root.addHandler(errors)
    _DEFERRED.clear()
    _HERE.clear()
    read: dict[str, Any] = {}

    def all_read(generators) -> None:
        """Between reading and writing: a problem logged so far stops the build unwritten."""
        read["context"] = generators[0].context if generators else {}
        if errors.messages:
            raise _Reported()

    signals.all_generators_finalized.connect(all_read, weak=False)
    try:
        settings = read_settings(str(Path(settings_path).resolve()), override=override)

        def run() -> None:
            Pelican(settings).run()
            if not errors.messages:
                _remove_gone(read.pop("context", {}), target)
            read.clear()

        if background_index:
            with _collector_paused():
                run()
            del settings
        else:
            _import_build_code(settings)
            _in_child(run, errors, target)
            if not errors.messages:
                _run_deferred(target)
    except ContentError as exc:
        print(f"Build failed: {len(exc.problems)} problem(s) in the content:", file=sys.stderr)
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        _discard(staging, cache)
        return False
    except _Reported:
        pass
    except Exception:
        print("Build failed:", file=sys.stderr)
        traceback.print_exc()
        _discard(staging, cache)
        return False
    finally:
        signals.all_generators_finalized.disconnect(all_read)
        root.removeHandler(errors)
    if errors.messages:
        print("Build failed: errors were reported:", file=sys.stderr)
        for message in errors.messages:
            print(message, file=sys.stderr)
        _discard(staging, cache)
        return False
    cleanup = None if in_place else _swap(staging, output_dir)
    incremental.commit(cache, succeeded=True)
    if background_index:
        late = threading.Thread(target=_run_late, args=(output_dir,), name="search-index")
        _BACKGROUND.append(late)
        _BACKGROUND[-1].start()
    if cleanup is not None and not background_cleanup:
        cleanup.join()
    return True


class _Reported(Exception):
    """Errors were logged while reading the content: stop before anything is written."""


def _remove_gone(context: dict[str, Any], site: Path) -> None:
    """Last, once every page is written: delete the pages the previous build made and this not."""
    site_context = context.get("passerelle")
    if site_context is not None:
        gone = site_context.state.remove_gone(site)
        if gone:
            logging.getLogger(__name__).info("removed %d pages that are gone", len(gone))


def defer(job: Callable[[Path], None], *, here: bool = False) -> None:
    """Run `job(site folder)` after Pelican's objects are freed.

    Pagefind is the memory-heaviest step of a build: run after the build's own
    model is gone, the two do not add up. `job` must pickle: a full build runs
    Pelican in a child process and the job in this one (`_in_child`). Outside
    `build_site` (a plain `pelican` run, BUILD_DEFERS_JOBS unset), callers run
    their job themselves. `here`: the job needs objects of the process that
    built the pages (a cache to save); it runs there, before that process ends.
    """
    (_HERE if here else _DEFERRED).append(job)


def after_pages(
    settings: dict[str, Any], job: Callable[[Path], None], site: Path, *, here: bool = False
) -> None:
    """`job(site)` deferred (`defer`) when `build_site` runs the build, else at once."""
    if settings.get("BUILD_DEFERS_JOBS"):
        defer(job, here=here)
    else:
        job(site)


def _run_deferred(site: Path) -> None:
    jobs = _HERE + _DEFERRED
    _HERE.clear()
    _DEFERRED.clear()
    for job in jobs:
        job(site)


def _run_late(site: Path) -> None:
    """What follows a build whose pages are in place (rebuild on save): its memory handed
    back, then its deferred jobs."""
    _release_memory()
    try:
        _run_deferred(site)
    except Exception:
        print("Search index not rebuilt (the next build tries again):", file=sys.stderr)
        traceback.print_exc()


def prepare_rebuild(output_dir: Path, *, sweep: bool = False) -> threading.Thread:
    """Start reading back, in a thread, what the next build of `output_dir` in this process
    reads from its build cache (the memos of parsed profiles and search records): the first
    rebuild on save then finds them in memory, as every later one does.

    `sweep`: first delete the files a killed build left half written in `output_dir`
    (`incremental.sweep_unfinished`), as a server that starts again does.
    """
    cache = cache_dir(output_dir)
    earlier = list(_BACKGROUND)  # the last build's deferred jobs save some of them

    def read() -> None:
        for thread in earlier:
            thread.join()
        if sweep and Path(output_dir).is_dir():
            swept = incremental.sweep_unfinished(output_dir)
            if swept:
                logging.getLogger(__name__).info("removed %d half-written files", len(swept))
        for path in sorted(cache.glob("*.pickle")):
            incremental.Memo.keep(path)

    thread = threading.Thread(target=read, name="prepare-rebuild", daemon=True)
    _BACKGROUND.append(thread)
    thread.start()
    return thread


def wait_for_index() -> None:
    """Wait until the search index of the previous build (`background_index`) is written, and
    the memos `prepare_rebuild` reads back are read."""
    while _BACKGROUND:
        _BACKGROUND.pop().join()


def _in_child(run: Callable[[], None], errors: _ErrorLog, site: Path) -> None:
    """Run `run` in a forked process that exits when done: all its memory goes back at once.

    A full build's model (hundreds of MB at 10,000 mentors) is gone before
    Pagefind starts, instead of lingering in this process's heap. The jobs the
    child deferred (picklable) and the ERROR lines it logged come back through
    a pipe; its content problems or failure are raised again here.
    """
    if not hasattr(os, "fork"):
        run()
        _release_memory()
        return

    def child() -> dict[str, Any]:
        outcome: dict[str, Any] = {}
        gc.disable()  # this process ends with the build: nothing to collect (`_collector_paused`)
        try:
            run()
            if not errors.messages:
                for job in _HERE:
                    job(site)
            outcome["jobs"] = list(_DEFERRED)
        except ContentError as exc:
            outcome["problems"] = exc.problems
        except _Reported:
            outcome["reported"] = True
        outcome["messages"] = errors.messages
        return outcome

    outcome = Forked(child).result()  # its failure (a traceback) is raised here
    errors.messages.extend(outcome["messages"])
    if "problems" in outcome:
        raise ContentError(outcome["problems"])
    if outcome.get("reported"):
        raise _Reported()
    _DEFERRED.extend(outcome["jobs"])


def _import_build_code(settings: dict[str, Any]) -> None:
    """Import the plugins and generators here before a build's process is forked from this one.

    The build costs the same (its process inherits them), and a process that
    builds again in place (rebuild on save) finds them imported.
    """
    from pelican.plugins._utils import load_plugins

    from . import generator  # noqa: F401 - the plugin imports it once Pelican asks for it

    load_plugins(settings)


@contextlib.contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off while a build runs in this process.

    A build's objects live until it ends: each full pass of the collector over
    them (five in a rebuild at 5,000 mentors, ~0.1 s each) freed next to
    nothing. The build's memory is collected once after (`_release_memory`).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _release_memory() -> None:
    """Free the finished build's objects and hand the heap back to the system (glibc).

    Pelican memoizes articles' content and summary in caches on its `Content`
    class, which keep every article, and through them the whole build context,
    alive after the run (and one more per rebuild on save): emptied first.
    """
    from pelican.contents import Content

    for name in ("get_content", "get_summary"):
        cache = getattr(Content.__dict__.get(name), "cache", None)
        if isinstance(cache, dict):
            cache.clear()
    gc.collect()
    hand_back_heap()


def hand_back_heap() -> None:
    """The heap's free memory handed back to the system (glibc; elsewhere it is reused)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _discard(staging: Path, cache: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
    incremental.commit(cache, succeeded=False)


def cache_dir(output_dir: Path) -> Path:
    """What builds keep for the next one (search records, ...): `<output>.cache/`, git-ignored."""
    output_dir = Path(output_dir).resolve()
    return output_dir.with_name(output_dir.name + ".cache")


def _reuse_image_variants(output_dir: Path, staging: Path) -> None:
    """Copy the previous build's resized photos (mtimes kept): only stale ones are redone.

    Copies, not hard links: resizing again must never change the previous output in place.
    """
    images = output_dir / "images"
    if not images.is_dir():
        return
    for variants in images.rglob("derivatives"):
        target = staging / variants.relative_to(output_dir)
        shutil.copytree(variants, target, copy_function=shutil.copy2, dirs_exist_ok=True)


def _swap(staging: Path, output_dir: Path) -> threading.Thread:
    """Two renames; the thread returned deletes the previous site."""
    previous = output_dir.with_name(output_dir.name + ".previous")
    shutil.rmtree(previous, ignore_errors=True)
    if output_dir.exists():
        output_dir.rename(previous)
    staging.rename(output_dir)
    cleanup = threading.Thread(target=shutil.rmtree, args=(previous, True), name="delete-previous")
    cleanup.start()
    return cleanup
