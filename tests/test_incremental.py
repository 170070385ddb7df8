"""Incremental builds: a changed profile re-renders only what depends on it; = a full build."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT
from mentors.build import build_site, cache_dir, wait_for_index
from mentors.i18n import compile_catalogs
from site_search.pagefind_index import indexed_pages

# Pages the mentors generator renders (Pelican's own article pages are always written).
GENERATED = re.compile(
    r"^(en/)?(index\.html|mentors/|secteurs/|sectors/|regions/|langues/|languages/)"
)
NEW_OCCUPATION = "Conseillère en orientation scolaire"


# Rendering forked from the first page, as on a big site (and a big site rebuilt in place
# writes its search data in a forked process).
FORKED = {"MENTORS_PARALLEL_FROM": 1, "MENTORS_RENDER_WORKERS": 2}


@pytest.fixture(autouse=True)
def catalogs():
    compile_catalogs(ROOT / "theme" / "translations")


def build(content: Path, out: Path, overrides: dict | None = None) -> None:
    assert build_site(ROOT / "pelicanconf.py", out, content_dir=content, overrides=overrides)


def files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    return {name: (p.stat().st_ino, p.read_bytes()) for name, p in files(root).items()}


def edit(path: Path, field: str, value: str) -> None:
    text, count = re.subn(
        rf"^{field}:.*$", f"{field}: {value}", path.read_text("utf-8"), count=1, flags=re.M
    )
    assert count == 1
    path.write_text(text, encoding="utf-8")


def a_profile(content: Path) -> Path:
    """A French profile without a translation file, somewhere in the middle of the list."""
    originals = sorted(
        p
        for p in (content / "mentors").glob("*.md")
        if p.name.count(".") == 1 and not (p.parent / f"{p.stem}.en.md").exists()
    )
    return originals[len(originals) // 2]


def stamps(out: Path, pattern: str) -> dict[str, int]:
    """The build cache's template files matching `pattern`, with their modification times."""
    found = (cache_dir(out) / "templates").rglob(pattern)
    return {p.name: p.stat().st_mtime_ns for p in found}


def search_fragments(site: Path) -> list[str]:
    """What the search index holds (its file names vary from run to run; its content does not)."""
    fragments = (site / "pagefind" / "fragment").glob("*.pf_fragment")
    return sorted(gzip.decompress(f.read_bytes()).decode("utf-8") for f in fragments)


# A first build renders its pages in two processes on a big site, and each makes the
# fingerprints of its own pages (the build has none before).
@pytest.mark.parametrize("first", ["in one process", "in two processes"])
def test_one_changed_profile_rewrites_only_its_dependent_pages(content_copy, tmp_path, first):
    out = tmp_path / "output"
    build(content_copy, out, FORKED if first == "in two processes" else None)
    before = snapshot(out)
    profile = a_profile(content_copy)
    slug = profile.stem
    # Written once, by the last render process when there are two.
    assert f"/mentors/{slug}/</loc>" in (out / "sitemap.xml").read_text("utf-8")
    assert slug in json.loads((out / "relay" / "mentors.json").read_text("utf-8"))["mentors"]

    edit(profile, "occupation", NEW_OCCUPATION)
    build(content_copy, out)
    after = snapshot(out)

    rewritten = {
        n for n in after if GENERATED.match(n) and before.get(n, (None,))[0] != after[n][0]
    }
    changed = {n for n in after if GENERATED.match(n) and before.get(n, (0, b""))[1] != after[n][1]}
    assert {f"mentors/{slug}/index.html", f"en/mentors/{slug}/index.html"} <= changed
    assert any(n.startswith("secteurs/") for n in changed)  # its sector's listing shows it
    # Nothing else was rendered again: every other page is the previous build's file.
    assert rewritten == changed
    assert len(rewritten) < len([n for n in after if GENERATED.match(n)]) / 4
    for page in (f"mentors/{slug}/index.html", f"en/mentors/{slug}/index.html"):
        assert NEW_OCCUPATION in after[page][1].decode("utf-8")
    assert NEW_OCCUPATION in "".join(search_fragments(out))


