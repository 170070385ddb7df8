"""Read content/mentors/ and check every profile; problems are collected, none stops the scan."""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import itertools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .bios import bio_html, memo_kind
from .errors import Problem
from .forked import Forked
from .frontmatter import Document, FrontMatterError, parse
from .schema import DATE_FIELDS, MentorProfile, MentorTranslation
from .vocab import Vocabularies

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class Translation:
    meta: MentorTranslation
    body: str
    path: str
    digest: str = ""  # of the file's text (mentors.directory keeps views by it)


@dataclass
class MentorSource:
    slug: str
    path: str
    profile: MentorProfile
    body: str
    translations: dict[str, Translation] = field(default_factory=dict)
    digest: str = ""  # of the file's text (mentors.directory keeps views by it)


def _dotted(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "front matter"


def _message(error: dict[str, Any], model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        allowed = list(model.model_fields)
        if len(loc) > 1:
            return "unknown field"
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"unknown field; {hint}allowed: {', '.join(allowed)}"
    if kind == "missing":
        return "required field is missing"
    if loc and loc[-1] in DATE_FIELDS:
        return f"malformed date '{value}'; write a real date as YYYY-MM-DD"
    return f"{error['msg']} (got {value!r})" if value is not None else error["msg"]


def _check_model(
    model: type[BaseModel], doc: Document, path: str, problems: list[Problem]
) -> BaseModel | None:
    try:
        return model.model_validate(doc.meta)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            problems.append(
                Problem(path, doc.line_of(loc), _dotted(loc), _message(error, model, loc))
            )
        return None


def _check_vocabulary(
    profile: MentorProfile, doc: Document, path: str, vocab: Vocabularies, images_dir: Path
) -> list[Problem]:
    found = []
    if profile.sector not in vocab.sectors:
        found.append(
            Problem(path, doc.line_of(("sector",)), "sector", vocab.sectors.suggest(profile.sector))
        )
    if profile.region not in vocab.regions:
        found.append(
            Problem(path, doc.line_of(("region",)), "region", vocab.regions.suggest(profile.region))
        )
    for index, code in enumerate(profile.languages):
        if code not in vocab.languages:
            loc = ("languages", index)
            found.append(
                Problem(path, doc.line_of(loc), _dotted(loc), vocab.languages.suggest(code))
            )
    problem = noc_problem(profile.noc, vocab) if profile.noc is not None else None
    if problem:
        found.append(Problem(path, doc.line_of(("noc",)), "noc", problem))
    if profile.photo:
        # Written relative to content/ ("images/mentors/x.jpg"); stored relative to images/.
        profile.photo = profile.photo.removeprefix("/").removeprefix("images/")
        if not (images_dir / profile.photo).is_file():
            found.append(
                Problem(
                    path,
                    doc.line_of(("photo",)),
                    "photo",
                    f"no image at content/images/{profile.photo}; "
                    "write a path like images/mentors/<slug>.jpg",
                )
            )
        if not profile.photo_alt:
            found.append(
                Problem(
                    path,
                    doc.line_of(("photo",)),
                    "photo_alt",
                    "required when photo is set: describe the photo for screen readers",
                )
            )
    return found


def noc_problem(code: str, vocab: Vocabularies) -> str | None:
    """Why `code` is not a NOC 2021 unit group of data/occupations.yaml (None when it is)."""
    terms = vocab.occupations
    if not re.fullmatch(r"[0-9]{5}", code):
        return f"'{code}' is not a NOC 2021 unit group: write its 5 digits, quoted, e.g. \"72200\""
    if code not in terms:
        units = [c for c in terms.terms if len(c) == 5]
        same = [c for c in units if c[:2] == code[:2]] or units
        close = min(same, key=lambda c: abs(int(c) - int(code))) if same else None
        hint = f"closest listed code: '{close}' ({terms[close].en}); " if close else ""
        return (
            f"unknown NOC 2021 unit group '{code}'; {hint}if the code is right, add it "
            "with its official titles to data/occupations.yaml"
        )
    missing = [part for part in (code[:1], code[:2]) if part not in terms]
    if missing:
        return f"'{code}' belongs to '{missing[0]}', which data/occupations.yaml does not list"
    return None


def check_profile(
    doc: Document, path: str, vocab: Vocabularies, images_dir: Path
) -> tuple[MentorProfile | None, list[Problem]]:
    """One original profile against the schema and the vocabularies."""
    problems: list[Problem] = []
    profile = _check_model(MentorProfile, doc, path, problems)
    if profile is None:
        return None, problems
    problems = _check_vocabulary(profile, doc, path, vocab, images_dir)
    return (None if problems else profile), problems


@dataclass
class _Read:
    """One file as read and checked on its own (in a worker process for big sites)."""

    path: str
    slug: str
    file_lang: str
    text: str = ""
    doc: Document | None = None
    problems: list[Problem] = field(default_factory=list)
    profile: MentorProfile | None = None
    bio: str | None = None


PARSED = "front matter"  # the memo's kind for a file's parsed document
# (shown_from, vocab, images_dir, memo, texts) while workers are forked
_READING: tuple | None = None


def _read_file(
    file: str, shown_from: Path, vocab: Vocabularies, images_dir: Path, memo, text=None
) -> _Read:
    path = _shown(file, shown_from)
    slug, _, file_lang = os.path.basename(file)[: -len(".md")].partition(".")
    read = _Read(path, slug, file_lang)
    if not SLUG.match(slug):
        read.problems.append(
            Problem(path, 1, "slug", "the file name must be a slug: a-z, 0-9 and hyphens")
        )
        return read
    try:
        read.text = _read_text(file) if text is None else text
        read.doc = memo.get(PARSED, read.text, parse) if memo else parse(read.text)
    except FrontMatterError as exc:
        read.problems.append(Problem(path, exc.line, "front matter", str(exc)))
    except UnicodeDecodeError:
        read.problems.append(Problem(path, 1, "file", "not UTF-8 text"))
    else:
        if not file_lang:
            read.profile, read.problems = check_profile(read.doc, path, vocab, images_dir)
    return read


def _read_share(files: list[str]) -> list[_Read]:
    """In a worker: read and check `files`, and render their bios for the parent's memo."""
    shown_from, vocab, images_dir, memo, texts = _READING
    reads = [
        _read_file(file, shown_from, vocab, images_dir, memo, texts.get(file)) for file in files
    ]
    for read in reads:
        if read.doc is not None and (read.file_lang or read.profile is not None):
            read.bio = bio_html(read.doc.body, _text_lang(read), memo)
    return reads


def _text_lang(read: _Read) -> str:
    """The language a file is written in: a translation's, else its profile's."""
    return read.file_lang or read.profile.lang


def _read_all(files, shown_from, vocab, images_dir, memo, workers: int, texts) -> Iterator[_Read]:
    """Every file read and checked, in file order; with `workers` > 1, this process reads the
    first share and forked processes the others, each a run of files in order.

    YAML, the schema and Markdown are CPU-bound and files independent: the forked
    processes share the vocabularies by fork and send back what they made, which
    goes into the memo here as if it had been made here. Taking in a read costs
    this process a good part of reading it, and the others must be done when
    this one is (`_own_share`). At 10,000 mentors a pool of workers, this process
    only taking in their results, read in 1.3-1.6 s where this takes 1.1-1.3 s
    (three builds each, alternated).
    """
    if workers < 2 or not hasattr(os, "fork"):
        for file in files:
            yield _read_file(file, shown_from, vocab, images_dir, memo, texts.get(file))
        return
    global _READING
    _READING = (shown_from, vocab, images_dir, memo, texts)
    own = _own_share(len(files), workers)
    rest = len(files) - own
    bounds = [own + rest * part // (workers - 1) for part in range(workers)]
    others: list[Forked] = []
    try:
        for start, end in itertools.pairwise(bounds):
            others.append(Forked(partial(_read_share, files[start:end])))
        yield from _read_share(files[:own])
        for other in others:
            for read in other.result():
                if memo:
                    _remember(memo, read)
                yield read
    finally:
        _READING = None
        for other in others:  # a scan stopped early: no process left waiting to send
            other.discard()


# A forked process reads and checks a file, then sends it back, in about this many times
# what reading and checking it takes here (measured at 10,000 mentors).
_SENT = 1.2


def _own_share(count: int, workers: int) -> int:
    """How many of `count` files this process reads: as long as each other process takes
    to read and send its share, so that every result is there when this one is done."""
    return round(count * _SENT / (workers - 1 + _SENT))


def _remember(memo, read: _Read) -> None:
    """What a worker made of `read`, in this process's memo as if made here."""
    if read.doc is not None:
        memo.get(PARSED, read.text, lambda _text, doc=read.doc: doc)
    if read.bio is not None:
        kind = memo_kind(_text_lang(read))
        memo.get(kind, read.doc.body, lambda _body, html=read.bio: html)


def _texts(files: list[str]) -> dict[str, str]:
    """Each file's text; one that cannot be read is left to `_read_file` to report."""
    texts = {}
    for file in files:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            texts[file] = _read_text(file)
    return texts


def _shown(file: str, shown_from: Path) -> str:
    """`file` as problems name it: relative to `shown_from`, with forward slashes."""
    prefix = os.path.join(shown_from, "")
    shown = file[len(prefix) :] if file.startswith(prefix) else os.path.relpath(file, shown_from)
    return shown.replace(os.sep, "/")


def text_digest(text: str) -> str:
    """A file's text as a short digest: what a build keeps of it, not the text itself."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _read_text(file: str) -> str:
    with open(file, "rb") as handle:  # bytes, then decoded: quicker than a text stream
        return handle.read().decode("utf-8")


def markdown_files(folder: Path) -> list[str]:
    """The `.md` files under `folder`, in the order of their paths' parts (as sorted Paths).

    Listed with `os.walk`, as strings: a rebuild lists thousands, ten times quicker than
    `Path.rglob`."""
    found = []
    for directory, _, names in os.walk(folder):
        found += [os.path.join(directory, name) for name in names if name.endswith(".md")]
    return sorted(found, key=lambda file: file.split(os.sep))


def read_mentors(
    mentors_dir: Path,
    images_dir: Path,
    vocab: Vocabularies,
    shown_from: Path,
    memo=None,
    workers: int = 1,
    parallel_from: int = 2000,
) -> tuple[dict[str, MentorSource], list[Problem]]:
    """Every valid profile by slug, with its translations, and every problem found.

    `memo` (a `mentors.incremental.Memo`) reuses the previous build's parse of
    an unchanged file; every file is still validated. `workers`: processes
    reading the files when there are `parallel_from` or more (see `_read_all`).
    """
    problems: list[Problem] = []
    mentors: dict[str, MentorSource] = {}
    pending: list[tuple[str, str, str, Document, str]] = []
    files = markdown_files(mentors_dir)
    workers = workers if len(files) >= parallel_from else 1
    texts: dict[str, str] = {}
    if workers > 1 and memo is not None and memo.filled:
        texts = _texts(files)
        known = sum(memo.has(PARSED, text) for text in texts.values())
        if known > len(files) - parallel_from:
            # A rebuild: checking files the memo has parsed costs less here than
            # sending every result back from forked workers.
            workers = 1
    for read in _read_all(files, shown_from, vocab, images_dir, memo, workers, texts):
        if read.doc is None:
            problems.extend(read.problems)
            continue
        if read.file_lang:
            pending.append((read.slug, read.file_lang, read.path, read.doc, text_digest(read.text)))
            continue
        if read.slug in mentors:
            other = mentors[read.slug].path
            problems.append(
                Problem(read.path, 1, "slug", f"duplicate slug '{read.slug}', also {other}")
            )
            continue
        problems.extend(read.problems)
        if read.profile is not None:
            mentors[read.slug] = MentorSource(
                read.slug, read.path, read.profile, read.doc.body, digest=text_digest(read.text)
            )
    names = (os.path.basename(file)[: -len(".md")] for file in files)
    originals = {name for name in names if "." not in name}
    for slug, file_lang, path, doc, digest in pending:
        meta = _check_model(MentorTranslation, doc, path, problems)
        if meta is None:
            continue
        found = _check_translation(slug, file_lang, path, doc, meta, mentors, originals, digest)
        problems.extend(found)
    return mentors, problems


def _check_translation(
    slug, file_lang, path, doc, meta, mentors, originals, digest
) -> list[Problem]:
    target = meta.translation_of
    line = doc.line_of(("translation_of",))
    if target not in originals:
        close = difflib.get_close_matches(target, sorted(originals), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return [Problem(path, line, "translation_of", f"points to no profile '{target}'{hint}")]
    if target != slug:
        return [
            Problem(path, line, "translation_of", f"must be '{slug}', the start of the file name")
        ]
    if meta.lang != file_lang:
        return [
            Problem(
                path,
                doc.line_of(("lang",)),
                "lang",
                f"'{meta.lang}' does not match the file name suffix '.{file_lang}.md'",
            )
        ]
    original = mentors.get(target)
    if original is None:  # the original has its own problems, already reported
        return []
    if meta.lang == original.profile.lang:
        return [
            Problem(path, doc.line_of(("lang",)), "lang", "same language as the original profile")
        ]
    if meta.education is not None and len(meta.education) != len(original.profile.education):
        return [
            Problem(
                path,
                doc.line_of(("education",)),
                "education",
                f"translate all {len(original.profile.education)} entries of the original, "
                "in the same order",
            )
        ]
    if meta.lang in original.translations:
        return [Problem(path, 1, "lang", f"a second '{meta.lang}' translation of '{target}'")]
    original.translations[meta.lang] = Translation(meta, doc.body, path, digest)
    return []
