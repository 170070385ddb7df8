"""What the sample build writes: both languages, links between them, feeds, sitemap, manifest."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own build output
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT, read_json
from mentors.directory import summarize
from mentors.frontmatter import parse

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def profiles() -> dict[str, dict]:
    """Front matter of the sample profiles, read straight from content/ (not from the plugin)."""
    found = {}
    for path in sorted((ROOT / "content" / "mentors").glob("*.md")):
        found[path.name[:-3]] = parse(path.read_text(encoding="utf-8")).meta
    return found


def originals() -> dict[str, dict]:
    return {slug: meta for slug, meta in profiles().items() if "." not in slug}


def translated() -> list[str]:
    return [slug.split(".")[0] for slug in profiles() if slug.endswith(".en")]


def french_only() -> list[str]:
    done = set(translated())
    return [s for s, m in originals().items() if m["lang"] == "fr" and s not in done]


def xml_root(path: Path) -> ET.Element:
    return ET.parse(path).getroot()  # noqa: S314 - our own build output


def html(site: Path, url: str) -> str:
    path = site / url / "index.html" if not url.endswith(".xml") else site / url
    assert path.is_file(), f"{url} was not written"
    return path.read_text(encoding="utf-8")


def html_lang(page: str) -> str:
    return re.search(r"<html[^>]*\blang=\"([a-z]+)\"", page).group(1)


def json_ld(page: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return [json.loads(block) for block in blocks]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.alternates: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "alternate" and attrs.get("hreflang"):
            self.alternates[attrs["hreflang"]] = attrs["href"]


def hreflangs(page: str) -> dict[str, str]:
    parser = _Links()
    parser.feed(page)
    return parser.alternates


@pytest.mark.parametrize(
    ("url", "lang"),
    [
        ("", "fr"),
        ("en", "en"),
        ("mentors", "fr"),
        ("en/mentors", "en"),
        ("secteurs", "fr"),
        ("en/sectors", "en"),
        ("regions", "fr"),
        ("en/regions", "en"),
        ("langues", "fr"),
        ("en/languages", "en"),
        ("articles", "fr"),
        ("en/articles", "en"),
    ],
)
def test_section_pages_exist_in_their_language(built_site, url, lang):
    assert html_lang(html(built_site, url)) == lang


def test_every_profile_exists_in_both_languages_with_hreflang(built_site):
    for slug in originals():
        fr, en = html(built_site, f"mentors/{slug}"), html(built_site, f"en/mentors/{slug}")
        assert (html_lang(fr), html_lang(en)) == ("fr", "en")
        for page in (fr, en):
            links = hreflangs(page)
            assert links["fr"].endswith(f"/mentors/{slug}/") and not links["fr"].startswith("/en/")
            assert links["en"].endswith(f"/en/mentors/{slug}/")


def test_profile_description_is_its_bio_summary_as_plain_text(built_site):
    for slug, meta in originals().items():
        text = (ROOT / "content" / "mentors" / f"{slug}.md").read_text(encoding="utf-8")
        url = f"mentors/{slug}" if meta["lang"] == "fr" else f"en/mentors/{slug}"
        page = html(built_site, url)
        found = re.search(r'<meta name="description" content="([^"]*)">', page).group(1)
        shared = re.search(r'<meta property="og:description" content="([^"]*)">', page).group(1)
        expected = summarize(parse(text).body) or meta["occupation"]
        assert unescape(found) == expected, slug
        assert shared == found and "<" not in found and "'" not in found


def test_translated_profile_shows_its_english_text(built_site):
    slug = translated()[0]
    meta = profiles()[f"{slug}.en"]
    page = html(built_site, f"en/mentors/{slug}")
    assert meta["occupation"] in page
    assert originals()[slug]["occupation"] not in page


def test_french_only_profile_is_in_the_english_directory_marked_french(built_site):
    slug = french_only()[0]
    meta = originals()[slug]
    page = html(built_site, f"en/mentors/{slug}")
    assert meta["occupation"] in page
    assert re.search(r'lang="fr"[^>]*>[^<]*' + re.escape(meta["occupation"]), page)
    assert f'href="/en/mentors/{slug}/"' in "".join(
        html(built_site, f"en/mentors/{n}" if n > 1 else "en/mentors")
        for n in range(1, 10)
        if (built_site / "en" / "mentors" / (str(n) if n > 1 else "") / "index.html").exists()
    )


def test_listings_per_sector_region_and_language_hold_their_mentors(built_site):
    regions = {r["code"]: r["slug"] for r in _yaml("regions")}
    slug, meta = next(iter(originals().items()))
    sector_page = html(built_site, f"secteurs/{meta['sector']}")
    region_page = html(built_site, f"en/regions/{regions[str(meta['region'])]}")
    language_page = html(built_site, f"langues/{meta['languages'][0]}")
    assert f'href="/mentors/{slug}/"' in sector_page
    assert f'href="/en/mentors/{slug}/"' in region_page
    assert f'href="/mentors/{slug}/"' in language_page


def test_directory_is_paginated_and_counts_every_mentor(built_site):
    count = len(originals())
    pages = -(-count // 24)
    links = set()
    for n in range(1, pages + 1):
        page = html(built_site, "mentors" if n == 1 else f"mentors/{n}")
        links |= set(re.findall(r'href="/mentors/([a-z0-9-]*[a-z][a-z0-9-]*)/"', page))
    assert links == set(originals())
    assert not (built_site / "mentors" / str(pages + 1) / "index.html").exists()


def test_index_of_sectors_links_each_used_sector(built_site):
    page = html(built_site, "en/sectors")
    for meta in originals().values():
        assert f'href="/en/sectors/{meta["sector"]}/"' in page


def test_profile_page_carries_person_json_ld(built_site):
    slug, meta = next(iter(originals().items()))
    [data] = [d for d in json_ld(html(built_site, f"mentors/{slug}")) if d["@type"] == "Person"]
    assert data["name"] == meta["name"]
    assert data["url"].endswith(f"/mentors/{slug}/")
    assert data["knowsLanguage"] == list(dict.fromkeys(meta["languages"]))


def test_articles_are_split_by_language_and_linked_to_their_translation(built_site):
    source = next((ROOT / "content" / "articles").glob("*.en.md"))
    meta = parse(source.read_text(encoding="utf-8")).meta
    en_page = html(built_site, f"en/articles/{meta['slug']}")
    fr_page = html(built_site, f"articles/{meta['translation_of']}")
    assert html_lang(en_page) == "en" and html_lang(fr_page) == "fr"
    assert hreflangs(fr_page)["en"].endswith(f"/en/articles/{meta['slug']}/")
    assert hreflangs(en_page)["fr"].endswith(f"/articles/{meta['translation_of']}/")
    assert f"/en/articles/{meta['slug']}/" in html(built_site, "en/articles")
    assert f"/en/articles/{meta['slug']}/" not in html(built_site, "articles")
    [data] = [d for d in json_ld(en_page) if d["@type"] == "Article"]
    assert data["inLanguage"] == "en"


def test_profiles_and_articles_of_a_sector_link_each_other(built_site):
    source = next((ROOT / "content" / "articles").glob("*.en.md"))
    meta = parse(source.read_text(encoding="utf-8")).meta
    sector = meta["sectors"][0]
    mentors = [s for s, m in originals().items() if m["sector"] == sector]
    assert mentors, "the sample content pairs an article with a mentor of its sector"
    assert f"/en/articles/{meta['slug']}/" in html(built_site, f"en/mentors/{mentors[0]}")
    article = html(built_site, f"en/articles/{meta['slug']}")
    assert any(f"/en/mentors/{m}/" in article for m in mentors)


def test_feeds_list_articles_and_new_mentors_per_language(built_site):
    for prefix, lang in (("", "fr"), ("en/", "en")):
        articles = xml_root(built_site / prefix / "feeds" / "articles.atom.xml")
        entries = articles.findall(f"{ATOM}entry")
        assert entries
        links = [e.find(f"{ATOM}link").get("href") for e in entries]
        assert all(("/en/articles/" in link) == (lang == "en") for link in links)
        mentors = xml_root(built_site / prefix / "feeds" / "mentors.atom.xml")
        newest = max(originals().items(), key=lambda item: (item[1]["added"], item[0]))[0]
        first = mentors.find(f"{ATOM}entry").find(f"{ATOM}link").get("href")
        assert first.endswith(f"{prefix}mentors/{newest}/")


def test_sitemap_lists_both_languages_with_alternates(built_site):
    root = xml_root(built_site / "sitemap.xml")
    entries = {
        url.find(f"{SITEMAP}loc").text: {
            link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")
        }
        for url in root.findall(f"{SITEMAP}url")
    }
    slug = next(iter(originals()))
    fr = next(loc for loc in entries if loc.endswith(f"/mentors/{slug}/") and "/en/" not in loc)
    en = next(loc for loc in entries if loc.endswith(f"/en/mentors/{slug}/"))
    assert entries[fr] == entries[en] == {"fr": fr, "en": en}
    assert any(loc.endswith("/en/sectors/") for loc in entries)
    hidden = [
        meta["url"]
        for path in (ROOT / "content" / "pages").glob("*.md")
        if (meta := parse(path.read_text(encoding="utf-8")).meta).get("status") == "hidden"
    ]
    assert hidden, "the sample content has a hidden page (moderation)"
    for url in hidden:  # a directory URL (moderation/) or a file (404.html)
        page = built_site / url / "index.html" if url.endswith("/") else built_site / url
        assert page.is_file(), url
    assert not [loc for loc in entries for url in hidden if loc.endswith(f"/{url}")]


def test_relay_manifest_describes_every_mentor(built_site):
    manifest = read_json(built_site / "relay" / "mentors.json")
    assert set(manifest["mentors"]) == set(originals())
    slug, meta = next(iter(originals().items()))
    entry = manifest["mentors"][slug]
    assert {k: entry[k] for k in ("name", "lang", "sector")} == {
        k: meta[k] for k in ("name", "lang", "sector")
    }
    assert (
        entry["region"] == f"{int(meta['region']):02d}" if str(meta["region"]).isdigit() else True
    )
    assert manifest["regions"] == [str(r["code"]) for r in _yaml("regions")]
    assert manifest["situations"] == [s["code"] for s in _yaml("situations")]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", manifest["generated"])


def test_photos_have_responsive_variants_and_alt_text(built_site):
    slug, meta = next((s, m) for s, m in originals().items() if m.get("photo"))
    page = html(built_site, f"mentors/{slug}")
    img = re.search(r'<img class="profile-photo"(.*?)>', page, re.S).group(1)
    srcset = re.search(r'srcset="([^"]+)"', img).group(1)
    widths = [entry.split()[-1] for entry in srcset.split(", ")]
    assert widths == ["160w", "320w", "640w"]
    for entry in srcset.split(", "):
        assert (built_site / entry.split()[0].lstrip("/")).is_file()
    assert f'alt="{meta["photo_alt"]}"'.replace("'", "&#39;") in img or meta["photo_alt"] in img


def _yaml(name: str) -> list[dict]:
    import yaml

    return yaml.safe_load((ROOT / "data" / f"{name}.yaml").read_text(encoding="utf-8"))


def english_only() -> list[str]:
    done = {slug.split(".")[0] for slug in profiles() if slug.endswith(".fr")}
    return [s for s, m in originals().items() if m["lang"] == "en" and s not in done]


def test_english_only_profiles_are_marked_english_on_the_french_site(built_site):
    slugs = english_only()
    assert len(slugs) >= 2, "the sample content has English-only profiles"
    for slug in slugs:
        page = html(built_site, f"mentors/{slug}")
        assert '<p class="content-lang-note">Profil en anglais</p>' in page, slug
        assert "Profil en français" not in page, slug
    for slug in french_only()[:3]:
        assert '<p class="content-lang-note">Profile in French</p>' in html(
            built_site, f"en/mentors/{slug}"
        )


def test_profile_shows_the_official_noc_title_in_the_page_language(built_site):
    with_noc = {s: m for s, m in originals().items() if m.get("noc")}
    assert len(with_noc) >= 30, "most sample profiles carry a NOC 2021 code"
    titles = {t["code"]: t for t in _yaml("occupations")}
    for slug, meta in list(with_noc.items())[:5]:
        code = str(meta["noc"])
        for prefix, lang in (("", "fr"), ("en/", "en")):
            page = html(built_site, f"{prefix}mentors/{slug}")
            title = titles[code][lang].replace("'", "&#39;")
            assert f'<dd class="noc">{title} <span class="muted">({code})</span></dd>' in page


def test_favicon_is_served_from_the_root_as_ico_and_svg(built_site):
    assert (built_site / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert (built_site / "favicon.svg").read_text(encoding="utf-8").startswith("<svg")
    page = html(built_site, "")
    assert '<link rel="icon" href="/favicon.ico" sizes="32x32">' in page
    assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in page


def test_published_build_links_everything_from_the_site_url(published_site):
    from conftest import PUBLISHED_URL

    for prefix in ("", "en/"):
        for feed in ("articles", "mentors"):
            path = f"{prefix}feeds/{feed}.atom.xml"
            root = xml_root(published_site / path)
            links = [link.get("href") for link in root.iter(f"{ATOM}link")]
            assert f"{PUBLISHED_URL}/{path}" in links
            assert links and all(link.startswith(PUBLISHED_URL + "/") for link in links), links
    sitemap = (published_site / "sitemap.xml").read_text(encoding="utf-8")
    assert "127.0.0.1" not in sitemap and f"<loc>{PUBLISHED_URL}/mentors/" in sitemap
    slug = next(iter(originals()))
    page = html(published_site, f"mentors/{slug}")
    assert f'<link rel="canonical" href="{PUBLISHED_URL}/mentors/{slug}/">' in page
    assert hreflangs(page) == {
        "fr": f"{PUBLISHED_URL}/mentors/{slug}/",
        "en": f"{PUBLISHED_URL}/en/mentors/{slug}/",
        "x-default": f"{PUBLISHED_URL}/mentors/{slug}/",
    }


def test_french_titles_and_text_keep_high_punctuation_on_their_line(built_site):
    from mentors.typography import NBSP

    page = html(built_site, "articles/devenir-electricien-dep")
    assert f"au Québec{NBSP}: DEP" in re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    assert f"au Québec{NBSP}: DEP" in re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    body = re.search(r'<article class="prose".*?</article>', page, re.S).group(0)
    assert " :" not in re.sub(r"<[^>]+>", "", body)
    english = html(built_site, "en/articles/becoming-an-electrician")
    assert NBSP + ":" not in english


def test_search_pages_are_indexable_under_their_own_url(published_site):
    from conftest import PUBLISHED_URL

    for url in ("recherche/", "en/search/"):
        page = html(published_site, url)
        assert 'name="robots"' not in page
        assert f'<link rel="canonical" href="{PUBLISHED_URL}/{url}">' in page


def test_french_theme_strings_follow_french_typography_too(built_site):
    from mentors.typography import NBSP

    page = html(built_site, "secteurs/electricite")
    assert f"Secteur{NBSP}: Électricité" in re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    assert "Sector: Electrical trades" in html(built_site, "en/sectors/electricite")


def test_a_french_bio_keeps_its_punctuation_on_its_line_on_both_pages(built_site):
    from mentors.typography import NBSP

    # Written in French only: the English page shows the same bio, spaced the French way.
    for url in ("mentors/alexandre-simard", "en/mentors/alexandre-simard"):
        prose = re.search(r'<div class="prose"[^>]*>(.*?)</div>', html(built_site, url), re.S)
        assert f"Le métier change vite{NBSP}: les diagnostics" in prose.group(1), url
        assert " :" not in prose.group(1)


@pytest.mark.parametrize("siteurl", ["", "https://passerelle.example"])
def test_engine_paths_become_the_same_site_urls_on_the_site_and_on_the_relay(siteurl):
    """The theme's `site_url` and `srcset` filters, as the site build and the relay install them."""
    from jinja2 import Environment
    from mentors.i18n import Catalogs, install
    from relay.presentation import environment

    source = (
        '{{ "images/a.jpg"|site_url }} {{ "https://cdn.example/b.jpg"|site_url }}'
        ' {{ "/c.jpg"|site_url }} | {{ "images/a-160.jpg 160w,images/a-320.jpg 320w"|srcset }}'
    )
    expected = (
        f"{siteurl}/images/a.jpg https://cdn.example/b.jpg /c.jpg"
        f" | {siteurl}/images/a-160.jpg 160w, {siteurl}/images/a-320.jpg 320w"
    )
    site = Environment(autoescape=True)
    install(site, Catalogs(None))
    assert site.from_string(source).render(SITEURL=siteurl) == expected
    assert environment().from_string(source).render(SITEURL=siteurl) == expected