def test_a_first_build_rendered_in_two_processes_leaves_the_next_nothing_to_parse(
    content_copy, tmp_path, monkeypatch
):
    """Its memo is written by a render process while the other renders: whole, with what
    both languages' views were made of, so the next build parses no file again."""
    import mentors.directory
    import mentors.validation

    out, log = tmp_path / "output", tmp_path / "made"
    build(content_copy, out, FORKED)

    def counted(real):
        def made(*args, **kwargs):
            with log.open("a") as lines:
                lines.write(f"{real.__name__}\n")
            return real(*args, **kwargs)

        return made

    monkeypatch.setattr(mentors.validation, "parse", counted(mentors.validation.parse))
    views = counted(mentors.directory.Directory._views)
    monkeypatch.setattr(mentors.directory.Directory, "_views", views)
    edit(a_profile(content_copy), "occupation", NEW_OCCUPATION)
    build(content_copy, out)
    assert log.read_text().split() == ["parse", "_views"]  # the changed profile's alone


def test_a_profile_file_renamed_with_its_text_unchanged_moves_its_pages(content_copy, tmp_path):
    """The slug is the file's name: the same text under another name is another mentor's
    views, not the ones the previous build kept for that text."""
    out = tmp_path / "output"
    build(content_copy, out)
    profile = a_profile(content_copy)
    old, new = profile.stem, "zz-nouveau-nom"
    profile.rename(profile.with_name(f"{new}.md"))

    build(content_copy, out)
    for lang in ("", "en/"):
        assert not (out / f"{lang}mentors" / old).exists()
        page = (out / f"{lang}mentors" / new / "index.html").read_text("utf-8")
        assert f'rel="canonical" href="/{lang}mentors/{new}/"' in page
    listed = "".join(p.read_text("utf-8") for p in (out / "secteurs").rglob("index.html"))
    assert f"/mentors/{new}/" in listed and f"/mentors/{old}/" not in listed


def forks_counted(monkeypatch, log: Path):
    """Count the forked processes site_search starts from now on, one line each in `log`
    (the build itself may run in a process of its own)."""
    import site_search.pages

    class Counted(site_search.pages.Forked):
        def __init__(self, *args, **kwargs):
            with log.open("a") as lines:
                lines.write("started\n")
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(site_search.pages, "Forked", Counted)
    return lambda: len(log.read_text().splitlines()) if log.exists() else 0


@pytest.mark.parametrize("search_data", ["here", "forked"])
def test_an_incremental_build_equals_a_full_build(content_copy, tmp_path, monkeypatch, search_data):
    incremental, full = tmp_path / "incremental" / "output", tmp_path / "full" / "output"
    build(content_copy, incremental)
    edit(a_profile(content_copy), "occupation", NEW_OCCUPATION)
    gone = sorted((content_copy / "mentors").glob("*.md"))[0]
    gone.unlink()  # and one profile removed: its pages go too
    started = forks_counted(monkeypatch, tmp_path / "forks")
    overrides = FORKED if search_data == "forked" else None
    assert build_site(ROOT / "pelicanconf.py", incremental, content_copy, overrides)
    assert started() == (1 if search_data == "forked" else 0)
    build(content_copy, full)

    mine, theirs = files(incremental), files(full)
    assert f"mentors/{gone.stem}/index.html" not in mine
    assert not (incremental / "mentors" / gone.stem).exists()  # its folder goes too
    skip = ("pagefind/", "relay/mentors.json")  # index file names vary; the manifest is dated
    assert {n for n in mine if not n.startswith(skip)} == {
        n for n in theirs if not n.startswith(skip)
    }
    differ = [
        n for n in mine if not n.startswith(skip) and mine[n].read_bytes() != theirs[n].read_bytes()
    ]
    assert differ == []
    manifests = [
        json.loads(p.read_text("utf-8"))
        for p in (mine["relay/mentors.json"], theirs["relay/mentors.json"])
    ]
    assert manifests[0]["mentors"] == manifests[1]["mentors"]
    assert indexed_pages(incremental) == indexed_pages(full)
    assert search_fragments(incremental) == search_fragments(full)


