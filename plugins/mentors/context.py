"""What every template gets (docs/architecture.md, "Template context"), in both languages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import urls
from .directory import Directory
from .incremental import BuildState
from .magazine import Magazine
from .outputs import Sitemap

# A section page and its counterpart in the other language (home, directory, search, ...).
_SECTION_PAIRS = {
    urls.SECTIONS[lang][name]: {other: urls.SECTIONS[other][name] for other in urls.LANGS}
    for lang in urls.LANGS
    for name in urls.SECTIONS[lang]
}


def context_pairs(section: str) -> dict[str, str]:
    """A section's URL in each language."""
    return {lang: urls.section(lang, section) for lang in urls.LANGS}


class SiteContext:
    """The built model of the site, shared by the mentors generator and the writer."""

    def __init__(self, settings: dict[str, Any], directory: Directory, magazine: Magazine):
        self.settings = settings
        self.directory = directory
        self.magazine = magazine
        self.sitemap = Sitemap()
        self.state = BuildState(None, None)  # the generator sets the build's own
        self.fingerprints = None  # the generator's (mentors.incremental.Fingerprints)
        self.site_url = (settings.get("SITEURL") or "").rstrip("/")
        # Work on one language's part of the model, given by other plugins before the pages
        # are written (name -> work(lang), returning something picklable): run by the
        # process that renders that language's pages, before them; its results kept here.
        self.language_work: dict[str, Callable[[str], Any]] = {}
        self.language_results: dict[str, dict[str, Any]] = {}
        self.common = {
            lang: {
                "lang": lang,
                "other_lang": urls.other(lang),
                "urls": urls.SECTIONS[lang],
                "vocab": directory.vocab_refs(lang),
            }
            for lang in urls.LANGS
        }

    def run_language_work(self, langs) -> dict[str, dict[str, Any]]:
        work = self.language_work.items()
        return {name: {lang: run(lang) for lang in langs} for name, run in work}

    def keep_language_results(self, results: dict[str, dict[str, Any]]) -> None:
        for name, by_lang in results.items():
            self.language_results.setdefault(name, {}).update(by_lang)

    def absolute(self, url: str) -> str:
        return f"{self.site_url}/{url}"

    def page(
        self,
        lang: str,
        url: str,
        translation_urls: dict[str, str] | None = None,
        listed: bool = True,
    ) -> dict:
        """Common variables plus this page's own URL and its other-language version."""
        translations = translation_urls or _SECTION_PAIRS.get(url) or {lang: url}
        other = urls.other(lang)
        if listed:
            self.sitemap.add(url, translations)
        return {
            **self.common[lang],
            "page_url": url,
            "translation_urls": translations,
            "alternate_url": translations.get(other, urls.section(other, "home")),
            "json_ld": None,
        }

    def for_written(self, name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Context for a page that Pelican's writer (or another plugin) writes."""
        obj = kwargs.get("article") or kwargs.get("page")
        if obj is None:
            url = name[: -len("index.html")] if name.endswith("index.html") else name
            return self.page(urls.lang_of_path(name), url)
        lang = obj.lang if obj.lang in urls.LANGS else "fr"
        listed = getattr(obj, "status", "published") == "published"  # hidden: not in the sitemap
        extra = self.page(lang, obj.url, self.magazine.translation_urls(obj), listed=listed)
        if getattr(obj, "status", "") == "hidden":  # e.g. /moderation/: never in the sitemap
            self.sitemap.entries.pop(obj.url, None)
        if kwargs.get("article") is not None:
            extra["related_mentors"] = self.related_mentors(lang, obj)
            extra["json_ld"] = {
                "@context": "https://schema.org",
                "@type": "Article",
                "headline": obj.title,
                "datePublished": obj.date.isoformat(),
                "inLanguage": lang,
                "url": self.absolute(obj.url),
            }
        return extra

    def related_mentors(self, lang: str, article: Any, limit: int = 3) -> list:
        codes = [ref.code for ref in getattr(article, "sector_list", [])]
        groups = self.directory.groups["sector"]
        slugs = [slug for code in codes for slug in groups.get(code, ())]
        newest = sorted(slugs, key=lambda s: self.directory.sources[s].profile.added, reverse=True)
        return [self.directory.views[lang][slug] for slug in newest[:limit]]
