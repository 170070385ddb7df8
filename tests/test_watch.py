"""Rebuild on save (`make serve`): a saved profile reaches the site; a mistake keeps the old."""

from __future__ import annotations

import re
import time
from pathlib import Path

from conftest import ROOT
from mentors.build import build_site
from mentors.i18n import compile_catalogs
from mentors.watch import Rebuilder, SourceFilter
from watchfiles import Change


def wait_for(condition, timeout: float = 120.0) -> None:
    """Poll until `condition()` holds; the deadline only stops a broken watcher hanging the run."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the watcher never rebuilt"
        time.sleep(0.1)


def edit(path: Path, field: str, value: str) -> None:
    text = re.sub(
        rf"^{field}:.*$", f"{field}: {value}", path.read_text("utf-8"), count=1, flags=re.M
    )
    path.write_text(text, encoding="utf-8")


def test_saving_rebuilds_and_a_mistake_keeps_the_previous_site(content_copy, tmp_path, capsys):
    compile_catalogs(ROOT / "theme" / "translations")
    out = tmp_path / "output"
    assert build_site(ROOT / "pelicanconf.py", out, content_dir=content_copy)
    profile = next(
        p for p in sorted((content_copy / "mentors").glob("*.md")) if p.name.count(".") == 1
    )
    page = out / "mentors" / profile.stem / "index.html"
    messages: list[str] = []
    rebuilder = Rebuilder(
        [content_copy],
        lambda: build_site(ROOT / "pelicanconf.py", out, content_dir=content_copy),
        echo=messages.append,
        debounce_ms=100,
    ).start()
    try:
        assert rebuilder.ready.wait(30)
        edit(profile, "occupation", "Technicienne en horticulture")
        wait_for(lambda: rebuilder.builds >= 1)
        assert messages[-1].startswith("Rebuilt in"), messages
        assert "Technicienne en horticulture" in page.read_text("utf-8")

        edit(profile, "region", '"99"')
        wait_for(lambda: rebuilder.builds >= 2)
        assert messages[-1].startswith("Not rebuilt"), messages
        assert f"{profile.name}" in messages[-2]
        errors = capsys.readouterr().err
        assert re.search(rf"mentors/{re.escape(profile.name)}:\d+: region: ", errors), errors
        assert "Technicienne en horticulture" in page.read_text("utf-8")  # the previous site
    finally:
        rebuilder.stop()


def test_the_builds_own_files_and_editor_leftovers_are_not_changes():
    keep = SourceFilter()
    assert keep(Change.modified, "/site/content/mentors/a.md")
    assert keep(Change.modified, "/site/theme/translations/fr/LC_MESSAGES/messages.po")
    assert not keep(Change.modified, "/site/theme/translations/fr/LC_MESSAGES/messages.mo")
    assert not keep(Change.added, "/site/theme/translations/fr/LC_MESSAGES/tmpab12.mo.tmp")
    assert not keep(Change.added, "/site/content/mentors/.a.md.swp")
    assert not keep(Change.added, "/site/content/mentors/a.md~")