def test_a_failed_incremental_build_keeps_the_previous_site_and_state(content_copy, tmp_path):
    out = tmp_path / "output"
    build(content_copy, out)
    state = cache_dir(out) / "build-state.json"
    kept_state = state.read_bytes()
    kept = snapshot(out)
    profile = a_profile(content_copy)
    edit(profile, "sector", "pas-un-secteur")

    assert not build_site(ROOT / "pelicanconf.py", out, content_dir=content_copy)

    assert snapshot(out) == kept
    assert state.read_bytes() == kept_state
    assert not out.with_name("output.staging").exists()
    edit(profile, "sector", "genie-civil")
    build(content_copy, out)
    page = (out / "mentors" / profile.stem / "index.html").read_text("utf-8")
    assert "/secteurs/genie-civil/" in page


def test_a_theme_change_renders_every_page_again_but_keeps_the_search_index(content_copy, tmp_path):
    """The theme is an input of every page: a build with other templates writes them all."""
    out = tmp_path / "output"
    build(content_copy, out)
    before = snapshot(out)
    templates = tmp_path / "templates"
    templates.mkdir()
    base = (ROOT / "theme" / "templates" / "base.html").read_text("utf-8")
    # A setting no template read before: the new templates are searched for what they read.
    changed = base.replace("<body", '<body data-test="{{ TIMEZONE }}"')
    (templates / "base.html").write_text(changed, "utf-8")
    overrides = {"THEME_TEMPLATES_OVERRIDES": [str(templates)]}
    assert build_site(ROOT / "pelicanconf.py", out, content_dir=content_copy, overrides=overrides)
    after = snapshot(out)
    pages = [n for n in after if GENERATED.match(n)]
    marked = b'<body data-test="America/Toronto"'
    assert all(after[n][0] != before[n][0] and marked in after[n][1] for n in pages)
    # The search records did not change: the previous index stays, not indexed again.
    index = [n for n in after if n.startswith("pagefind/")]
    assert index and all(after[n] == before[n] for n in index)
    assert os.path.isdir(cache_dir(out) / "search-records")


def test_on_save_the_pages_come_first_and_the_search_index_follows(content_copy, tmp_path):
    from mentors.build import wait_for_index

    out = tmp_path / "output"
    build(content_copy, out)
    profile = a_profile(content_copy)
    edit(profile, "occupation", NEW_OCCUPATION)

    assert build_site(ROOT / "pelicanconf.py", out, content_dir=content_copy, background_index=True)
    page = out / "mentors" / profile.stem / "index.html"
    assert NEW_OCCUPATION in page.read_text("utf-8")  # in place before the index is done
    wait_for_index()
    assert NEW_OCCUPATION in "".join(search_fragments(out))
    assert not (cache_dir(out) / "search-index.stale").exists()


def test_what_a_rebuild_reads_back_is_read_before_the_first_save(
    content_copy, tmp_path, monkeypatch
):
    """Rebuild on save reads the build cache's memos while the site is served: the first
    rebuild finds them in memory, not on disk, and builds the same pages."""
    import mentors.incremental
    from mentors.build import prepare_rebuild, wait_for_index

    out = tmp_path / "output"
    build(content_copy, out)
    memos = sorted(cache_dir(out).glob("*.pickle"))
    assert [p.name for p in memos] == ["parsed.pickle", "records.en.pickle", "records.fr.pickle"]
    prepare_rebuild(out).join()

    monkeypatch.setattr(mentors.incremental.Memo, "_read", staticmethod(not_read))
    profile = a_profile(content_copy)
    edit(profile, "occupation", NEW_OCCUPATION)
    assert build_site(ROOT / "pelicanconf.py", out, content_dir=content_copy, background_index=True)
    wait_for_index()
    assert NEW_OCCUPATION in (out / "mentors" / profile.stem / "index.html").read_text("utf-8")
    assert NEW_OCCUPATION in "".join(search_fragments(out))


def test_rebuilds_whose_search_data_is_forked_find_every_memo_in_memory(
    content_copy, tmp_path, monkeypatch
):
    """The forked process sends the search records' memo back to the building process, which
    keeps it in memory: the next rebuild reads nothing from disk either."""
    import mentors.incremental
    from mentors.build import prepare_rebuild, wait_for_index

    out = tmp_path / "output"
    build(content_copy, out)
    started = forks_counted(monkeypatch, tmp_path / "forks")
    profile = a_profile(content_copy)
    for occupation in ("Conseillère d'orientation", NEW_OCCUPATION):
        prepare_rebuild(out).join()
        if started():  # from the second rebuild on
            monkeypatch.setattr(mentors.incremental.Memo, "_read", staticmethod(not_read))
        edit(profile, "occupation", occupation)
        args = (ROOT / "pelicanconf.py", out, content_copy, FORKED)
        assert build_site(*args, background_index=True)
        wait_for_index()
    assert started() == 2
    assert NEW_OCCUPATION in (out / "mentors" / profile.stem / "index.html").read_text("utf-8")
    assert NEW_OCCUPATION in "".join(search_fragments(out))


