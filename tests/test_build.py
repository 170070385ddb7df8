"""The build pipeline: staging and swap, both languages in one build, staleness, production URLs."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import ROOT, read_json
from mentors.build import build_site
from mentors.context import SiteContext
from mentors.forked import Forked, ForkedFailure
from mentors.i18n import compile_catalogs

TRANSLATIONS = ROOT / "theme" / "translations"


def test_compile_catalogs_writes_a_mo_next_to_each_po(tmp_path):
    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo"))
    written = compile_catalogs(copy)
    assert sorted(p.relative_to(copy).as_posix() for p in written) == sorted(
        p.relative_to(copy).with_suffix(".mo").as_posix() for p in copy.glob("*/LC_MESSAGES/*.po")
    )
    assert all(p.stat().st_size > 0 for p in written)


def test_a_checkout_without_compiled_catalogs_still_gets_its_translations(tmp_path):
    """The .mo files are not committed: a build from a fresh checkout compiles them."""
    from mentors.i18n import Catalogs

    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo"))
    catalogs = Catalogs(copy)
    # Compiled when the catalogs are made, before the build digests its inputs (.mo included).
    assert (copy / "fr" / "LC_MESSAGES" / "messages.mo").is_file()
    assert catalogs.get("fr").gettext("Accepting questions") == "Reçoit des questions"
    # A .po edited after its .mo was made is compiled again.
    po = copy / "en" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    os.utime(mo, ns=(po.stat().st_mtime_ns - 10**9,) * 2)
    Catalogs(copy)
    assert mo.stat().st_mtime_ns >= po.stat().st_mtime_ns


def test_one_build_renders_theme_strings_in_each_page_language(built_site):
    with (TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    msgid = "Accepting questions"
    french = catalog[msgid].string
    assert french and french != msgid
    manifest = read_json(built_site / "relay" / "mentors.json")
    slug = next(s for s, m in manifest["mentors"].items() if m["accepting"])
    fr = (built_site / "mentors" / slug / "index.html").read_text(encoding="utf-8")
    en = (built_site / "en" / "mentors" / slug / "index.html").read_text(encoding="utf-8")
    assert french in fr and msgid not in fr
    assert msgid in en and french not in en


def set_field(path: Path, field: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    text, count = re.subn(rf"^{field}:.*$", f"{field}: {value}", text, count=1, flags=re.M)
    assert count == 1
    path.write_text(text, encoding="utf-8")


def test_production_build_swaps_output_marks_stale_profiles_and_uses_absolute_urls(
    content_copy, tmp_path
):
    mentors = sorted(p for p in (content_copy / "mentors").glob("*.md") if p.name.count(".") == 1)
    stale, fresh = mentors[0], mentors[1]
    for path, confirmed in ((stale, "2025-11-27"), (fresh, "2025-11-28")):
        set_field(path, "accepting", "true")
        set_field(path, "last_confirmed", confirmed)
    out = tmp_path / "output"
    out.mkdir()
    (out / "stale-page.html").write_text("from an older build", encoding="utf-8")
    site = "https://passerelle.example"

    assert build_site(
        ROOT / "publishconf.py",
        out,
        content_dir=content_copy,
        overrides={"MENTOR_TODAY": "2026-11-28", "SITEURL": site},
    )

    # the new build replaced the old output as a whole, and left no staging folder behind
    assert not (out / "stale-page.html").exists()
    assert (out / "index.html").is_file() and (out / "en" / "index.html").is_file()
    # (output.cache/ is what the next build reuses: search records, the incremental state)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "output", "output.cache"]
    manifest = read_json(out / "relay" / "mentors.json")
    assert manifest["mentors"][stale.stem]["accepting"] is False
    assert manifest["mentors"][fresh.stem]["accepting"] is True
    stale_page = (out / "mentors" / stale.stem / "index.html").read_text(encoding="utf-8")
    fresh_page = (out / "mentors" / fresh.stem / "index.html").read_text(encoding="utf-8")
    assert 'id="question-form"' not in stale_page
    assert 'id="question-form"' in fresh_page
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', fresh_page, re.S)
    person = next(d for d in map(json.loads, blocks) if d["@type"] == "Person")
    assert person["url"] == f"{site}/mentors/{fresh.stem}/"
    sitemap = ET.parse(  # noqa: S314 - our own build output
        out / "sitemap.xml"
    ).getroot()
    locs = [el.text for el in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs and all(loc.startswith(f"{site}/") for loc in locs)


def test_forked_rendering_writes_the_same_pages_as_the_serial_path(built_site, tmp_path):
    """Big sites render in forked workers; on the sample site, force that path and compare."""
    out = tmp_path / "parallel"
    overrides = {"MENTORS_PARALLEL_FROM": 1, "MENTORS_RENDER_WORKERS": 2}
    assert build_site(ROOT / "pelicanconf.py", out, overrides=overrides)

    def pages(root: Path) -> dict[str, bytes]:
        found = [*root.glob("mentors/**/index.html"), *root.glob("en/mentors/**/index.html")]
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in found}

    serial, parallel = pages(built_site), pages(out)
    assert len(serial) > 100 and serial.keys() == parallel.keys()
    assert [name for name in serial if serial[name] != parallel[name]] == []


def test_forked_work_sends_back_its_value_and_its_log_lines(caplog):
    parent = os.getpid()

    def work():
        logging.getLogger("site_search.pages").info("written by %d", os.getpid())
        return {"pid": os.getpid(), "parent": os.getppid()}

    with caplog.at_level(logging.INFO):
        value = Forked(work, replay_logs=True).result()
    assert value["parent"] == parent and value["pid"] != parent
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        ("site_search.pages", f"written by {value['pid']}")
    ]


def test_forked_work_that_fails_raises_here_with_its_traceback():
    def work():
        raise ValueError("unknown sector 'pas-un-secteur'")

    with pytest.raises(ForkedFailure, match=r"(?s)Traceback.*ValueError: unknown sector"):
        Forked(work).result()


def test_a_forked_process_that_dies_is_a_failure_not_a_hang():
    with pytest.raises(ForkedFailure, match="ended early"):
        Forked(lambda: os._exit(3)).result()


def test_content_problems_found_in_the_build_process_are_printed_and_nothing_is_written(
    content_copy, tmp_path, capsys
):
    """A full build runs Pelican in a forked process: its problems come back to be printed."""
    profile = sorted(p for p in (content_copy / "mentors").glob("*.md") if p.name.count(".") == 1)[
        0
    ]
    set_field(profile, "sector", "pas-un-secteur")
    out = tmp_path / "output"

    assert not build_site(ROOT / "pelicanconf.py", out, content_dir=content_copy)

    err = capsys.readouterr().err
    assert "problem(s) in the content" in err
    assert f"{profile.name}:" in err and "pas-un-secteur" in err
    assert not out.exists() and not out.with_name("output.staging").exists()


class _Generator:
    """What `MentorsGenerator._write_all` uses of its generator, forking from the first page
    on, with language work that says where it ran, pages that say who wrote them, and page
    fingerprints left to the process that renders them (a first build's)."""

    settings = {"MENTORS_PARALLEL_FROM": 1}
    run_language_work = SiteContext.run_language_work
    keep_language_results = SiteContext.keep_language_results
    _fingerprint_when_written = True

    def __init__(self, jobs: list, folder: Path):
        from mentors.generator import MentorsGenerator
        from mentors.incremental import BuildState

        self._jobs, self.folder, self.site = jobs, folder, self
        self.language_work = {"where": lambda lang: os.getpid()}
        self.language_results = {}
        self.state = BuildState(None, None)
        self._write_jobs = MentorsGenerator._write_jobs.__get__(self)

    def _workers(self):
        return 2

    def _fingerprint(self, template, page):
        return f"{template} made by {os.getpid()}"

    def _write(self, template, url, page):
        (self.folder / url.strip("/")).write_text(str(os.getpid()))

    def _write_outputs(self):
        with (self.folder / "outputs").open("a") as written:
            written.write(f"{os.getpid()}\n")


@pytest.mark.parametrize("pages", [1, 3])
def test_pages_are_rendered_whatever_their_number_once_rendering_forks(pages, tmp_path):
    """With forking from the first page on, one page (no share for a worker) and a few."""
    from mentors.generator import MentorsGenerator

    generator = _Generator([("page", f"p{n}/", {"lang": "fr"}) for n in range(pages)], tmp_path)
    MentorsGenerator._write_all(generator)
    # Every language's work ran once, in this process: it holds the middle of the
    # French pages, and the English ones (none) go to the first share.
    assert generator.language_results == {"where": {"fr": os.getpid(), "en": os.getpid()}}
    pages_written = sorted(p.name for p in tmp_path.iterdir() if p.name != "outputs")
    assert pages_written == [f"p{n}" for n in range(pages)]
    assert generator.state.new_pages == {
        f"p{n}/index.html": f"page made by {(tmp_path / f'p{n}').read_text()}" for n in range(pages)
    }


def test_each_language_work_runs_in_the_process_that_renders_its_pages(tmp_path):
    """A full build's two render processes: the French pages' process does the French
    work, the English pages' the English, and both results come back here."""
    from mentors.generator import MentorsGenerator

    jobs = [("page", f"{lang}{n}/", {"lang": lang}) for lang in ("fr", "en") for n in range(3)]
    generator = _Generator(jobs, tmp_path)
    MentorsGenerator._write_all(generator)
    ran = generator.language_results["where"]
    assert ran["fr"] == os.getpid() != ran["en"]
    # The sitemap and the manifest, once, by the last worker.
    assert (tmp_path / "outputs").read_text() == f"{ran['en']}\n"
    # Every page written once, and its fingerprint made by the process that wrote it (a
    # process done with its own share takes pages of the other's), all come back here.
    assert generator.state.new_pages == {
        f"{lang}{n}/index.html": f"page made by {(tmp_path / f'{lang}{n}').read_text()}"
        for lang in ("fr", "en")
        for n in range(3)
    }


def test_a_process_done_with_its_share_takes_the_end_of_the_share_with_most_left():
    from mentors.shares import Shares

    shares = Shares(10, 2, chunk=3)
    assert shares.initial == [range(0, 5), range(5, 10)]
    assert shares.take(0) == range(0, 3)
    assert shares.take(1) == range(5, 8)
    assert shares.take(0) == range(3, 5)
    assert shares.take(0) == range(8, 10)  # share 0 is done: the end of share 1
    assert shares.take(1) is None and shares.take(0) is None


def test_processes_sharing_jobs_take_each_one_exactly_once():
    from mentors.shares import Shares

    shares = Shares(400, 2, chunk=7)
    started, told = os.pipe()

    def work(part: int, tell: int | None = None) -> list[int]:
        taken = []
        for job in shares.jobs(part):
            if tell is not None:  # its first chunk is taken
                os.write(tell, b"!")
                tell = None
            time.sleep(0.001)  # a page's rendering, for both processes to take some
            taken.append(job)
        return taken

    other = Forked(lambda: work(1, told))
    os.read(started, 1)
    here, there = work(0), other.result()
    assert sorted(here + there) == list(range(400))
    assert here[0] == 0 and there[0] == 200
