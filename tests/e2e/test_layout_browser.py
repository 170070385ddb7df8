"""Layout at 1280 px and on a phone (390 px): what a visitor sees first, and nothing cramped."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
FLAG = """window.__rendered = false;
document.addEventListener('search-rendered', () => { window.__rendered = true; }, true);"""


@pytest.fixture
def at(browser):
    contexts = []

    def open_at(viewport, base, path, wait_results=False):
        context = browser.new_context(viewport=viewport, locale="fr-CA")
        contexts.append(context)
        page = context.new_page()
        page.add_init_script(FLAG)
        page.goto(base + path)
        if wait_results:
            page.wait_for_function("window.__rendered === true")
        return page

    yield open_at
    for context in contexts:
        context.close()


def test_directory_cards_sit_in_three_columns_with_one_line_pills(static_site, at):
    page = at(DESKTOP, static_site, "/mentors/")
    lefts = page.locator(".cards > li").evaluate_all(
        "items => items.map(li => Math.round(li.getBoundingClientRect().left))"
    )
    assert len(set(lefts)) == 3, lefts
    heights = page.locator(".cards .status").evaluate_all(
        "pills => pills.map(p => [p.getBoundingClientRect().height, "
        "parseFloat(getComputedStyle(p).lineHeight)])"
    )
    assert all(height < 2 * line for height, line in heights), heights


@pytest.mark.parametrize("path", ["/recherche/", "/moderation/", "/mentors/"])
def test_the_first_heading_has_room_under_the_header(static_site, at, path):
    page = at(DESKTOP, static_site, path)
    gap = page.evaluate(
        "document.querySelector('main h1').getBoundingClientRect().top"
        " - document.querySelector('.site-header').getBoundingClientRect().bottom"
    )
    assert gap >= 16


def test_an_article_uses_the_width_beside_its_text(static_site, at):
    page = at(DESKTOP, static_site, "/articles/devenir-electricien-dep/")
    text = page.locator("article.prose").bounding_box()
    aside = page.locator(".article-aside").bounding_box()
    assert aside["x"] >= text["x"] + text["width"]
    assert aside["y"] < text["y"] + 400  # beside the text, not under it
    assert aside["x"] + aside["width"] > 0.85 * DESKTOP["width"]


def test_breadcrumbs_end_without_a_separator(static_site, at):
    page = at(DESKTOP, static_site, "/articles/devenir-electricien-dep/")
    last = page.evaluate(
        "getComputedStyle(document.querySelector('.breadcrumbs li:last-child'), '::after').content"
    )
    assert last in ("none", "normal", "")


def test_on_a_phone_the_home_shows_mentors_before_the_lists_and_one_search_box(static_site, at):
    page = at(PHONE, static_site, "/")
    mentors = page.locator("#new-mentors-title").bounding_box()
    sectors = page.locator("#sectors-title").bounding_box()
    assert mentors["y"] < sectors["y"]
    visible_boxes = page.locator("input[type=search]").evaluate_all(
        "boxes => boxes.filter(b => b.getClientRects().length).length"
    )
    assert visible_boxes == 1
    chips = page.locator(".chips-short li").evaluate_all(
        "items => items.filter(li => li.getClientRects().length).length"
    )
    assert chips <= 12


def test_on_a_phone_the_first_screen_of_search_shows_a_result(static_site, at):
    page = at(PHONE, static_site, "/recherche/?q=infirmi%C3%A8re", wait_results=True)
    first = page.locator("#search-mentor-list li").first.bounding_box()
    assert first["y"] + 40 < PHONE["height"]
    assert not page.locator("#search-facets").evaluate("d => d.open")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_on_a_wide_screen_the_filters_are_open(static_site, at):
    page = at(DESKTOP, static_site, "/recherche/?q=infirmi%C3%A8re", wait_results=True)
    assert page.locator("#search-sector").is_visible()
