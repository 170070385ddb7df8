"""Profile and article validation on real files: every problem located, named and explained."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, build_into
from mentors.errors import ContentError
from mentors.forked import Forked
from mentors.scaffold import new_mentor_cli
from mentors.schema import fields_table
from mentors.validation import read_mentors
from mentors.vocab import load_vocabularies

VALID = """---
# Invented person for a test.
name: Test Mentor
lang: fr
occupation: Technicienne de test
sector: electricite
region: "02"
languages:
- fr
- en
years_experience: 4
education:
- kind: dep
  title: DEP de test
accepting: true
topics:
- les tests
last_confirmed: 2026-09-02
added: 2025-03-14
---

Une bio inventée.
"""
TRANSLATION = """---
lang: en
translation_of: test-mentor
occupation: Test technician
---

An invented bio.
"""


def write(content: Path, name: str, text: str) -> Path:
    path = content / "mentors" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def problems_for(content: Path) -> list[str]:
    vocab = load_vocabularies(ROOT / "data")
    _, problems = read_mentors(content / "mentors", content / "images", vocab, content.parent)
    return [str(p) for p in problems]


@pytest.fixture
def content(content_copy: Path) -> Path:
    write(content_copy, "test-mentor.md", VALID)
    write(content_copy, "test-mentor.en.md", TRANSLATION)
    return content_copy


def test_sample_content_and_test_profile_are_valid(content):
    assert problems_for(content) == []


@pytest.mark.parametrize(
    ("old", "new", "needle", "expected"),
    [
        (
            "topics:",
            "photo_alts: Un portrait\ntopics:",
            "photo_alts:",
            "photo_alts: unknown field; did you mean 'photo_alt'? allowed: name, lang,",
        ),
        ("occupation: Technicienne de test\n", "", None, "occupation: required field is missing"),
        (
            "sector: electricite",
            "sector: electricte",
            "sector:",
            "sector: unknown sector code 'electricte'; did you mean 'electricite'?",
        ),
        ('region: "02"', 'region: "19"', "region:", "region: unknown region code '19'"),
        (
            "- en\n",
            "- enn\n",
            "- enn",
            "languages[1]: unknown language code 'enn'; did you mean 'en'?",
        ),
        (
            "last_confirmed: 2026-09-02",
            "last_confirmed: 2026-13-45",
            "last_confirmed",
            "last_confirmed: malformed date '2026-13-45'; write a real date as YYYY-MM-DD",
        ),
        ("added: 2025-03-14", "added: demain", "added:", "added: malformed date 'demain'"),
        ("- kind: dep", "- kind: doctorat", "kind: doctorat", "education[0].kind: Input should be"),
        (
            "accepting: true",
            "accepting: true\nphoto: images/mentors/nobody.jpg\nphoto_alt: Un portrait",
            "photo:",
            "photo: no image at content/images/mentors/nobody.jpg",
        ),
        ("years_experience: 4", "years_experience: 99", "years_experience", "years_experience: "),
        (
            "sector: electricite",
            'noc: "72201"\nsector: electricite',
            "noc:",
            "noc: unknown NOC 2021 unit group '72201'; closest listed code: '72200' "
            "(Electricians (except industrial and power system)); if the code is right, add it "
            "with its official titles to data/occupations.yaml",
        ),
        (
            "sector: electricite",
            'noc: "7220"\nsector: electricite',
            "noc:",
            "noc: '7220' is not a NOC 2021 unit group: write its 5 digits",
        ),
    ],
)
def test_each_profile_error_is_located_and_explained(content, old, new, needle, expected):
    text = VALID.replace(old, new)
    assert text != VALID
    write(content, "test-mentor.md", text)
    problems = problems_for(content)
    assert len(problems) == 1, problems
    line = line_of(text, needle) if needle else 1
    assert problems[0].startswith(f"content/mentors/test-mentor.md:{line}: {expected}"), problems


def test_photo_without_alt_text_is_refused(content):
    photo = next((ROOT / "content" / "images" / "mentors").glob("*.jpg")).name
    text = VALID.replace("accepting: true", f"accepting: true\nphoto: images/mentors/{photo}")
    write(content, "test-mentor.md", text)
    [problem] = problems_for(content)
    assert f"test-mentor.md:{line_of(text, 'photo:')}: photo_alt: required when photo" in problem


def test_duplicate_slug_in_a_subfolder_is_refused(content):
    write(content, "archive/test-mentor.md", VALID)
    [problem] = problems_for(content)
    assert problem.startswith(
        "content/mentors/test-mentor.md:1: slug: duplicate slug 'test-mentor'"
    )


def test_translation_pointing_nowhere_suggests_the_closest_profile(content):
    text = TRANSLATION.replace("translation_of: test-mentor", "translation_of: test-mentr")
    write(content, "test-mentor.en.md", text)
    [problem] = problems_for(content)
    assert problem == (
        f"content/mentors/test-mentor.en.md:{line_of(text, 'translation_of')}: translation_of: "
        "points to no profile 'test-mentr'; did you mean 'test-mentor'?"
    )


def test_translation_in_the_same_language_as_its_original_is_refused(content):
    (content / "mentors" / "test-mentor.en.md").unlink()
    write(content, "test-mentor.fr.md", TRANSLATION.replace("lang: en", "lang: fr"))
    [problem] = problems_for(content)
    assert "test-mentor.fr.md:2: lang: same language as the original profile" in problem


def test_unclosed_front_matter_is_reported(content):
    write(content, "test-mentor.md", VALID.replace("\n---\n\nUne bio", "\n\nUne bio"))
    [problem] = problems_for(content)
    assert problem.startswith("content/mentors/test-mentor.md:1: front matter: ")


def test_unquoted_region_number_is_read_as_its_code(content):
    write(content, "test-mentor.md", VALID.replace('region: "02"', "region: 2"))
    assert problems_for(content) == []


def test_unquoted_noc_code_is_read_as_its_code(content):
    write(content, "test-mentor.md", VALID.replace("sector:", "noc: 72200\nsector:"))
    assert problems_for(content) == []


def test_a_unit_group_whose_major_group_is_not_listed_is_refused(content, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    occupations = data / "occupations.yaml"
    text = occupations.read_text(encoding="utf-8").replace('- {code: "72", ', '- {code: "x72", ')
    occupations.write_text(text, encoding="utf-8")
    vocab = load_vocabularies(data)
    write(content, "test-mentor.md", VALID.replace("sector:", 'noc: "72200"\nsector:'))
    _, problems = read_mentors(content / "mentors", content / "images", vocab, content.parent)
    assert [str(p) for p in problems if "test-mentor" in p.path] == [
        f"content/mentors/test-mentor.md:{line_of(VALID, 'sector:')}: noc: '72200' belongs to "
        "'72', which data/occupations.yaml does not list"
    ]


def test_a_failed_build_reports_every_problem_at_once_and_keeps_the_output(
    content, tmp_path, capsys
):
    write(content, "test-mentor.md", VALID.replace("sector: electricite", "sector: plomberi"))
    write(content, "other-mentor.md", VALID.replace("topics:", "hobby: x\ntopics:"))
    article = next((content / "articles").glob("*.en.md"))
    text = article.read_text(encoding="utf-8")
    text = text.replace("sectors: [", "sectors: [astronautique, ", 1)
    text = text.replace("\ndate: ", "\ndate: 2026-02-31\nold_date: ", 1)
    article.write_text(text, encoding="utf-8")
    out = tmp_path / "output"
    out.mkdir()
    (out / "previous.txt").write_text("the last good build", encoding="utf-8")

    assert build_into(out, content) is False

    err = capsys.readouterr().err
    shown = article.relative_to(content.parent).as_posix()
    sector_line = line_of(VALID, "sector:")
    hobby_line = line_of(VALID, "topics:")
    assert (
        f"content/mentors/test-mentor.md:{sector_line}: sector: unknown sector code 'plomberi'"
        in err
    )
    assert f"content/mentors/other-mentor.md:{hobby_line}: hobby: unknown field" in err
    assert (
        f"{shown}:{line_of(text, 'sectors:')}: sectors[0]: unknown sector code 'astronautique'"
        in err
    )
    assert f"{shown}:{line_of(text, 'date: 2026-02-31')}: date: malformed date '2026-02-31'" in err
    assert (out / "previous.txt").read_text(encoding="utf-8") == "the last good build"
    # No half-built site left beside it (the build cache may keep compiled templates).
    assert {p.name for p in tmp_path.iterdir()} <= {"content", "output", "output.cache"}
    assert not any((tmp_path / "output.cache").glob("build-state.json*"))


def test_article_translation_pointing_nowhere_fails_the_build(content_copy, tmp_path, capsys):
    article = next((content_copy / "articles").glob("*.en.md"))
    text = article.read_text(encoding="utf-8")
    start = text.index("translation_of:")
    text = text[:start] + "translation_of: nulle-part" + text[text.index("\n", start) :]
    article.write_text(text, encoding="utf-8")

    assert build_into(tmp_path / "output", content_copy) is False

    shown = article.relative_to(content_copy.parent).as_posix()
    line = line_of(text, "translation_of")
    assert (
        f"{shown}:{line}: translation_of: points to nothing in the other language: 'nulle-part'"
        in (capsys.readouterr().err)
    )
    assert not (tmp_path / "output").exists()


def test_docs_table_is_the_schema():
    docs = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert fields_table() in docs


def scaffold_root(tmp_path: Path, content: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copytree(content, root / "content")
    return root


def test_new_mentor_asks_for_what_is_missing_and_writes_a_valid_profile(content, tmp_path, capsys):
    root = scaffold_root(tmp_path, content)
    answers = iter(
        [
            "Zoé Tremblay-Roy",
            "",
            "Soudeuse",
            "72107",
            "72106",
            "electricte",
            "electricite",
            "01",
            "",
        ]
    )
    asked = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    path = new_mentor_cli(root, lang="fr", ask=ask, today=dt.date(2026, 11, 28))

    assert path == root / "content" / "mentors" / "zoe-tremblay-roy.md"
    out = capsys.readouterr().out
    assert "did you mean 'electricite'?" in out
    assert "unknown NOC 2021 unit group '72107'; closest listed code: '72106'" in out
    noc_prompt = "NOC 2021 unit group (5 digits, empty if unsure)"
    assert [p.split(" [")[0].rstrip(": ") for p in asked] == [
        "Name",
        "Slug (file name)",
        "Occupation",
        noc_prompt,
        noc_prompt,
        "Sector code",
        "Sector code",
        "Region code",
        "Languages spoken (codes, comma-separated)",
    ]
    assert problems_for(root / "content") == []
    text = path.read_text(encoding="utf-8")
    assert "name: Zoé Tremblay-Roy" in text and "region: '01'" in text
    assert "noc: '72106'" in text
    assert "accepting: false" in text and "last_confirmed: 2026-11-28" in text


def test_new_mentor_refuses_to_overwrite_and_rejects_unknown_codes(content, tmp_path):
    root = scaffold_root(tmp_path, content)
    existing = root / "content" / "mentors" / "test-mentor.md"
    before = existing.read_text(encoding="utf-8")
    with pytest.raises(SystemExit, match="already exists"):
        new_mentor_cli(root, slug="test-mentor", name="X", ask=lambda _: pytest.fail("asked"))
    assert existing.read_text(encoding="utf-8") == before
    with pytest.raises(SystemExit, match="did you mean 'electricite'"):
        new_mentor_cli(
            root,
            slug="new-one",
            name="Y",
            occupation="Z",
            sector="electricte",
            region="01",
            languages="fr",
            ask=lambda _: pytest.fail("asked"),
        )
    assert not (root / "content" / "mentors" / "new-one.md").exists()


def test_a_vocabulary_entry_broken_by_an_unquoted_comma_is_reported(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    sectors = data / "sectors.yaml"
    text = sectors.read_text(encoding="utf-8")
    text += "- {code: essai-virgule, noc: 2, fr: Essai (un, deux), en: Test (one, two)}\n"
    sectors.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_vocabularies(data)
    line = len(text.splitlines())
    assert f"data/sectors.yaml:{line}: essai-virgule: unexpected key" in str(caught.value)


def test_reading_in_forked_workers_finds_the_same_profiles_and_problems(content, monkeypatch):
    """Big sites read their profiles in worker processes; force that on a few broken files."""
    from mentors import validation

    forks = []

    def counted(work):
        forks.append(work)
        return Forked(work)

    monkeypatch.setattr(validation, "Forked", counted)
    write(content, "archive/test-mentor.md", VALID)
    write(content, "Bad_Name.md", VALID)
    write(content, "unclosed.md", VALID.replace("\n---\n\nUne bio", "\n\nUne bio"))
    write(content, "wrong-region.md", VALID.replace('region: "02"', 'region: "99"'))
    write(content, "nowhere.en.md", TRANSLATION.replace("test-mentor", "nowhere-mentr"))
    vocab = load_vocabularies(ROOT / "data")
    args = (content / "mentors", content / "images", vocab, content.parent)
    serial = read_mentors(*args)
    forked = read_mentors(*args, workers=3, parallel_from=1)
    assert len(forks) == 2  # this process read a share, and two forked processes one each
    assert [str(p) for p in forked[1]] == [str(p) for p in serial[1]]
    assert len(serial[1]) >= 5
    assert forked[0].keys() == serial[0].keys() and len(serial[0]) > 50
    for slug, source in serial[0].items():
        other = forked[0][slug]
        assert (other.path, other.body, other.profile) == (source.path, source.body, source.profile)
        assert other.translations.keys() == source.translations.keys()


def test_a_rebuild_checks_the_files_it_has_parsed_before_in_process_and_sees_the_change(
    content, tmp_path, monkeypatch
):
    """Forked workers pay to send every result back: a rebuild whose files the memo knows
    (all but the one edited) checks them here, with the same outcome as a fresh read."""
    from mentors import validation
    from mentors.incremental import Memo

    write(content, "wrong-region.md", VALID.replace('region: "02"', 'region: "99"'))
    vocab = load_vocabularies(ROOT / "data")
    args = (content / "mentors", content / "images", vocab, content.parent)
    memo = Memo(tmp_path / "memo.pickle")
    read_mentors(*args, memo=memo, workers=2, parallel_from=2)  # the first build: forked
    edited = sorted((content / "mentors").glob("*.md"))[3]
    edit = edited.read_text("utf-8").replace("occupation: ", "occupation: Cheffe ", 1)
    edited.write_text(edit, "utf-8")

    def no_fork(*_args):
        raise AssertionError("a rebuild of known files forked workers")

    monkeypatch.setattr(validation, "Forked", no_fork)
    again = read_mentors(*args, memo=memo, workers=2, parallel_from=2)
    fresh = read_mentors(*args)
    assert [str(p) for p in again[1]] == [str(p) for p in fresh[1]] and fresh[1]
    profiles = [{slug: m.profile for slug, m in read[0].items()} for read in (again, fresh)]
    assert profiles[0] == profiles[1]
    assert any(m.profile.occupation.startswith("Cheffe ") for m in again[0].values())