def not_read(path):
    raise AssertionError(f"{path.name} was read from disk again")


def test_a_server_starting_again_deletes_what_a_killed_build_left_half_written(
    content_copy, tmp_path
):
    import subprocess
    import sys

    from mentors.build import prepare_rebuild

    out = tmp_path / "output"
    build(content_copy, out)
    page = out / "mentors" / a_profile(content_copy).stem / "index.html"
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    half_written = page.with_name(f"index.html.{ended.stdout.strip()}.tmp")
    still_writing = page.with_name(f"index.html.{os.getpid()}.tmp")
    someone_elses = out / "notes.tmp"
    for path in (half_written, still_writing, someone_elses):
        path.write_text("<html", encoding="utf-8")

    prepare_rebuild(out, sweep=True).join()

    assert not half_written.exists()
    assert still_writing.exists() and someone_elses.exists() and page.exists()


def test_a_failed_background_index_is_redone_by_the_next_build(
    content_copy, tmp_path, monkeypatch, capsys
):
    import site_search
    from mentors.build import wait_for_index

    out = tmp_path / "output"
    build(content_copy, out)
    profile = a_profile(content_copy)
    edit(profile, "occupation", NEW_OCCUPATION)

    def broken(records, site):
        raise site_search.pagefind_index.SearchIndexError("Pagefind failed on purpose")

    with monkeypatch.context() as patch:
        patch.setattr(site_search, "index_records", broken)
        assert build_site(
            ROOT / "pelicanconf.py", out, content_dir=content_copy, background_index=True
        )
        wait_for_index()
    assert "Pagefind failed on purpose" in capsys.readouterr().err
    assert NEW_OCCUPATION not in "".join(search_fragments(out))  # the previous index answers

    build(content_copy, out)  # nothing changed since: only the index is redone

    assert NEW_OCCUPATION in "".join(search_fragments(out))
    assert not (cache_dir(out) / "search-index.stale").exists()


def test_a_build_failing_midway_has_its_pages_rendered_again_by_the_next(
    content_copy, tmp_path, monkeypatch
):
    """In place, a failed build may leave pages it rewrote: the next build redoes them, even
    when the content went back to what the last successful build saw."""
    from mentors.generator import MentorsGenerator

    out = tmp_path / "output"
    build(content_copy, out)
    profile = a_profile(content_copy)
    page = out / "mentors" / profile.stem / "index.html"
    kept = page.read_bytes()
    original = profile.read_text("utf-8")
    edit(profile, "occupation", NEW_OCCUPATION)
    write = MentorsGenerator._write
    log = tmp_path / "written.txt"  # a file: the build writes its pages in another process

    def fail_after_the_first(self, template, url, context):
        if log.exists():
            raise OSError("disk full")
        write(self, template, url, context)
        log.write_text(url, encoding="utf-8")

    with monkeypatch.context() as patch:
        patch.setattr(MentorsGenerator, "_write", fail_after_the_first)
        assert not build_site(ROOT / "pelicanconf.py", out, content_dir=content_copy)
    assert log.exists()  # the failure came after a page was rewritten in place
    written = [log.read_text(encoding="utf-8")]

    profile.write_text(original, encoding="utf-8")
    build(content_copy, out)
    assert page.read_bytes() == kept
    assert NEW_OCCUPATION not in (out / written[0] / "index.html").read_text("utf-8")


