"""Rebuild on save for `make serve`: watch content/, data/ and theme/, build again on a change.

The build is the ordinary one (`mentors.build.build_site`): incremental, so a
changed profile is on the site a few seconds later, and a mistake prints
every problem and leaves the previous site in place. The search index is
rebuilt after the new pages are in place (`background_index`): search finds
the change once Pagefind is done, a few seconds later on a big site. The server reads files
from output/ on every request, so reloading the page shows the new build.
Files the build itself writes (compiled catalogs) and editors' temporary
files do not count as changes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchfiles import Change, DefaultFilter, watch

IGNORED_SUFFIXES = (".mo", ".tmp", ".swp", ".swx", "~")


class SourceFilter(DefaultFilter):
    """watchfiles' default filter (VCS folders, caches) minus the build's own outputs."""

    def __call__(self, change: Change, path: str) -> bool:
        name = Path(path).name
        if name.endswith(IGNORED_SUFFIXES) or name.startswith(".#"):
            return False
        return super().__call__(change, path)


class Rebuilder:
    """Calls `build()` (True when it succeeded) after each batch of changes under `paths`."""

    def __init__(
        self,
        paths: Iterable[Path],
        build: Callable[[], bool],
        echo: Callable[[str], None] = print,
        debounce_ms: int = 300,
    ):
        self.paths = [Path(p) for p in paths]
        self.build = build
        self.echo = echo
        self.debounce_ms = debounce_ms
        self.stop_event = threading.Event()
        self.ready = threading.Event()  # set once watching (tests wait on it)
        self.builds = 0
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        changes = watch(
            *self.paths,
            watch_filter=SourceFilter(),
            debounce=self.debounce_ms,
            stop_event=self.stop_event,
            yield_on_timeout=True,
            rust_timeout=200,
        )
        for batch in changes:
            self.ready.set()
            if not batch:
                continue
            self.rebuild(batch)

    def rebuild(self, batch: set[tuple[Change, str]]) -> bool:
        names = sorted({Path(path).name for _, path in batch})
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        self.echo(f"Changed: {shown} — rebuilding…")
        start = time.perf_counter()
        try:
            ok = self.build()
        except Exception as error:  # keep watching: the next save may fix it
            self.echo(f"Build crashed: {error!r}; the previous site is still served")
            ok = False
        self.builds += 1
        seconds = time.perf_counter() - start
        if ok:
            self.echo(f"Rebuilt in {seconds:.1f} s: reload the page to see it")
        else:
            self.echo("Not rebuilt: fix the problems above; the previous site is still served")
        return ok

    def start(self) -> Rebuilder:
        self._thread = threading.Thread(target=self.run, name="rebuild-on-save", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        if self._thread is not None:
            self._thread.join(10)


def site_builder(settings: Path, output: Path) -> Callable[[], bool]:
    """The build `make serve` repeats (a .po saved is compiled by the build itself:
    `i18n.Catalogs` compiles a catalog older than its .po).

    What the first rebuild would read back from the build cache is read now, while
    nothing changes, and what a build killed mid-write left half written in the output
    is deleted (`mentors.build.prepare_rebuild`).
    """
    from .build import build_site, prepare_rebuild

    prepare_rebuild(output, sweep=True)  # after a server stopped mid-build, too

    def build() -> bool:
        built = build_site(settings, output, background_cleanup=True, background_index=True)
        # A failed build took the memos out of memory without saving them: read them back.
        prepare_rebuild(output)
        return built

    return build
