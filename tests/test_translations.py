"""One catalog for everything a person reads: every string of the theme's and the relay's
templates and of the relay's code is translated, in both languages, and none is fuzzy."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "theme" / "translations"
DATA = ROOT / "data"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What `invoke translations` extracts today, from the sources as they are."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(pot),
         "--no-location", "-k", "translate:2", str(ROOT)]
    )  # fmt: skip
    with pot.open("rb") as handle:
        return read_po(handle)


def catalog(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def test_extraction_finds_the_relay_pages_e_mails_and_code(extracted):
    ids = {m.id for m in extracted if m.id}
    assert "Confirm your address to send your question" in ids  # mail/confirmation.txt
    assert "Erase for good" in ids  # pages/conversation.html
    assert "Back to %(name)s's profile" in ids  # relay code, translate(lang, ...)
    assert "Skip to main content" in ids  # the theme's own base.html


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_string_is_translated_and_none_is_fuzzy(extracted, lang):
    known = catalog(lang)
    problems = []
    for message in extracted:
        if not message.id:
            continue
        entry = known.get(message.id)
        strings = entry.string if entry and isinstance(entry.string, tuple) else (
            (entry.string,) if entry else ())  # fmt: skip
        if entry is None or not strings or not all(strings):
            problems.append(f"untranslated: {message.id!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
    assert problems == [], f"run `invoke translations` and translate ({lang}):\n" + "\n".join(
        problems[:20]
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_translations_keep_their_placeholders(lang):
    errors = [
        f"{message.id!r}: {error}" for message, found in catalog(lang).check() for error in found
    ]
    assert errors == []


def test_french_says_tu_to_the_people_it_speaks_to():
    """One voice: the site, the relay's pages and e-mails, the scripts say "tu"."""
    vous = re.compile(r"\b(vous|votre|vos)\b|\b(?!chez\b|assez\b)\w{2,}ez\b", re.IGNORECASE)
    said = [m.string for m in catalog("fr") if isinstance(m.string, str) and vous.search(m.string)]
    for page in ("question-envoyee", "securite"):  # the no-JS "sent" page; every relay page's link
        said += vous.findall((ROOT / "content" / "pages" / f"{page}.md").read_text("utf-8"))
    for name in ("rejection_reasons", "help_resources"):  # e-mailed and shown on the pages
        said += [t for t in french_texts(yaml.safe_load((DATA / f"{name}.yaml").read_text()))
                 if vous.search(t)]  # fmt: skip
    assert said == []


def french_texts(node) -> list[str]:
    """Every French text of a data file (`fr:` values, at any depth)."""
    if isinstance(node, list):
        return [t for item in node for t in french_texts(item)]
    if not isinstance(node, dict):
        return []
    found = []
    for key, value in node.items():
        found += [value] if key == "fr" and isinstance(value, str) else french_texts(value)
    return found


def test_invoke_translations_brings_a_new_string_to_both_catalogs_to_translate(tmp_path):
    """The workflow on a small copy: a new template string appears, empty, in fr and en (so the
    tests above fail until it is translated); a string no template uses any more goes."""
    from mentors.i18n import update_catalogs

    shutil.copy(ROOT / "babel.cfg", tmp_path / "babel.cfg")
    (tmp_path / "theme" / "templates").mkdir(parents=True)
    (tmp_path / "theme" / "templates" / "page.html").write_text(
        '{{ _("Skip to main content") }} {{ _("A brand new sentence") }}', encoding="utf-8"
    )
    translations = tmp_path / "theme" / "translations"
    shutil.copytree(TRANSLATIONS, translations, ignore=shutil.ignore_patterns("*.mo"))
    update_catalogs(tmp_path, translations)
    for lang in ("fr", "en"):
        with (translations / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            updated = read_po(handle, locale=lang)
        assert updated.get("A brand new sentence").string == ""
        assert updated.get("Skip to main content").string  # kept, still translated
        assert updated.get("Erase for good") is None  # nothing uses it in this copy
        assert (translations / lang / "LC_MESSAGES" / "messages.mo").is_file()
