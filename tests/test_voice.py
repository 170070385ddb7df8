"""One voice: the French content says "tu" to the young person reading it, never "vous".

tests/test_translations.py checks the theme's catalogs and the relay's data files; this
covers what editors and scripts write in Markdown: every French page, article and mentor
bio under content/ (front matter and body), the benchmark corpus and the profile that
`invoke new-mentor` scaffolds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mentors.frontmatter import parse
from mentors.scaffold import new_mentor_cli

from bench.corpus import generate
from pelicanconf import DEFAULT_LANG

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
# The pronoun and its possessives; "rendez-vous" is a noun, not someone spoken to.
VOUS = re.compile(r"(?<!rendez-)\b(?:vous|votre|vos)\b", re.IGNORECASE)


def french_markdown(content: Path) -> list[Path]:
    """The Markdown files under `content` whose language is French."""
    return sorted(
        path
        for path in content.rglob("*.md")
        if parse(path.read_text(encoding="utf-8")).meta.get("lang", DEFAULT_LANG) == "fr"
    )


def vous_lines(content: Path) -> list[str]:
    """'file:line: word | the line' for each "vous", "votre" or "vos" in French Markdown."""
    found = []
    for path in french_markdown(content):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            found += [
                f"{path.relative_to(content).as_posix()}:{number}: {word} | {line.strip()}"
                for word in VOUS.findall(line)
            ]
    return found


def test_french_pages_articles_and_bios_say_tu():
    folders = {path.relative_to(CONTENT).parts[0] for path in french_markdown(CONTENT)}
    assert folders >= {"pages", "articles", "mentors"}
    assert vous_lines(CONTENT) == []


def test_the_check_names_the_file_and_line_and_reads_only_french(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "aide.md").write_text(
        "---\ntitle: Aide\nlang: fr\nsummary: >-\n  Posez VOS questions.\n---\n\n"
        "Prends rendez-vous avec toi-même.\n\nRenseignez-vous : votre avenir compte.\n",
        encoding="utf-8",
    )
    (pages / "sans-langue.md").write_text("---\ntitle: Vous\n---\n\nTexte.\n", encoding="utf-8")
    (pages / "help.en.md").write_text(
        '---\ntitle: Help\nlang: en\n---\n\nQuébec says "vous" to strangers.\n', encoding="utf-8"
    )

    assert vous_lines(tmp_path) == [
        "pages/aide.md:5: VOS | Posez VOS questions.",
        "pages/aide.md:10: vous | Renseignez-vous : votre avenir compte.",
        "pages/aide.md:10: votre | Renseignez-vous : votre avenir compte.",
        "pages/sans-langue.md:2: Vous | title: Vous",
    ]


def test_benchmark_corpus_bios_say_tu(tmp_path):
    generate(40, tmp_path / "corpus", seed=5)
    assert len(french_markdown(tmp_path / "corpus" / "mentors")) >= 30
    assert vous_lines(tmp_path / "corpus") == []


def test_new_mentor_placeholder_bio_says_tu(tmp_path):
    (tmp_path / "data").symlink_to(ROOT / "data", target_is_directory=True)
    path = new_mentor_cli(
        tmp_path,
        slug="nouvelle-personne",
        name="Nouvelle Personne",
        occupation="Soudeuse",
        sector="soudage-usinage",
        region="01",
        languages="fr",
        lang="fr",
        ask=lambda prompt: pytest.fail(f"asked {prompt!r}"),
    )
    assert french_markdown(tmp_path / "content") == [path]
    assert vous_lines(tmp_path / "content") == []
