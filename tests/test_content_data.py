"""The vocabularies in data/ and the sample content: well-formed, complete, and invented.

These files are what every other part reads (templates, validation, search
filters, the question form, the relay), so a typo here breaks them all.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
CONTENT = ROOT / "content"
# The sample content's "today": a profile confirmed more than a year before is stale.
SAMPLE_DAY = dt.date(2026, 11, 28)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"\(?\b\d{3}\)?[ .-]?\d{3}[ .-]\d{4}\b")
OFFICIAL_REGIONS = {
    "01": "Bas-Saint-Laurent",
    "02": "Saguenay–Lac-Saint-Jean",
    "03": "Capitale-Nationale",
    "04": "Mauricie",
    "05": "Estrie",
    "06": "Montréal",
    "07": "Outaouais",
    "08": "Abitibi-Témiscamingue",
    "09": "Côte-Nord",
    "10": "Nord-du-Québec",
    "11": "Gaspésie–Îles-de-la-Madeleine",
    "12": "Chaudière-Appalaches",
    "13": "Laval",
    "14": "Lanaudière",
    "15": "Laurentides",
    "16": "Montérégie",
    "17": "Centre-du-Québec",
}


def load(name: str) -> list[dict]:
    return yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))


def front_matter(path: Path) -> tuple[dict, str]:
    """YAML between the two leading '---' lines, and the body after them."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{path.name}: must start with a '---' line"
    header, _, body = text[4:].partition("\n---\n")
    meta = yaml.safe_load(header)
    assert isinstance(meta, dict), f"{path.name}: front matter must be a mapping"
    return meta, body


def codes(name: str) -> set[str]:
    return {str(entry["code"]) for entry in load(name)}


@pytest.mark.parametrize(
    "name", ["sectors", "regions", "languages", "situations", "rejection_reasons"]
)
def test_every_vocabulary_entry_has_a_unique_code_and_both_languages(name):
    entries = load(name)
    assert isinstance(entries, list) and entries
    seen = set()
    for entry in entries:
        code = entry["code"]
        assert isinstance(code, str), f"{name}: code {code!r} must be a string (quote it)"
        assert code not in seen, f"{name}: duplicate code {code}"
        seen.add(code)
        for lang in ("fr", "en"):
            text = entry.get(lang)
            assert isinstance(text, str) and text.strip(), f"{name}/{code}: {lang}"


def test_regions_are_the_17_official_regions_plus_outside_quebec():
    regions = load("regions")
    by_code = {r["code"]: r for r in regions}
    assert [r["code"] for r in regions] == [f"{n:02d}" for n in range(1, 18)] + ["hq"]
    assert {code: by_code[code]["fr"] for code in OFFICIAL_REGIONS} == OFFICIAL_REGIONS
    slugs = [r["slug"] for r in regions]
    assert len(set(slugs)) == len(slugs)
    assert all(SLUG.match(s) for s in slugs), slugs
    assert by_code["06"]["slug"] == "montreal" and by_code["hq"]["slug"] == "hors-quebec"


def test_sectors_cover_every_broad_occupational_category():
    sectors = load("sectors")
    assert len(sectors) >= 40
    for sector in sectors:
        assert SLUG.match(sector["code"]), sector["code"]
        assert isinstance(sector["noc"], int) and 0 <= sector["noc"] <= 9, sector
    assert {s["noc"] for s in sectors} == set(range(10))


@pytest.mark.parametrize(
    ("code", "noc"),
    [
        ("electricite", 7),  # 72200 electricians
        ("soins-infirmiers", 3),  # 31301 registered nurses
        ("enseignement", 4),  # 41220 secondary school teachers
        ("informatique", 2),  # 21232 software developers
        ("cuisine-restauration", 6),  # 63200 cooks
        ("comptabilite", 1),  # 11100 accountants
        ("agriculture", 8),  # 80020 managers in agriculture
        ("transformation-alimentaire", 9),  # 94140 food processing operators
        ("direction-gestion", 0),  # 00012 senior managers
        ("design-graphique", 5),  # 52120 graphic designers
    ],
)
def test_sector_noc_matches_the_cnp_2021(code, noc):
    assert {s["code"]: s["noc"] for s in load("sectors")}[code] == noc


