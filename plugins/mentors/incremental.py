"""Incremental builds: render again only the pages whose inputs changed since the last build.

The whole content is still read and validated, and every page's context is
still built (that is cheap); what is skipped is rendering and writing a page
whose fingerprint — a digest of its template context, the theme, the
catalogs, the vocabularies, the settings and this plugin's code — equals the
one recorded by the previous successful build. A page is thus re-rendered
exactly when a full build would write something else there, which is what
makes an incremental build equal to a full one.

An incremental build writes into the live output (mentors.build): every
writer replaces a file by a rename (`write_atomic`), so a reader sees the
old page or the new one, never half of one. The state (`build-state.json`)
lives in the build cache next to the output; it is saved only once the build
succeeded, and before pages are rewritten in place it forgets them
(`before_writing`), so a build that fails midway leaves them to the next.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import hashlib
import io
import json
import operator
import os
import pickle
import shutil
from pathlib import Path
from typing import Any

from jinja2 import FileSystemBytecodeCache

STATE_FILE = "build-state.json"
PENDING = ".pending"
FORMAT = 1
# Settings that change how a build runs, never a page's bytes.
BUILD_ONLY = (
    "OUTPUT_PATH",
    "BUILD_IN_PLACE",
    "BUILD_IN_CHILD",
    "MENTORS_PARALLEL_FROM",
    "MENTORS_RENDER_WORKERS",
)


def write_atomic(path: str | os.PathLike, data: str | bytes) -> None:
    """Write `path` whole by a rename: a page being served is never seen half written."""
    path = os.fspath(path)
    tmp = f"{path}.{os.getpid()}.tmp"
    write_new(tmp, data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(tmp, path)


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def write_new(path: str, data: bytes, new_folder: bool = False) -> None:
    """Write `path` in place; its folder made only when missing (one failed open, not a
    check before each of thousands), most often alone (a profile's own folder).

    `new_folder`: the folder is most likely not there yet (a full build's page, in a
    folder of its own): it is made first, and the failed open spared.
    File descriptors rather than file objects: 10,000 pages written 0.2 s sooner.
    """
    if new_folder:
        _make_folder(os.path.dirname(path))
    try:
        fd = os.open(path, _NEW_FILE, 0o666)
    except FileNotFoundError:
        _make_folder(os.path.dirname(path))
        fd = os.open(path, _NEW_FILE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _make_folder(folder: str) -> None:
    try:
        os.mkdir(folder)
    except FileNotFoundError:  # its parent is missing too
        os.makedirs(folder, exist_ok=True)
    except FileExistsError:  # there already, or made meanwhile by another process
        pass


def remove_with_empty_folders(path: Path, root: Path) -> None:
    """Delete the file `path` (if there), then its folders up to `root` (kept) that it left
    empty: a gone profile's folder, a facet value no mentor has any more."""
    path.unlink(missing_ok=True)
    folder = path.parent
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:  # not empty
            return
        folder = folder.parent


def sweep_unfinished(folder: str | os.PathLike) -> list[str]:
    """Delete what `write_atomic` left half written in `folder` when its process was killed
    (`<name>.<pid>.tmp`, that pid gone); return their paths."""
    swept = []
    for directory, _, names in os.walk(folder):
        for name in names:
            stem, _, pid = name.removesuffix(".tmp").rpartition(".")
            if name.endswith(".tmp") and stem and pid.isdigit() and not _running(int(pid)):
                path = os.path.join(directory, name)
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
                    swept.append(path)
    return swept


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def files_digest(paths: list[Path]) -> str:
    """Digest of the files under `paths` (names and bytes), in a stable order."""
    digest = hashlib.blake2b(digest_size=16)
    for root in paths:
        root = Path(root)
        found = sorted(root.rglob("*")) if root.is_dir() else [root] if root.exists() else []
        for path in found:
            if path.is_file() and path.suffix not in (".pyc", ".po", ".pot"):
                digest.update(path.as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


_INPUTS: dict[str, tuple[dict, str]] = {}  # by kind: (the running build's settings, digest)


def inputs_digest(settings: dict[str, Any]) -> str:
    """Everything a page depends on besides its own context: templates, catalogs,
    vocabularies, this plugin's code and the settings (computed once per build)."""
    theme = Path(settings["THEME"])
    paths = [theme / "templates", Path(settings["THEME_TRANSLATIONS"])]
    paths += [Path(p) for p in settings.get("THEME_TEMPLATES_OVERRIDES") or []]
    return _digest_once("pages", settings, paths)


def model_digest(settings: dict[str, Any]) -> str:
    """What the directory's views are made of besides the content: vocabularies and
    data/, this plugin's code and the settings (the theme apart)."""
    return _digest_once("model", settings, [])


def _digest_once(kind: str, settings: dict[str, Any], paths: list[Path]) -> str:
    found = _INPUTS.get(kind)
    if found and found[0] is settings:
        return found[1]
    paths = [*paths, Path(settings["MENTORS_DATA_DIR"]), Path(__file__).parent]
    digest = files_digest(paths) + settings_digest(settings)
    _INPUTS[kind] = (settings, digest)
    return digest


class TemplateCache(FileSystemBytecodeCache):
    """Compiled templates kept between builds in the build cache (Jinja's bytecode cache).

    Jinja keys a template by its name and source only; what else shapes its
    code (the environment's options and extensions, the page language's
    strings compiled into the templates of `language_environment`) is in the
    folder's name, the build's inputs digest, or in the key (the language).
    Folders of other inputs are deleted.
    """

    def __init__(self, cache_dir: Path, inputs: str):
        import jinja2

        namespace = hashlib.blake2b(
            f"{jinja2.__version__}\0{inputs}".encode(), digest_size=16
        ).hexdigest()
        root = Path(cache_dir) / "templates"
        if root.is_dir():
            for old in root.iterdir():
                if old.name != namespace:
                    shutil.rmtree(old, ignore_errors=True)
        (root / namespace).mkdir(parents=True, exist_ok=True)
        super().__init__(str(root / namespace))

    @staticmethod
    def _key(environment, name: str) -> str:
        """A template's name in the page language its environment compiles it for."""
        return f"{environment.globals.get('lang') or ''}\0{name}"

    def get_bucket(self, environment, name, filename, source):
        return super().get_bucket(environment, self._key(environment, name), filename, source)

    def names_used(self, environment, name: str, find) -> set[str] | None:
        """`find()` (the variables a template and those it includes may read), kept beside
        its code: parsing the templates again for it costs a rebuild about half a second."""
        key = hashlib.blake2b(self._key(environment, name).encode(), digest_size=16).hexdigest()
        path = Path(self.directory) / f"names-{key}.json"
        try:
            found = json.loads(path.read_text("utf-8"))
            return None if found is None else set(found)
        except (OSError, ValueError):
            pass
        names = find()
        write_atomic(str(path), json.dumps(None if names is None else sorted(names)))
        return names


def template_cache(settings: dict[str, Any]) -> TemplateCache | None:
    """The bytecode cache of a build with a build cache folder (`build_site`), else None."""
    cache = settings.get("BUILD_CACHE_PATH")
    return TemplateCache(Path(cache), inputs_digest(settings)) if cache else None


def settings_digest(settings: dict[str, Any]) -> str:
    """Digest of the settings a template may read (plain values only)."""
    plain = {}
    for key, value in settings.items():
        if key.isupper() and key not in BUILD_ONLY:
            try:
                plain[key] = json.dumps(value, sort_keys=True, default=str)
            except (TypeError, ValueError):
                plain[key] = type(value).__name__
    return hashlib.blake2b(json.dumps(plain, sort_keys=True).encode(), digest_size=16).hexdigest()


class _Pickler(pickle.Pickler):
    """Pickles a context; objects shared by many pages stand in as their memoized digest."""

    def __init__(self, file, fingerprints: Fingerprints):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.fingerprints = fingerprints
        # No memo: equal values give equal bytes whether or not they are the same object.
        self.fast = True

    def reducer_override(self, value):
        kind = type(value)
        stand_in = _STAND_INS.get(kind, _UNKNOWN)
        if stand_in is _UNKNOWN:
            stand_in = _STAND_INS[kind] = _stand_in(value)
        if stand_in is None:
            return NotImplemented
        return str, (stand_in(self.fingerprints, value),)


_UNKNOWN = object()
# How objects of a type are pickled (None: as pickle does), decided once per type.
_STAND_INS: dict[type, Any] = {}


def _stand_in(value: Any):
    """The digest a shared object stands in as, or None for a plain value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = tuple(f.name for f in dataclasses.fields(value))
        return lambda prints, v: prints.shared(v, lambda v: [getattr(v, n) for n in names])
    if hasattr(value, "source_path"):  # a Pelican article or page
        return lambda prints, v: prints.shared(v, _content_fields)
    if hasattr(value, "slug") and hasattr(value, "name") and hasattr(value, "settings"):
        return lambda prints, v: f"{v.name}\0{v.slug}"  # a Pelican category or tag
    return None


class Fingerprints:
    """Digests of template contexts; objects shared by many pages are digested once.

    `plain`: types made of plain values only (str, numbers, dates, lists, dicts
    and other plain types), such as a mentor's view: pickled as they are, in C,
    and stand in for themselves by their digest wherever a page shows them.
    """

    def __init__(self, base: str, plain: tuple[type, ...] = ()):
        self.base = base.encode()
        self.plain = frozenset(plain)
        # Plain dataclasses pickled as their class and field values, read in C: the
        # default way calls the class's Python `__getstate__` for each one, nested ones too.
        self._reducers = copyreg.dispatch_table.copy()
        for kind in plain:
            if dataclasses.is_dataclass(kind):
                self._reducers[kind] = _by_fields(kind)
        self._memo: dict[int, str] = {}
        self._keep: list[Any] = []  # memo keys are ids: keep the objects alive

    def digest(self, value: Any) -> str:
        buffer = io.BytesIO()
        _Pickler(buffer, self).dump(value)
        return hashlib.blake2b(buffer.getvalue(), digest_size=16).hexdigest()

    def page(self, template: str, context: dict[str, Any], shared: Any = None) -> str:
        """The fingerprint of one page: template name, own context, shared part (memoized)."""
        own = {key: self._plain_stand_in(value) for key, value in context.items()}
        return self.digest((self.base, template, self.shared(shared, lambda v: v), own))

    def _plain_stand_in(self, value: Any) -> Any:
        """A plain object or a list of them as digests; anything else as it is."""
        kind = type(value)
        if kind in self.plain:
            return self.plain_digest(value)
        if kind is list and value and type(value[0]) in self.plain:
            return [self._plain_stand_in(item) for item in value]
        return value

    def plain_digest(self, value: Any) -> str:
        """The digest of a value of a `plain` type (memoized: the value must not change)."""
        found = self._memo.get(id(value))
        if found is None:
            found = self.digest_of(value)
            self.known(value, found)
        return found

    def digest_of(self, value: Any) -> str:
        """The digest of a value of a `plain` type, made now."""
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = self._reducers
        pickler.fast = True  # equal values, equal bytes (no memo of shared parts)
        pickler.dump(value)
        return hashlib.blake2b(buffer.getvalue(), digest_size=16).hexdigest()

    def known(self, value: Any, digest: str) -> None:
        """`value`'s digest, as `digest_of` gave it (for this value or an equal one) before."""
        self._memo[id(value)] = digest
        self._keep.append(value)  # memo keys are ids: keep the objects alive

    def shared(self, value: Any, fields) -> str:
        if value is None:
            return ""
        key = id(value)
        if key not in self._memo:
            self._memo[key] = self.digest((type(value).__name__, fields(value)))
            self._keep.append(value)
        return self._memo[key]


def _by_fields(kind: type):
    """A pickle reducer of a dataclass: its class and its field values, in field order."""
    names = [f.name for f in dataclasses.fields(kind)]
    values = operator.attrgetter(*names) if len(names) > 1 else None  # a tuple, in C

    def reduce(value: Any) -> tuple:
        if values is None:  # attrgetter of one name gives its value alone
            return kind, tuple(getattr(value, name) for name in names)
        return kind, values(value)

    return reduce


def _content_fields(value: Any) -> list:
    """What listings and cards show of an article; its own page is Pelican's to write."""
    category = getattr(value, "category", None)
    return [
        value.url,
        value.title,
        str(getattr(value, "summary", "") or ""),
        getattr(value, "date", None),
        (category.name, category.slug) if category is not None else None,
        [(t.name, t.slug) for t in getattr(value, "tags", None) or []],
        getattr(value, "sector_list", []),
    ]


class BuildState:
    """Fingerprints of the pages the previous build wrote, and what Pelican's writer wrote."""

    def __init__(self, cache_dir: Path | None, output_dir: Path | None):
        self.path = Path(cache_dir) / STATE_FILE if cache_dir else None
        self.output_dir = Path(output_dir) if output_dir else None
        self.pages: dict[str, str] = {}
        self.written: list[str] = []
        self.extra: dict[str, str] = {}
        self.new_pages: dict[str, str] = {}
        self.new_written: set[str] = set()
        self.new_extra: dict[str, str] = {}
        previous = self._load()
        if previous:
            self.pages = previous.get("pages", {})
            self.written = previous.get("written", [])
            self.extra = previous.get("extra", {})

    def _load(self) -> dict | None:
        if self.path is None or not self.path.is_file():
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if data.get("format") == FORMAT else None

    def needs(self, name: str, fingerprint: str, output: str | Path) -> bool:
        """Record `name`'s fingerprint; True when it must be rendered (changed or missing)."""
        self.new_pages[name] = fingerprint
        return self.pages.get(name) != fingerprint or not os.path.isfile(f"{output}/{name}")

    def rendered(self, fingerprints: dict[str, str]) -> None:
        """Record the fingerprints of pages rendered without asking `needs` (no earlier pages)."""
        self.new_pages.update(fingerprints)

    def before_writing(self, names: list[str]) -> None:
        """The stored state forgets pages about to be rewritten in place.

        Should the build fail after rewriting some, the next one finds no
        fingerprint for them and renders them again, even if their inputs
        went back to what the stored state remembers.
        """
        if self.path is None or not names or not self.path.is_file():
            return
        kept = dict(self.pages)
        for name in names:
            kept.pop(name, None)
        self._save(self.path, kept, self.written, self.extra)

    def remove_gone(self, output: Path) -> list[str]:
        """Delete the pages of the previous build that this one does not make any more."""
        gone = [n for n in self.pages if n not in self.new_pages]
        gone += [n for n in self.written if n not in self.new_written and n not in self.new_pages]
        for name in gone:
            remove_with_empty_folders(output / name, output)
        return gone

    def save_pending(self) -> None:
        """Write this build's state aside; `commit` makes it current once the output is swapped."""
        if self.path is None:
            return
        pending = self.path.with_name(STATE_FILE + PENDING)
        self._save(pending, self.new_pages, sorted(self.new_written), self.new_extra)

    @staticmethod
    def _save(path: Path, pages: dict, written: list, extra: dict) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"format": FORMAT, "pages": pages, "written": written, "extra": extra}
        write_atomic(path, json.dumps(data, separators=(",", ":")))


def has_state(cache_dir: Path) -> bool:
    return (Path(cache_dir) / STATE_FILE).is_file()


def commit(cache_dir: Path, succeeded: bool) -> None:
    """After the swap, the pending state describes output/; after a failure, forget it."""
    pending = Path(cache_dir) / (STATE_FILE + PENDING)
    if not pending.exists():
        return
    if succeeded:
        os.replace(pending, Path(cache_dir) / STATE_FILE)
    else:
        pending.unlink()


class Memo:
    """Results of pure functions of a text (front matter parsed, Markdown rendered), by digest.

    Kept in the build cache between builds (a pickle the build itself wrote);
    entries not used by a build are dropped when it saves. A process that
    builds again (rebuild on save) keeps the last one in memory instead of
    reading its file back, as long as that file is the one it wrote.
    """

    _kept: dict[Path, tuple[tuple[int, int], dict[bytes, Any]]] = {}  # by path: (stamp, memo)

    def __init__(self, path: Path | None):
        self.path = Path(path) if path else None
        self._old: dict[bytes, Any] = {}
        self._new: dict[bytes, Any] = {}
        if self.path is None or not self.path.is_file():
            return
        kept = Memo._kept.pop(self.path, None)
        if kept is not None and kept[0] == _stamp(self.path):
            self._old = kept[1]
            return
        self._old = Memo._read(self.path)

    @staticmethod
    def keep(path: Path) -> None:
        """Read the memo file at `path` into memory now, for the next build in this process
        (unless the memo in memory is that file already)."""
        path = Path(path)
        with contextlib.suppress(OSError):
            stamp = _stamp(path)
            kept = Memo._kept.get(path)
            if kept is None or kept[0] != stamp:
                Memo._kept[path] = (stamp, Memo._read(path))

    @staticmethod
    def _read(path: Path) -> dict[bytes, Any]:
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)  # noqa: S301 - written by our own build
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            return {}

    @staticmethod
    def _key(kind: str, text: str) -> bytes:
        return hashlib.blake2b(f"{kind}\0{text}".encode(), digest_size=16).digest()

    @property
    def filled(self) -> bool:
        """Whether the memo holds any result (of a previous build, or of this one so far)."""
        return bool(self._old or self._new)

    def has(self, kind: str, text: str) -> bool:
        key = self._key(kind, text)
        return key in self._new or key in self._old

    def get(self, kind: str, text: str, compute):
        key = self._key(kind, text)
        if key in self._new:
            return self._new[key]
        value = self._old[key] if key in self._old else compute(text)
        self._new[key] = value
        return value

    def delta(self) -> tuple[list[bytes], dict[bytes, Any]]:
        """What this memo reused of the previous build's (keys) and what it added: another
        process that holds the same previous memo saves what this one would (`merge`)."""
        reused = [key for key in self._new if key in self._old]
        added = {key: value for key, value in self._new.items() if key not in self._old}
        return reused, added

    def merge(self, delta: tuple[list[bytes], dict[bytes, Any]]) -> None:
        reused, added = delta
        for key in reused:
            if key in self._old:
                self._new[key] = self._old[key]
        self._new.update(added)

    def save(self, keep: bool = True) -> None:
        """Write what this build used; `keep=False`: then forget it all, for its memory to
        serve the rest of the build (no rebuild in this process reads it)."""
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            with tmp.open("wb") as handle:
                pickle.dump(self._new, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
            if keep:
                Memo._kept[self.path] = (_stamp(self.path), self._new)
        if not keep:
            self._old, self._new = {}, {}


def _stamp(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_mtime_ns, status.st_size