def test_an_error_logged_while_reading_stops_the_build_before_anything_is_written(
    content_copy, tmp_path, monkeypatch, capsys
):
    """Pelican and plugins report some problems only as ERROR lines: in place, none is written."""
    import logging

    from mentors.generator import MentorsGenerator

    out = tmp_path / "output"
    build(content_copy, out)
    kept = snapshot(out)
    edit(a_profile(content_copy), "occupation", NEW_OCCUPATION)
    read = MentorsGenerator.generate_context

    def read_and_complain(self):
        read(self)
        logging.getLogger("pelican.generators").error("Could not process an article")

    with monkeypatch.context() as patch:
        patch.setattr(MentorsGenerator, "generate_context", read_and_complain)
        assert not build_site(ROOT / "pelicanconf.py", out, content_dir=content_copy)
    assert "Could not process an article" in capsys.readouterr().err
    assert snapshot(out) == kept


def test_templates_compiled_by_a_build_are_reused_in_each_language(content_copy, tmp_path):
    """The next build loads the compiled templates from the build cache: same pages, and each
    language keeps its own strings (a template is compiled once per page language)."""
    out = tmp_path / "output"
    build(content_copy, out)
    first = {n: p.read_bytes() for n, p in files(out).items() if GENERATED.match(n)}
    compiled = list((cache_dir(out) / "templates").rglob("*.cache"))
    assert compiled
    names = stamps(out, "names-*.json")
    assert names
    (cache_dir(out) / "build-state.json").unlink()  # every page rendered again, from the cache

    build(content_copy, out)

    again = {n: p.read_bytes() for n, p in files(out).items() if GENERATED.match(n)}
    assert again == first
    assert sorted((cache_dir(out) / "templates").rglob("*.cache")) == sorted(compiled)
    assert stamps(out, "names-*.json") == names  # what each template reads: found once
    assert "Find a mentor" in again["en/index.html"].decode("utf-8")
    assert "Trouver un mentor" in again["index.html"].decode("utf-8")


def test_a_view_digest_stands_for_one_set_of_values_across_builds(
    content_copy, tmp_path, monkeypatch
):
    """A view's digest is made from what its values are made of, not from the values. Across
    a build and a rebuild after a photo file is replaced under the same name and a profile
    edited, and another on a day that makes profiles stale, no digest stands for two
    different sets of values: a page showing a changed view is always rendered again."""
    import datetime as dt

    import mentors.generator
    from mentors.incremental import Fingerprints
    from PIL import Image

    log = tmp_path / "digests"
    known = Fingerprints.known

    def logged(self, value, digest):
        with log.open("a") as lines:  # the first build runs in a forked process
            lines.write(f"{digest} {self.digest_of(value)} {value.slug}\n")
        known(self, value, digest)

    monkeypatch.setattr(Fingerprints, "known", logged)
    out = tmp_path / "output"
    build(content_copy, out)
    files = sorted((content_copy / "mentors").glob("*.md"))
    originals = [p for p in files if p.name.count(".") == 1]
    with_photo = next(p for p in originals if "\nphoto:" in p.read_text())
    photo = content_copy / re.search(r"^photo: (\S+)$", with_photo.read_text(), re.M).group(1)
    with Image.open(photo) as image:
        taller = image.resize((image.width, image.height * 2))
    taller.save(photo)  # the same name, another shape: the variants and their height change
    edit(a_profile(content_copy), "occupation", NEW_OCCUPATION)
    assert build_site(ROOT / "pelicanconf.py", out, content_dir=content_copy, background_index=True)
    wait_for_index()

    page = (out / "mentors" / with_photo.stem / "index.html").read_text("utf-8")
    size = re.search(r'class="profile-photo"[^>]* width="(\d+)" height="(\d+)"', page, re.S)
    assert size and int(size.group(2)) == 2 * int(size.group(1))  # the new shape
    assert 'id="question-form"' in page

    later = dt.date.today() + dt.timedelta(days=3 * 365)
    monkeypatch.setattr(mentors.generator, "today_from", lambda settings: later)
    assert build_site(ROOT / "pelicanconf.py", out, content_dir=content_copy, background_index=True)
    wait_for_index()

    page = (out / "mentors" / with_photo.stem / "index.html").read_text("utf-8")
    assert 'id="question-form"' not in page  # stale now: no new questions
    lines = [line.split() for line in log.read_text().splitlines()]
    assert len(lines) == 3 * 2 * len(originals)  # each view of each build
    values: dict[str, set[str]] = {}
    for digest, of_values, _slug in lines:
        values.setdefault(digest, set()).add(of_values)
    assert all(len(found) == 1 for found in values.values())
    assert len(values) > 2 * len(originals)  # the changed views have new digests