def test_languages_are_iso_639_1_and_include_those_common_in_quebec():
    languages = load("languages")
    assert all(re.fullmatch(r"[a-z]{2}", lang["code"]) for lang in languages)
    required = {"fr", "en", "es", "ar", "zh", "pt", "it", "de", "vi", "ht"}
    required |= {"ru", "pl", "uk", "fa", "ta", "iu", "cr"}
    assert required <= codes("languages")
    assert [lang["code"] for lang in languages[:2]] == ["fr", "en"]


def test_situations_and_rejection_reasons():
    assert codes("situations") == {
        "secondaire",
        "formation-professionnelle",
        "cegep",
        "universite",
        "en-emploi",
        "recherche-emploi",
        "autre",
    }
    reasons = load("rejection_reasons")
    assert 6 <= len(reasons) <= 8
    expected = {"contact-details", "off-topic", "unsafe", "commercial"}
    expected |= {"disrespectful", "too-vague"}
    assert expected <= {r["code"] for r in reasons}
    for reason in reasons:
        # Kind and useful: long enough to say what to change, no quoting of the message.
        assert len(reason["fr"]) > 80 and len(reason["en"]) > 80, reason["code"]


def mentor_files() -> tuple[dict[str, dict], dict[str, dict]]:
    originals, translations = {}, {}
    for path in sorted((CONTENT / "mentors").glob("*.md")):
        slug, _, lang = path.name[: -len(".md")].partition(".")
        meta, _ = front_matter(path)
        (translations if lang else originals)[path.name if lang else slug] = meta
    return originals, translations


def test_sample_mentors_are_numerous_and_diverse():
    originals, translations = mentor_files()
    assert len(originals) >= 48
    assert len({m["sector"] for m in originals.values()}) >= 12
    assert len({m["region"] for m in originals.values()}) >= 10
    assert sum(m["lang"] == "en" for m in originals.values()) >= 2
    assert len(translations) >= 4
    assert sum(not m["accepting"] for m in originals.values()) >= 2
    stale_before = SAMPLE_DAY.replace(year=SAMPLE_DAY.year - 1)
    assert sum(m["last_confirmed"] < stale_before for m in originals.values()) >= 2
    assert sum("capacity" in m for m in originals.values()) >= 4
    assert sum("photo" in m for m in originals.values()) >= 10
    kinds = {step["kind"] for m in originals.values() for step in m["education"]}
    assert {"dep", "cegep", "aec", "universite", "apprentissage", "reorientation"} <= kinds


def test_sample_mentors_use_known_codes_and_existing_photos():
    originals, translations = mentor_files()
    sectors, regions, languages = codes("sectors"), codes("regions"), codes("languages")
    for slug, meta in originals.items():
        assert SLUG.match(slug)
        assert meta["sector"] in sectors, slug
        assert isinstance(meta["region"], str) and meta["region"] in regions, slug
        assert set(meta["languages"]) <= languages, slug
        assert meta["lang"] in meta["languages"], slug
        assert meta["added"] <= meta["last_confirmed"] <= SAMPLE_DAY, slug
        if "photo" in meta:
            assert (CONTENT / meta["photo"]).is_file(), slug
            assert meta["photo_alt"].strip(), slug
    for name, meta in translations.items():
        assert meta["translation_of"] == name.split(".")[0]
        assert meta["translation_of"] in originals
        assert meta["lang"] != originals[meta["translation_of"]]["lang"]


def test_avatars_are_small_illustrations():
    from PIL import Image

    photos = sorted((CONTENT / "images" / "mentors").glob("*.jpg"))
    assert len(photos) >= 10
    for photo in photos:
        assert photo.stat().st_size < 40_000, photo.name
        with Image.open(photo) as image:
            assert image.format == "JPEG" and image.size == (320, 320)


def test_every_sample_file_says_the_people_are_invented():
    for path in (CONTENT / "mentors").glob("*.md"):
        header = path.read_text(encoding="utf-8").split("\n---\n", 1)[0]
        assert "Personne fictive" in header and "Invented person" in header, path.name
    about, _ = front_matter(CONTENT / "pages" / "a-propos.md")
    assert "inventés" in (CONTENT / "pages" / "a-propos.md").read_text(encoding="utf-8")
    assert "invented" in (CONTENT / "pages" / "about.en.md").read_text(encoding="utf-8")


