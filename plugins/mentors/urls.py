"""The URL scheme of both languages (docs/architecture.md, "URLs"): one table, used everywhere."""

from __future__ import annotations

SECTIONS: dict[str, dict[str, str]] = {
    "fr": {
        "home": "",
        "mentors": "mentors/",
        "sectors": "secteurs/",
        "regions": "regions/",
        "languages": "langues/",
        "articles": "articles/",
        "category": "articles/categorie/",
        "tag": "articles/etiquette/",
        "search": "recherche/",
        "feed_articles": "feeds/articles.atom.xml",
        "feed_mentors": "feeds/mentors.atom.xml",
        "question_sent": "questions/envoyee/",
        "about": "a-propos/",
        "how_it_works": "comment-ca-marche/",
        "safety": "securite/",
        "privacy": "confidentialite/",
        "accessibility": "accessibilite/",
    },
    "en": {
        "home": "en/",
        "mentors": "en/mentors/",
        "sectors": "en/sectors/",
        "regions": "en/regions/",
        "languages": "en/languages/",
        "articles": "en/articles/",
        "category": "en/articles/category/",
        "tag": "en/articles/tag/",
        "search": "en/search/",
        "feed_articles": "en/feeds/articles.atom.xml",
        "feed_mentors": "en/feeds/mentors.atom.xml",
        "question_sent": "en/questions/sent/",
        "about": "en/about/",
        "how_it_works": "en/how-it-works/",
        "safety": "en/safety/",
        "privacy": "en/privacy/",
        "accessibility": "en/accessibility/",
    },
}
# Listing kind -> the section that holds its pages.
LISTING_SECTION = {"sector": "sectors", "region": "regions", "language": "languages"}
LANGS = ("fr", "en")


def other(lang: str) -> str:
    return "en" if lang == "fr" else "fr"


def section(lang: str, name: str) -> str:
    return SECTIONS[lang][name]


def mentor(lang: str, slug: str) -> str:
    return f"{SECTIONS[lang]['mentors']}{slug}/"


def listing(lang: str, kind: str, slug: str) -> str:
    return f"{SECTIONS[lang][LISTING_SECTION[kind]]}{slug}/"


def page_number(base: str, number: int) -> str:
    """Page 1 is the base URL; page n is `<base><n>/`."""
    return base if number == 1 else f"{base}{number}/"


def save_as(url: str) -> str:
    """Output file of a URL that ends with '/' (or the home, '')."""
    return f"{url}index.html" if url == "" or url.endswith("/") else url


def lang_of_path(path: str) -> str:
    return "en" if path.replace("\\", "/").startswith("en/") else "fr"
