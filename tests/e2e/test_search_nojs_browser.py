"""The search page without JavaScript, in a real browser on the site and relay served together:
a typed search lands on the relay's results page, which keeps it; with JavaScript the
search stays in the page as before."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser

FLAG = """window.__rendered = false;
document.addEventListener('search-rendered', () => { window.__rendered = true; }, true);"""


def axe_at(browser, axe, url: str) -> list[dict]:
    """axe on the page at `url` (it runs as a script: a page with scripts on, which the
    relay's results page, having none, renders the same)."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(url)
        return axe(page, every_impact=True)
    finally:
        context.close()


def slugs(page, selector: str) -> list[str]:
    hrefs = page.locator(selector).evaluate_all("links => links.map(a => a.href)")
    return [href.rstrip("/").rsplit("/", 1)[-1] for href in hrefs]


def test_without_javascript_a_search_lands_on_results_that_keep_it(live_server, browser, axe):
    context = browser.new_context(java_script_enabled=False, locale="fr-CA")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/recherche/")
        page.locator("#search-q").fill("plombier")
        with page.expect_navigation():
            page.locator("#search-q").press("Enter")
        assert urlsplit(page.url).path == "/api/recherche"
        assert page.locator("#search-q").input_value() == "plombier"
        found = slugs(page, ".search-results-list h3 a")
        assert found[0] == "jean-philippe-gagnon"
        assert page.locator("#search-status").inner_text().endswith("trouvé.")
        assert axe_at(browser, axe, page.url) == []

        # The filters are a plain form too: a region leaves the mentors it names.
        options = page.locator("#search-region option").all_text_contents()
        assert all(not text.endswith("(0)") for text in options)
        filters = page.locator("details.search-filters")
        assert filters.get_attribute("open") is None  # folded: the results come first
        filters.locator("summary").click()
        with page.expect_navigation():
            page.locator("#search-q").fill("")
            page.locator("#search-sector").select_option("plomberie-chauffage")
            page.get_by_role("button", name="Appliquer les filtres").click()
        asked = parse_qs(urlsplit(page.url).query)
        assert page.locator("details.search-filters").get_attribute("open") is not None
        assert asked["secteur"] == ["plomberie-chauffage"]
        assert "jean-philippe-gagnon" in slugs(page, ".search-results-list h3 a")
        listing = page.locator(".search-browse a").first
        assert listing.get_attribute("href").endswith("/secteurs/plomberie-chauffage/")

        # The language switch keeps the search, under the English page's names.
        with page.expect_navigation():
            page.locator(".lang-switch").click()
        assert urlsplit(page.url).path == "/api/en/search"
        assert parse_qs(urlsplit(page.url).query)["sector"] == ["plomberie-chauffage"]
        assert page.locator("html").get_attribute("lang") == "en"
        assert axe_at(browser, axe, page.url) == []
    finally:
        context.close()


@pytest.mark.parametrize(("path", "lang"), [("/api/recherche", "fr"), ("/api/en/search", "en")])
def test_an_empty_result_says_why_and_where_to_go(live_server, browser, axe, path, lang):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        response = page.goto(live_server.url + path + "?q=zqxwvkj&region=laval")
        assert response is not None and response.status == 200
        assert page.locator("#search-q").input_value() == "zqxwvkj"
        empty = page.locator(".search-empty")
        assert empty.is_visible() and empty.locator("a").count() >= 4
        assert axe_at(browser, axe, page.url) == []
    finally:
        context.close()


def test_with_javascript_the_search_stays_in_the_page(live_server, page):
    page.add_init_script(FLAG)
    page.goto(live_server.url + "/recherche/")
    page.wait_for_selector("#search.search-ready")
    page.locator("#search-q").fill("plombier")
    page.wait_for_function("window.__rendered === true")
    page.evaluate("window.__rendered = false")
    page.locator("#search-q").press("Enter")
    page.wait_for_function("window.__rendered === true")
    assert urlsplit(page.url).path == "/recherche/"
    assert parse_qs(urlsplit(page.url).query) == {"q": ["plombier"]}
    assert slugs(page, "#search-mentor-list .search-card-name a")[0] == "jean-philippe-gagnon"


@pytest.mark.parametrize("scripts", [False, True])
def test_the_header_search_box_keeps_the_query_with_or_without_javascript(
    live_server, browser, scripts
):
    context = browser.new_context(java_script_enabled=scripts, locale="en-CA")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/en/about/")  # the home and search pages have their own box
        page.locator("#header-q").fill("plumber")
        with page.expect_navigation():
            page.locator("#header-q").press("Enter")
        where = urlsplit(page.url)
        # Without scripts the relay's results page; with them, the site's own search page.
        assert where.path == ("/en/search/" if scripts else "/api/en/search")
        assert parse_qs(where.query)["q"] == ["plumber"]
        if scripts:
            page.wait_for_function("() => window.location.search.includes('plumber')")
        assert page.locator("#search-q").input_value() == "plumber"
    finally:
        context.close()