def test_sample_content_carries_no_contact_details():
    for path in CONTENT.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert not EMAIL.search(text), f"{path.name}: {EMAIL.search(text).group()}"
        assert not PHONE.search(text), f"{path.name}: {PHONE.search(text).group()}"


def articles() -> dict[str, dict]:
    metas = (front_matter(path)[0] for path in (CONTENT / "articles").glob("*.md"))
    return {meta["slug"]: meta for meta in metas}


def test_articles_in_french_with_english_translations():
    by_slug = articles()
    french = {s: m for s, m in by_slug.items() if m["lang"] == "fr"}
    english = {s: m for s, m in by_slug.items() if m["lang"] == "en"}
    assert len(french) >= 8
    assert len(english) >= 4
    assert all(m.get("translation_of") in french for m in english.values())
    sectors = codes("sectors")
    for slug, meta in by_slug.items():
        for field in ("title", "lang", "slug", "date", "category", "tags", "summary"):
            assert meta.get(field), f"{slug}: {field}"
        assert isinstance(meta["date"], dt.date), slug
        assert set(meta.get("sectors", [])) <= sectors, slug
    assert sum(bool(m.get("sectors")) for m in french.values()) >= 6


def test_pages_exist_in_both_languages():
    pages = {meta["slug"]: meta for meta, _ in map(front_matter, (CONTENT / "pages").glob("*.md"))}
    pairs = {
        "a-propos": "about",
        "comment-ca-marche": "how-it-works",
        "securite": "safety",
        "confidentialite": "privacy",
        "accessibilite": "accessibility",
        "question-envoyee": "question-sent",
    }
    for fr_slug, en_slug in pairs.items():
        assert pages[fr_slug]["lang"] == "fr"
        assert pages[en_slug]["lang"] == "en"
        assert pages[en_slug]["translation_of"] == fr_slug
    assert pages["question-envoyee"]["url"] == "questions/envoyee/"
    assert pages["question-envoyee"]["save_as"] == "questions/envoyee/index.html"
    assert pages["question-sent"]["url"] == "en/questions/sent/"


@pytest.mark.parametrize("name", ["confidentialite.md", "privacy.en.md"])
def test_privacy_policy_states_the_age_of_consent_and_retention(name):
    text = (CONTENT / "pages" / name).read_text(encoding="utf-8")
    for figure in ("14 ", "72 h", "90 [dj]", "180 [dj]"):
        assert re.search(rf"\b{figure}", text), f"{name}: {figure}"


def test_corpus_profiles_pass_the_site_validation(tmp_path):
    """The benchmark corpus is only worth measuring if the real build would accept it."""
    from mentors.validation import read_mentors
    from mentors.vocab import load_vocabularies

    from bench.corpus import generate

    generate(60, tmp_path / "content", seed=3)
    content = tmp_path / "content"
    mentors, problems = read_mentors(
        content / "mentors", content / "images", load_vocabularies(DATA), content
    )
    assert problems == []
    assert len(mentors) == 60
    assert sum(bool(m.translations) for m in mentors.values()) >= 1
    assert sum(m.profile.photo is not None for m in mentors.values()) >= 5
    assert len({m.profile.sector for m in mentors.values()}) >= 20
    assert (content / "articles" / "devenir-electricien-dep.md").is_file()
    assert (content / "pages" / "question-sent.en.md").is_file()


def test_corpus_is_deterministic_and_refuses_a_used_folder(tmp_path):
    from bench.corpus import generate

    def snapshot(folder: Path) -> dict[str, bytes]:
        files = (p for p in folder.rglob("*") if p.is_file())
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}

    generate(25, tmp_path / "a", seed=7)
    generate(25, tmp_path / "b", seed=7)
    generate(25, tmp_path / "c", seed=8)
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")
    assert snapshot(tmp_path / "a") != snapshot(tmp_path / "c")
    with pytest.raises(FileExistsError):
        generate(5, tmp_path / "a")


def test_run_all_names_missing_benchmarks_and_rejects_unknown_ones(capsys, monkeypatch):
    import bench

    with pytest.raises(ValueError, match="unknown benchmark"):
        bench.run_all(only="nope")
    monkeypatch.setattr(bench, "BENCHMARKS", ("not_written_yet",))
    assert bench.run_all() == []
    assert "bench/not_written_yet.py" in capsys.readouterr().out
