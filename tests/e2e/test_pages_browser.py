"""The theme in a real browser: both languages, the language switcher, landmarks, accessibility.

The sample site is built once (fixture `built_site`) and served as static files
(`static_site`); pages are reached by following links, as a visitor would, so
the tests do not depend on particular sample mentors.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

HOMES = {"fr": "/", "en": "/en/"}
SEARCH = {"fr": "/recherche/", "en": "/en/search/"}
# Without JavaScript the header's box asks the relay, whose results page keeps the query.
RELAY_SEARCH = {"fr": "/api/recherche", "en": "/api/en/search"}
MENTORS = {"fr": "/mentors/", "en": "/en/mentors/"}
SECTORS = {"fr": "/secteurs/", "en": "/en/sectors/"}
REGIONS = {"fr": "/regions/", "en": "/en/regions/"}
LANGUAGES = {"fr": "/langues/", "en": "/en/languages/"}
ARTICLES = {"fr": "/articles/", "en": "/en/articles/"}
QUESTION_FIELDS = {
    "mentor": "hidden",
    "lang": "hidden",
    "pseudonym": "text",
    "age": "number",
    "email": "email",
    "consent": "checkbox",
    "website": "text",
    "rendered_at": "hidden",
    "idempotency_key": "hidden",
}
PHONE = {"width": 375, "height": 740}


def path_of(url: str) -> str:
    return urlsplit(url).path


def open_page(page, base: str, path: str):
    response = page.goto(base + path)
    assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
    return page


def first_link(page, selector: str) -> str:
    link = page.locator(selector).first
    assert link.count() == 1, f"no link matches {selector} on {page.url}"
    return link.get_attribute("href")


def json_ld(page) -> list[dict]:
    blocks = page.locator('script[type="application/ld+json"]').all_text_contents()
    return [json.loads(block) for block in blocks]


def check_frame(page, lang: str) -> None:
    """What every page owes a visitor: language, canonical, landmarks, search box, footer."""
    other = "en" if lang == "fr" else "fr"
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator('link[rel="canonical"]').count() == 1
    assert page.locator('meta[property="og:title"]').count() == 1
    assert page.locator('meta[property="og:locale"]').get_attribute("content").startswith(lang)
    assert page.locator("header.site-header").count() == 1
    assert page.locator("main#main").count() == 1
    assert page.locator("footer").count() == 1
    skip = page.locator("a.skip-link")
    assert skip.get_attribute("href") == "#main"

    search = page.locator("header form[role=search]")
    assert search.get_attribute("method") == "get"
    assert path_of(search.get_attribute("action")) in (SEARCH[lang], RELAY_SEARCH[lang])
    assert path_of(search.get_attribute("data-site-action")) == SEARCH[lang]
    assert search.locator('input[name="q"]').count() == 1

    # The switcher leads to this page's translation when there is one, else the other home.
    switch = page.locator("a.lang-switch")
    assert switch.get_attribute("hreflang") == other
    alternate = page.locator(f'link[rel="alternate"][hreflang="{other}"]')
    expected = path_of(alternate.get_attribute("href")) if alternate.count() else HOMES[other]
    assert path_of(switch.get_attribute("href")) == expected

    footer_links = page.locator("footer a")
    assert footer_links.count() >= 5


def follow_switch(page, base: str, lang: str) -> None:
    """Click the language switcher and land on a page in the other language."""
    other = "en" if lang == "fr" else "fr"
    page.locator("a.lang-switch").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == other
    check_frame(page, other)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_home_offers_search_and_ways_to_browse(static_site, page, lang):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    open_page(page, static_site, HOMES[lang])
    page.wait_for_load_state("networkidle")
    assert requested and all(url.startswith(static_site + "/") for url in requested), (
        "no request may leave the site (no CDN, font service or analytics)"
    )
    check_frame(page, lang)
    assert page.locator("h1").count() == 1
    hero = page.locator("main form[role=search]")
    assert path_of(hero.get_attribute("action")) == SEARCH[lang]
    assert hero.locator('input[name="q"]').count() == 1
    # Entry points by sector and region, newest mentors and articles.
    assert page.locator(f'main a[href$="{SECTORS[lang]}"]').count() >= 1
    assert page.locator("section[aria-labelledby=sectors-title] ul.chips a").count() >= 1
    assert page.locator("section[aria-labelledby=regions-title] ul.chips a").count() >= 1
    assert page.locator(".mentor-card").count() >= 1
    assert page.locator(".article-card").count() >= 1
    kinds = {block.get("@type") for block in json_ld(page)}
    assert "WebSite" in kinds

    # Every footer page exists in this language.
    for href in page.locator("footer nav a").evaluate_all("els => els.map(a => a.href)"):
        response = page.request.get(href)
        assert response.ok, f"footer link {href} is broken"

    follow_switch(page, static_site, lang)
    assert path_of(page.url) == HOMES["en" if lang == "fr" else "fr"]


def open_profile(page, base: str, lang: str, accepting: bool) -> str:
    open_page(page, base, MENTORS[lang])
    state = "open" if accepting else "closed"
    # Walk the paginated directory until a mentor in the wanted state appears.
    while True:
        card = page.locator(f".mentor-card:has(.status.{state}) h2 a")
        if card.count():
            name = card.first.inner_text()
            card.first.click()
            page.wait_for_load_state()
            return name
        following = page.locator('a[rel="next"]')
        assert following.count(), f"no {state} mentor in the {lang} directory"
        following.click()
        page.wait_for_load_state()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_profile_of_accepting_mentor_has_the_question_form(static_site, page, lang):
    name = open_profile(page, static_site, lang, accepting=True)
    check_frame(page, lang)
    assert page.locator("h1").inner_text() == name
    slug = path_of(page.url).rstrip("/").rsplit("/", 1)[-1]

    facts = page.locator("dl.facts")
    # Sector, region, languages, experience, confirmed on; and the NOC 2021 title if any.
    assert facts.locator("dt").count() == 5 + facts.locator("dd.noc").count()
    # Sector, region and each language link to their listing pages.
    links = facts.locator("dd a").evaluate_all("els => els.map(a => new URL(a.href).pathname)")
    assert len(links) >= 3
    assert links[0].startswith(SECTORS[lang]) and links[1].startswith(REGIONS[lang])
    assert all(link.startswith(LANGUAGES[lang]) for link in links[2:])
    assert page.locator("ol.path > li").count() >= 1

    person = [b for b in json_ld(page) if b.get("@type") == "Person"]
    assert len(person) == 1 and person[0]["name"] == name
    flat = json.dumps(person[0]).lower()
    assert "email" not in flat and "telephone" not in flat

    form = page.locator("form#question-form")
    assert form.get_attribute("method") == "post"
    assert form.get_attribute("action").endswith("/api/questions")
    for field, kind in QUESTION_FIELDS.items():
        control = form.locator(f'[name="{field}"]')
        assert control.count() == 1, field
        assert control.get_attribute("type") == kind, field
    assert form.locator('[name="mentor"]').get_attribute("value") == slug
    assert form.locator('[name="lang"]').get_attribute("value") == lang
    assert form.locator('textarea[name="question"]').get_attribute("maxlength") == "2000"
    assert form.locator('select[name="region"] option').count() >= 19  # a prompt, 17 regions, hq
    assert form.locator('select[name="situation"] option').count() >= 2
    assert form.locator('[name="consent"]').get_attribute("value") == "yes"
    honeypot = form.locator('[name="website"]')
    assert honeypot.get_attribute("tabindex") == "-1"
    assert honeypot.get_attribute("autocomplete") == "off"
    box = honeypot.bounding_box()
    assert box is None or box["x"] + box["width"] <= 0, "the honeypot must stay off screen"
    for field in ("pseudonym", "age", "region", "situation", "email", "question", "consent"):
        assert form.locator(f"p.field-error#{field}-error").count() == 1, field
        assert page.locator(f'label[for="{field}"]').count() == 1, field

    follow_switch(page, static_site, lang)
    assert page.locator("h1").inner_text() == name
    assert path_of(page.url).rstrip("/").endswith(slug)


def test_french_profile_on_english_page_is_marked_french(static_site, page):
    open_page(page, static_site, MENTORS["en"])
    while not page.locator(".mentor-card p[lang=fr]").count():
        following = page.locator('a[rel="next"]')
        assert following.count(), "no French-only mentor in the English directory"
        following.click()
        page.wait_for_load_state()
    page.locator(".mentor-card:has(p[lang=fr]) h2 a").first.click()
    page.wait_for_load_state()
    check_frame(page, "en")
    assert page.locator(".content-lang-note").inner_text() == "Profile in French"
    assert page.locator(".occupation").get_attribute("lang") == "fr"
    assert page.locator("section[aria-labelledby=bio-title] .prose").get_attribute("lang") == "fr"
    assert page.locator("#bio-title").inner_text() == "About me"


def test_profile_not_accepting_says_so_without_a_form(static_site, page):
    open_profile(page, static_site, "fr", accepting=False)
    check_frame(page, "fr")
    assert page.locator("form#question-form").count() == 0
    notice = page.locator("section.notice")
    assert notice.count() == 1
    assert "ne reçoit pas de questions" in notice.inner_text()
    # The notice offers the listings of the same sector and region, and (issue 14) similar
    # mentors who accept: at most 3 of them are shown.
    similar = notice.locator(".similar-mentors li:visible a").count()
    assert notice.locator("a:visible").count() == 2 + similar and similar <= 3


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_listing_pages_work_without_javascript(static_site, browser, lang):
    context = browser.new_context(java_script_enabled=False, locale="fr-CA")
    page = context.new_page()
    try:
        open_page(page, static_site, SECTORS[lang])
        check_frame(page, lang)
        entries = page.locator(".index-list a")
        assert entries.count() >= 1
        entries.first.click()
        page.wait_for_load_state()
        check_frame(page, lang)
        assert page.locator("h1").count() == 1
        assert page.locator(".mentor-card").count() >= 1

        # The whole directory pages through plain links.
        open_page(page, static_site, MENTORS[lang])
        total = int(page.locator("main p.muted").first.inner_text().split()[0])
        seen = set()
        while True:
            names = page.locator(".mentor-card h2").all_inner_texts()
            assert names and not seen.intersection(names)
            seen.update(names)
            following = page.locator('a[rel="next"]')
            if not following.count():
                break
            following.click()
            page.wait_for_load_state()
        assert len(seen) == total
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_article_page(static_site, page, lang):
    open_page(page, static_site, ARTICLES[lang])
    check_frame(page, lang)
    title = page.locator(".article-card h2 a").first.inner_text()
    page.locator(".article-card h2 a").first.click()
    page.wait_for_load_state()
    check_frame(page, lang)
    assert page.locator("h1").inner_text() == title
    assert page.locator("main article time").count() == 1
    articles = [b for b in json_ld(page) if b.get("@type") in ("Article", "BlogPosting")]
    assert len(articles) == 1
    follow_switch(page, static_site, lang)


def open_article(page, base: str, lang: str):
    open_page(page, base, ARTICLES[lang])
    page.locator(".article-card h2 a").first.click()
    page.wait_for_load_state()


PAGES_FOR_AXE = {
    "home": lambda page, base, lang: open_page(page, base, HOMES[lang]),
    "profile": lambda page, base, lang: open_profile(page, base, lang, accepting=True),
    "closed-profile": lambda page, base, lang: open_profile(page, base, lang, accepting=False),
    "listing": lambda page, base, lang: open_page(page, base, MENTORS[lang]),
    "index": lambda page, base, lang: open_page(page, base, SECTORS[lang]),
    "articles": lambda page, base, lang: open_page(page, base, ARTICLES[lang]),
    "article": open_article,
}
# Every kind of page in French; in English the pages whose language handling differs most.
AXE_CASES = [(kind, "fr") for kind in PAGES_FOR_AXE] + [("home", "en"), ("profile", "en")]


@pytest.mark.parametrize(("kind", "lang"), AXE_CASES)
def test_no_serious_accessibility_violation(static_site, page, axe, kind, lang):
    PAGES_FOR_AXE[kind](page, static_site, lang)
    assert axe(page) == []


@pytest.mark.parametrize("kind", ["home", "profile"])
def test_phone_width_has_no_sideways_scroll(static_site, browser, kind):
    context = browser.new_context(viewport=PHONE, locale="fr-CA")
    page = context.new_page()
    try:
        PAGES_FOR_AXE[kind](page, static_site, "fr")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        # Touch targets in the header and footer are at least 44 px high.
        heights = page.locator(
            ".site-nav a, .lang-switch, .site-footer a, header button"
        ).evaluate_all(
            "els => els.filter(e => e.getClientRects().length)"
            ".map(e => e.getBoundingClientRect().height)"
        )
        assert heights and min(heights) >= 44
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_broken_internal_link(static_site, page, lang):
    """Every link of the main page kinds leads to a page the build wrote."""
    hrefs = set()
    for kind in ("home", "profile", "closed-profile", "listing", "article", "articles", "index"):
        PAGES_FOR_AXE[kind](page, static_site, lang)
        links = page.locator("a[href]").evaluate_all("els => els.map(a => a.href)")
        hrefs.update(h.split("#")[0] for h in links if h.startswith(static_site))
    assert len(hrefs) > 20
    broken = [h for h in sorted(hrefs) if not page.request.get(h).ok]
    assert broken == []


def test_skip_link_is_first_and_visible_on_focus(static_site, page):
    open_page(page, static_site, HOMES["fr"])
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused
    box = page.locator("a.skip-link").bounding_box()
    assert box is not None and box["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
