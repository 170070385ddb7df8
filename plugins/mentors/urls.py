"""The URL scheme of both languages (docs/architecture.md, "URLs"): one table, used everywhere."""

from __future__ import annotations

from pathlib import Path

import yaml

SECTIONS: dict[str, dict[str, str]] = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "data" / "urls.yaml").read_text(encoding="utf-8")
)  # the relay's pages and e-mails read the same table
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
