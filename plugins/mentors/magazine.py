"""Articles and pages split by language, linked to their translations and to mentor sectors."""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pelican.utils import get_date

from . import urls
from .directory import Ref, sort_key, term_ref
from .errors import Problem
from .frontmatter import FrontMatterError, parse
from .vocab import Vocabularies


@dataclass(slots=True)
class Group:
    """A category or tag of one language, with its page."""

    name: str
    slug: str
    url: str
    articles: list[Any]

    @property
    def count(self) -> int:
        return len(self.articles)


def check_sources(
    folders: list[tuple[Path, bool]], vocab: Vocabularies, shown_from: Path
) -> list[Problem]:
    """Front matter checks of articles and pages (is_article: True) that Pelican would not make."""
    problems = []
    for folder, is_article in folders:
        for file in sorted(folder.rglob("*.md")) if folder.is_dir() else []:
            path = file.relative_to(shown_from).as_posix()
            try:
                doc = parse(file.read_text(encoding="utf-8"))
            except FrontMatterError as exc:
                problems.append(Problem(path, exc.line, "front matter", str(exc)))
                continue
            meta = doc.meta
            if not meta.get("title"):
                problems.append(Problem(path, 1, "title", "required field is missing"))
            if "date" in meta:
                try:
                    get_date(str(meta["date"]).strip())
                except (ValueError, TypeError):
                    problems.append(
                        Problem(
                            path,
                            doc.line_of(("date",)),
                            "date",
                            f"malformed date '{meta['date']}'; write YYYY-MM-DD",
                        )
                    )
            elif is_article:
                problems.append(Problem(path, 1, "date", "required field is missing"))
            if meta.get("lang", "fr") not in urls.LANGS:
                problems.append(Problem(path, doc.line_of(("lang",)), "lang", "allowed: fr, en"))
            sectors = meta.get("sectors", [])
            if not isinstance(sectors, list):
                sectors = [sectors]
                problems.append(
                    Problem(path, doc.line_of(("sectors",)), "sectors", "write a list of codes")
                )
            for index, code in enumerate(sectors):
                if code not in vocab.sectors:
                    loc = ("sectors", index)
                    problems.append(
                        Problem(
                            path, doc.line_of(loc), f"sectors[{index}]", vocab.sectors.suggest(code)
                        )
                    )
    return problems


def _line(obj: Any, key: str) -> int:
    try:
        return parse(Path(obj.source_path).read_text(encoding="utf-8")).line_of((key,))
    except (OSError, FrontMatterError):
        return 1


class Magazine:
    """Articles and pages of both languages with their translation links."""

    def __init__(
        self,
        articles: list[Any],
        pages: list[Any],
        vocab: Vocabularies,
        shown_from: Path,
        hidden_articles: list[Any] = (),
        hidden_pages: list[Any] = (),
    ):
        """Hidden articles and pages are linked to their translations, never listed."""
        self.vocab = vocab
        self.problems: list[Problem] = []
        self.translations: dict[int, dict[str, str]] = {}
        self.articles = {lang: [] for lang in urls.LANGS}
        for article in sorted(articles, key=lambda a: a.date, reverse=True):
            self.articles[article.lang if article.lang in urls.LANGS else "fr"].append(article)
        self.pages = {lang: [p for p in pages if p.lang == lang] for lang in urls.LANGS}
        self._link([*articles, *hidden_articles], shown_from)
        self._link([*pages, *hidden_pages], shown_from)
        self.by_sector: dict[tuple[str, str], list[Any]] = defaultdict(list)
        self.categories: dict[str, dict[str, Group]] = {lang: {} for lang in urls.LANGS}
        self.tags: dict[str, dict[str, Group]] = {lang: {} for lang in urls.LANGS}
        for lang, items in self.articles.items():
            for article in items:
                codes = [c for c in article.metadata.get("sectors") or [] if c in vocab.sectors]
                article.sector_list = [term_ref("sector", vocab.sectors[c], lang) for c in codes]
                for code in codes:
                    self.by_sector[(lang, code)].append(article)
                category = getattr(article, "category", None)
                if category is not None:
                    self._group(self.categories[lang], "category", lang, category, article)
                for tag in getattr(article, "tags", None) or []:
                    self._group(self.tags[lang], "tag", lang, tag, article)

    @staticmethod
    def _group(groups: dict[str, Group], kind: str, lang: str, item: Any, article: Any) -> None:
        slug = item.slug
        if slug not in groups:
            groups[slug] = Group(item.name, slug, f"{urls.section(lang, kind)}{slug}/", [])
        groups[slug].articles.append(article)

    def _link(self, items: list[Any], shown_from: Path) -> None:
        """`translation_of: <slug>` in a translation links it with its original, both ways."""
        by_slug = {(item.slug, item.lang): item for item in items}
        for item in items:
            self.translations.setdefault(id(item), {item.lang: item.url})
        for item in items:
            target = item.metadata.get("translation_of")
            if not target:
                continue
            path = Path(item.source_path).relative_to(shown_from).as_posix()
            original = next(
                (
                    by_slug[(target, lang)]
                    for lang in urls.LANGS
                    if (target, lang) in by_slug and lang != item.lang
                ),
                None,
            )
            if original is None:
                slugs = sorted({slug for slug, lang in by_slug if lang != item.lang})
                close = difflib.get_close_matches(str(target), slugs, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                self.problems.append(
                    Problem(
                        path,
                        _line(item, "translation_of"),
                        "translation_of",
                        f"points to nothing in the other language: '{target}'{hint}",
                    )
                )
                continue
            self.translations[id(original)][item.lang] = item.url
            self.translations[id(item)] = self.translations[id(original)]

    def translation_urls(self, item: Any) -> dict[str, str]:
        return self.translations.get(id(item), {})

    def related_articles(self, lang: str, sector: str, limit: int = 3) -> list[Any]:
        return self.by_sector.get((lang, sector), [])[:limit]

    def sorted_groups(self, groups: dict[str, Group]) -> list[Group]:
        return sorted(groups.values(), key=lambda g: sort_key(g.name))


def sector_refs(article: Any) -> list[Ref]:
    return getattr(article, "sector_list", [])