def test_a_view_digest_follows_every_field_nested_ones_too():
    """Equal views (distinct objects) share a digest; any field changed, nested ones too, changes
    it: a page is rendered again exactly when what it shows of a mentor changed."""
    import dataclasses
    import datetime as dt

    from mentors.directory import MentorView, Ref
    from mentors.incremental import Fingerprints

    def view(**changes):
        def ref(code):
            return Ref(code, code, f"Nom {code}", f"secteurs/{code}/")

        fields = dict(
            slug="anne-be", name="Anne Bé", url="mentors/anne-be/", lang="fr", content_lang="fr",
            is_fallback=False, occupation="Ingénieure civile", noc=None, topics=["ponts"],
            bio="<p>Bio</p>", summary="Bio", sector=ref("genie-civil"), region=ref("laval"),
            languages=[ref("fr"), ref("en")], years_experience=10, education=[], photo=None,
            accepting=True, stale=False, last_confirmed=dt.date(2026, 1, 5),
            added=dt.date(2025, 3, 1), capacity=3,
        )  # fmt: skip
        return MentorView(**{**fields, **changes})

    def digest(value):
        return Fingerprints("base", plain=(MentorView, Ref)).plain_digest(value)

    same = digest(view())
    assert digest(view()) == same
    base = view()
    changed = [
        dataclasses.replace(base, occupation="Ingénieure en structures"),
        dataclasses.replace(base, last_confirmed=dt.date(2026, 1, 6)),
        dataclasses.replace(base, answers_within_days=3),
        dataclasses.replace(base, region=Ref("laval", "laval", "Laval (ville)", "regions/laval/")),
        dataclasses.replace(base, languages=[base.languages[0]]),
    ]
    digests = {digest(v) for v in changed}
    assert len(digests) == len(changed) and same not in digests


def test_a_removed_file_takes_the_folders_it_leaves_empty_and_no_more(tmp_path: Path):
    from mentors.incremental import remove_with_empty_folders

    (tmp_path / "en" / "mentors" / "gone").mkdir(parents=True)
    (tmp_path / "en" / "mentors" / "kept").mkdir()
    page = tmp_path / "en" / "mentors" / "gone" / "index.html"
    page.write_text("x")
    remove_with_empty_folders(page, tmp_path)
    assert not (tmp_path / "en" / "mentors" / "gone").exists()
    assert (tmp_path / "en" / "mentors" / "kept").is_dir()  # the parent is not empty
    remove_with_empty_folders(tmp_path / "en" / "mentors" / "kept" / "missing.html", tmp_path)
    assert not (tmp_path / "en").exists() and tmp_path.is_dir()  # up to the root, kept


def test_a_new_page_is_written_whatever_folders_it_lacks(tmp_path):
    from mentors.incremental import write_new

    write_new(str(tmp_path / "a" / "b" / "index.html"), b"two folders made")
    write_new(str(tmp_path / "a" / "c" / "index.html"), "one folder made, é".encode())
    write_new(str(tmp_path / "a" / "c" / "index.html"), b"replaced")
    write_new(str(tmp_path / "big.html"), b"x" * 5_000_000)
    assert (tmp_path / "a" / "b" / "index.html").read_bytes() == b"two folders made"
    assert (tmp_path / "a" / "c" / "index.html").read_bytes() == b"replaced"
    assert (tmp_path / "big.html").stat().st_size == 5_000_000


def test_a_build_from_catalogs_not_yet_compiled_leaves_the_next_build_nothing_to_redo(
    content_copy, tmp_path
):
    """The catalogs are compiled before the build digests its inputs (which hold the .mo
    files): otherwise the next build finds other inputs and renders every page again."""
    translations = tmp_path / "translations"
    shutil.copytree(
        ROOT / "theme" / "translations", translations, ignore=shutil.ignore_patterns("*.mo")
    )
    out, overrides = tmp_path / "output", {"THEME_TRANSLATIONS": str(translations)}
    build(content_copy, out, overrides)
    before = snapshot(out)
    assert "Reçoit des questions" in (out / "index.html").read_text("utf-8")
    build(content_copy, out, overrides)
    after = snapshot(out)
    assert [n for n in after if GENERATED.match(n) and after[n][0] != before[n][0]] == []
