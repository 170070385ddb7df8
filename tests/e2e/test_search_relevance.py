"""Search relevance: the queries of tests/data/relevance.yaml, typed into the real search
page of each language, through the real Pagefind index of the built sample site."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CASES = yaml.safe_load((ROOT / "tests" / "data" / "relevance.yaml").read_text(encoding="utf-8"))
SEARCH = {"fr": "/recherche/", "en": "/en/search/"}
FLAG = """window.__rendered = false;
document.addEventListener('search-rendered', () => { window.__rendered = true; }, true);"""


def ranked(page, query: str) -> list[str]:
    """The slugs of the mentors the page lists for `query`, in order (every page of them)."""
    page.evaluate("window.__rendered = false")
    page.locator("#search-q").fill(query)
    page.wait_for_function("window.__rendered === true")
    more = page.locator("#search-more")
    while more.is_visible():
        before = page.locator("#search-mentor-list li").count()
        more.click()
        page.wait_for_function(
            f"document.querySelectorAll('#search-mentor-list li').length > {before}"
        )
    hrefs = page.locator("#search-mentor-list .search-card-name a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return [href.rstrip("/").rsplit("/", 1)[-1] for href in hrefs]


def misses(case: dict, slugs: list[str]) -> list[str]:
    """What is wrong with the ranking `slugs` for this case (nothing: [])."""
    found = []
    if case.get("none") and slugs:
        found.append(f"expected no mentor, got {slugs[:5]}")
    top = case.get("top", [])
    within = case.get("within", len(top))
    missing = [slug for slug in top if slug not in slugs[:within]]
    if missing:
        found.append(f"{missing} not in the first {within}: {slugs[: within + 3]}")
    unrelated = [slug for slug in case.get("absent", []) if slug in slugs]
    if unrelated:
        found.append(f"unrelated mentors listed: {unrelated}")
    return found


def test_the_relevance_set_has_at_least_30_queries_in_both_languages():
    assert len(CASES["fr"]) + len(CASES["en"]) >= 30
    assert len(CASES["fr"]) >= 10 and len(CASES["en"]) >= 10


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_expected_mentors_come_first_and_unrelated_ones_never(static_site, browser, lang):
    context = browser.new_context(locale="fr-CA" if lang == "fr" else "en-CA")
    page = context.new_page()
    try:
        page.add_init_script(FLAG)
        page.goto(static_site + SEARCH[lang])
        page.wait_for_selector("#search.search-ready")
        failures = []
        for case in CASES[lang]:
            slugs = ranked(page, str(case["q"]))
            failures += [f"{case['q']!r}: {problem}" for problem in misses(case, slugs)]
        assert not failures, "\n".join(failures)
    finally:
        context.close()


def test_the_checker_fails_a_ranking_that_misses():
    """The comparison itself: a wrong order, a missing or an unrelated mentor is caught."""
    case = {"q": "x", "top": ["a", "b"], "absent": ["z"]}
    assert misses(case, ["a", "b", "c"]) == []
    assert misses(case, ["a", "c", "b"])
    assert misses(case, ["a", "b", "z"])
    assert misses({"q": "x", "none": True}, ["a"])
