"""The search page in a real browser, on the built sample site.

What the sample mentors are is read from the build (the relay manifest) and the
content, so the expectations follow the sample content when it changes.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]

SEARCH = {"fr": "/recherche/", "en": "/en/search/"}
# A word of most sample profiles in both languages (their education), in many regions.
BROAD = "cegep"


# ---- what the sample site holds ----------------------------------------------------------


def fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(c)
    )


@pytest.fixture(scope="module")
def sample(built_site: Path) -> dict:
    """Every sample mentor as the search sees it: name, occupation, facets (region as a slug)."""
    from mentors.vocab import load_vocabularies

    vocab = load_vocabularies(ROOT / "data")
    manifest = json.loads((built_site / "relay" / "mentors.json").read_text("utf-8"))["mentors"]
    mentors = {}
    for slug, entry in manifest.items():
        text = (ROOT / "content" / "mentors" / f"{slug}.md").read_text(encoding="utf-8")
        meta = yaml.safe_load(text.split("---", 2)[1])
        mentors[slug] = {
            "name": entry["name"],
            "occupation": meta["occupation"],
            "lang": meta["lang"],
            "sector": entry["sector"],
            "region": vocab.regions[entry["region"]].slug,
            "languages": list(dict.fromkeys(meta["languages"])),
            "accepting": entry["accepting"],
        }
    return mentors


def names_matching(sample: dict, **facets) -> set[str]:
    def keep(m):
        for facet, value in facets.items():
            if facet == "language" and value not in m["languages"]:
                return False
            if facet != "language" and m[facet] != value:
                return False
        return True

    return {m["name"] for m in sample.values() if keep(m)}


# ---- driving the page --------------------------------------------------------------------


# Set once per page (every navigation): a flag raised when search.js has rendered results.
FLAG = """window.__rendered = false;
document.addEventListener('search-rendered', () => { window.__rendered = true; }, true);"""


def rendered(page, action) -> None:
    """Do `action` and wait until the page has rendered the results it caused."""
    page.evaluate("window.__rendered = false")
    action()
    page.wait_for_function("window.__rendered === true")


def open_search(page, base: str, lang: str = "fr", query: str = "", expect_results=True):
    page.add_init_script(FLAG)
    response = page.goto(base + SEARCH[lang] + (f"?{query}" if query else ""))
    assert response is not None and response.ok
    page.wait_for_selector("#search.search-ready")
    if expect_results:
        page.wait_for_function("window.__rendered === true")
    return page


def type_query(page, text: str) -> None:
    rendered(page, lambda: page.locator("#search-q").fill(text))


def shown_names(page) -> list[str]:
    return page.locator("#search-mentor-list .search-card-name a").all_inner_texts()


def all_names(page) -> set[str]:
    """Every mentor of the current result, pressing "show more" until all are shown."""
    more = page.locator("#search-more")
    while more.is_visible():
        before = len(shown_names(page))
        more.click()
        page.wait_for_function(
            f"document.querySelectorAll('#search-mentor-list li').length > {before}"
        )
    return set(shown_names(page))


def status(page) -> str:
    return page.locator("#search-status").inner_text()


def option_counts(page, facet: str) -> dict[str, int]:
    options = page.locator(f"#search-{facet} option").evaluate_all(
        "os => os.filter(o => o.value).map(o => [o.value, o.textContent])"
    )
    return {value: int(text.rsplit("(", 1)[1].rstrip(")")) for value, text in options}


def params(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


# ---- free text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, written",
    [("ingenieure", "ingénieure"), ("infirmieres", "infirmière"), ("électricien", "électricienne")],
)
def test_text_search_ignores_accents_and_stems_french(static_site, page, sample, typed, written):
    expected = {
        m["name"]
        for m in sample.values()
        if m["lang"] == "fr" and fold(written) in fold(m["occupation"])
    }
    assert expected, f"the sample site needs a French profile whose occupation says {written!r}"
    open_search(page, static_site, expect_results=False)
    type_query(page, typed)
    assert expected <= all_names(page)
    assert params(page)["q"] == [typed]


def test_results_show_photo_name_occupation_region_status_and_link(static_site, page, sample):
    slug, mentor = next(
        (slug, m)
        for slug, m in sample.items()
        if m["lang"] == "fr" and m["accepting"] and has_photo(slug)
    )
    open_search(page, static_site, query="q=" + mentor["name"].split()[-1])
    card = page.locator("#search-mentor-list li", has_text=mentor["name"]).first
    assert card.locator("img").get_attribute("src").endswith(".jpg")
    assert card.locator(".search-card-occupation").inner_text() == mentor["occupation"]
    from mentors.vocab import load_vocabularies

    region = next(r for r in load_vocabularies(ROOT / "data").regions if r.slug == mentor["region"])
    assert card.locator(".search-card-region").inner_text() == region.name("fr")
    assert card.locator(".search-card-status").inner_text() == "Reçoit des questions"
    link = card.locator("a")
    assert link.get_attribute("href") == f"/mentors/{slug}/"
    link.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == mentor["name"]


def test_a_first_search_runs_in_pagefinds_worker_without_its_loader(static_site, page):
    encodings: dict[str, str | None] = {}
    page.on(
        "response",
        lambda r: encodings.setdefault(urlsplit(r.url).path, r.headers.get("content-encoding")),
    )
    open_search(page, static_site, expect_results=False)
    type_query(page, BROAD)
    assert shown_names(page)
    pagefind = {path.rsplit("/", 1)[-1]: coding for path, coding in encodings.items()}
    assert pagefind["pagefind-worker.js"] == "br"  # served from the copy beside it
    assert next(c for name, c in pagefind.items() if name.endswith(".pagefind")) == "br"
    assert "pagefind.js" not in pagefind  # the search talks to the worker itself (no fallback)
    chunks = {name: c for name, c in pagefind.items() if name.endswith(".pf_index")}
    assert chunks and set(chunks.values()) == {None}  # small: gzipped by Pagefind, as they are


def test_without_a_worker_pagefinds_loader_searches_on_the_page(static_site, page):
    page.add_init_script("delete window.Worker")
    open_search(page, static_site, expect_results=False)
    type_query(page, BROAD)
    assert shown_names(page)


# Words of every photo's URL (images/…/derivatives/mentor-photo/…jpg) and of the sample photos'
# alt texts ("Avatar illustré : silhouette… cercles"), in no profile's text.
@pytest.mark.parametrize("word", ["derivatives", "jpg", "avatar", "cercles"])
def test_a_photos_url_and_alt_text_are_not_searched(static_site, page, sample, word):
    assert any(has_photo(slug) for slug in sample)
    open_search(page, static_site, query=f"q={word}")
    assert shown_names(page) == []


def has_photo(slug: str) -> bool:
    text = (ROOT / "content" / "mentors" / f"{slug}.md").read_text(encoding="utf-8")
    return "\nphoto:" in text


def test_articles_are_found_and_shown_apart_from_mentors(static_site, page):
    open_search(page, static_site, query="q=diplome")
    articles = page.locator("#search-article-list a")
    assert articles.count() >= 1
    assert all(
        h.startswith("/articles/")
        for h in articles.evaluate_all("l => l.map(a => a.getAttribute('href'))")
    )
    mentor_links = page.locator("#search-mentor-list a").evaluate_all(
        "l => l.map(a => a.getAttribute('href'))"
    )
    assert not any(h.startswith("/articles/") for h in mentor_links)


# ---- facets ------------------------------------------------------------------------------


def test_browsing_by_facets_counts_and_combines_without_pagefind(static_site, page, sample):
    region = Counter(m["region"] for m in sample.values()).most_common(1)[0][0]
    open_search(page, static_site, expect_results=False)
    rendered(page, lambda: page.select_option("#search-region", region))
    assert all_names(page) == names_matching(sample, region=region)
    n = len(names_matching(sample, region=region))
    assert status(page).startswith(f"{n} mentor")
    # Other facets count within the region; the region's own options keep their totals.
    sectors = option_counts(page, "sector")
    for code, count in sectors.items():
        assert count == len(names_matching(sample, region=region, sector=code)), code
    assert option_counts(page, "region")[region] == n
    other = next(r for r, c in option_counts(page, "region").items() if r != region and c)
    assert option_counts(page, "region")[other] == len(names_matching(sample, region=other))

    rendered(page, lambda: page.check("#search-accepting"))
    accepting = {m["name"] for m in sample.values() if m["region"] == region and m["accepting"]}
    assert all_names(page) == accepting
    assert page.locator("#search-accepting-count").inner_text() == f"({len(accepting)})"

    language = next(
        code for code, c in option_counts(page, "language").items() if code != "fr" and c
    )
    rendered(page, lambda: page.select_option("#search-language", language))
    expected = {
        m["name"]
        for m in sample.values()
        if m["region"] == region and m["accepting"] and language in m["languages"]
    }
    assert all_names(page) == expected
    state = params(page)
    assert state["region"] == [region] and state["langue"] == [language]
    assert state["accepte"] == ["oui"]
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert not any("/pagefind/" in url for url in loaded), (
        "a facet-only browse must not load Pagefind"
    )


def test_text_query_with_facets_counts_each_facet_without_itself(static_site, page, sample):
    open_search(page, static_site, query=f"q={BROAD}")
    total = len(all_names(page))
    regions = option_counts(page, "region")
    assert sum(regions.values()) == total  # one region per mentor
    region = max(regions, key=regions.get)
    rendered(page, lambda: page.select_option("#search-region", region))
    assert len(all_names(page)) == regions[region]
    assert option_counts(page, "region") == regions  # a facet is counted without itself
    assert sum(option_counts(page, "sector").values()) == regions[region]


# ---- URL state ---------------------------------------------------------------------------


def test_url_state_survives_reload_and_back(static_site, page, sample):
    region = Counter(m["region"] for m in sample.values()).most_common(1)[0][0]
    open_search(page, static_site, expect_results=False)
    type_query(page, BROAD)
    rendered(page, lambda: page.select_option("#search-region", region))
    with_region = shown_names(page)
    sector = next(code for code, c in option_counts(page, "sector").items() if c)
    rendered(page, lambda: page.select_option("#search-sector", sector))
    with_sector = shown_names(page)
    assert params(page) == {"q": [BROAD], "region": [region], "secteur": [sector]}

    page.reload()
    page.wait_for_function("window.__rendered === true")
    assert page.locator("#search-q").input_value() == BROAD
    assert page.locator("#search-sector").input_value() == sector
    assert shown_names(page) == with_sector

    rendered(page, lambda: page.go_back())
    assert page.locator("#search-sector").input_value() == ""
    assert page.locator("#search-region").input_value() == region
    assert shown_names(page) == with_region


def test_english_page_uses_english_parameter_names(static_site, page, sample):
    language = "en"
    open_search(page, static_site, "en", query=f"language={language}&accepting=yes")
    assert " mentors found." in status(page) or status(page).startswith("1 mentor found.")
    expected = {m["name"] for m in sample.values() if m["accepting"] and language in m["languages"]}
    assert all_names(page) == expected
    assert page.locator("#search-language").input_value() == language
    assert page.locator("#search-accepting").is_checked()
    type_query(page, "nurse")
    assert params(page) == {"q": ["nurse"], "language": ["en"], "accepting": ["yes"]}


# ---- when nothing matches, without JavaScript --------------------------------------------


def test_empty_result_explains_and_offers_a_way_out(static_site, page, sample):
    sector, region = next(
        (m["sector"], r["region"])
        for m in sample.values()
        for r in sample.values()
        if not names_matching(sample, sector=m["sector"], region=r["region"])
    )
    open_search(page, static_site, query=f"q={BROAD}&secteur={sector}&region={region}")
    empty = page.locator("#search-empty")
    assert empty.is_visible()
    assert status(page).startswith("0 mentor")
    assert page.locator("#search-mentors").is_hidden()
    assert empty.locator('a[href="/mentors/"]').is_visible()
    rendered(page, lambda: empty.locator("#search-clear").click())
    assert params(page) == {"q": [BROAD]}
    assert page.locator("#search-sector").input_value() == ""
    assert len(shown_names(page)) > 0
    assert empty.is_hidden()

    type_query(page, "zqxwvkj")
    assert empty.is_visible() and status(page).startswith("0 mentor")


def test_without_javascript_the_page_is_a_form_that_leads_to_results_and_listings(
    static_site, browser
):
    context = browser.new_context(java_script_enabled=False, locale="fr-CA")
    page = context.new_page()
    try:
        page.goto(static_site + SEARCH["fr"] + "?q=plombier")
        form = page.locator("#search-form")
        assert form.get_attribute("method") == "get"
        assert form.get_attribute("action") == "/api/recherche"  # the relay's results page
        assert page.locator(".search-noscript").is_visible()
        browse = page.locator(".search-browse")
        assert browse.is_visible()
        browse.locator("summary").first.click()
        link = browse.locator("details").first.locator("li a").first
        href = link.get_attribute("href")
        assert href.startswith("/secteurs/")
        link.click()
        page.wait_for_load_state()
        assert urlsplit(page.url).path == href
        assert page.locator("main a[href^='/mentors/']").count() >= 1
    finally:
        context.close()


# ---- keyboard and accessibility ----------------------------------------------------------


def test_keyboard_reaches_facets_and_results_with_visible_focus(static_site, page):
    open_search(page, static_site, expect_results=False)
    page.locator("#search-q").focus()
    rendered(page, lambda: page.keyboard.type(BROAD))
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => { const el = document.activeElement; const s = getComputedStyle(el);
            return {id: el.id, inResults: !!el.closest('#search-mentor-list'),
                    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }"""
        )
        reached.append(info)
        if info["inResults"]:
            break
    ids = [r["id"] for r in reached]
    assert {"search-sector", "search-region", "search-language", "search-accepting"} <= set(ids)
    assert reached[-1]["inResults"], f"Tab never reached a result: {ids}"
    assert all(r["outline"] for r in reached), reached
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/mentors/" in page.url


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_search_page_with_results_has_no_serious_accessibility_violation(
    static_site, page, axe, lang
):
    open_search(page, static_site, lang, query=f"q={BROAD}")
    assert page.locator("#search-mentor-list li").count() > 0
    live = page.locator("#search-status")
    assert live.get_attribute("role") == "status" and live.get_attribute("aria-live") == "polite"
    assert axe(page) == []


def test_a_link_with_an_unknown_value_searches_what_the_page_offers(static_site, page):
    open_search(page, static_site, query=f"q={BROAD}&secteur=astronaute&region=mars")
    assert page.locator("#search-sector").input_value() == ""
    assert params(page) == {"q": [BROAD]}
    assert len(shown_names(page)) > 0


# ---- honest counts, the language switch, the page without scripts ------------------------


def test_the_articles_count_is_what_the_list_shows(static_site, page):
    open_search(page, static_site, query="q=formation")
    found = int(status(page).split(" articles trouvés")[0].rsplit(" ", 1)[-1])
    articles = page.locator("#search-article-list li")
    more = page.locator("#search-more-articles")
    assert found > articles.count() >= 1, "the query finds more articles than the first batch"
    while more.is_visible():
        before = articles.count()
        more.click()
        page.wait_for_function(
            f"document.querySelectorAll('#search-article-list li').length > {before}"
        )
    assert articles.count() == found


def test_options_without_results_are_taken_out_of_the_lists(static_site, page, sample):
    open_search(page, static_site, query="q=infirmiere")
    for facet in ("sector", "region", "language"):
        options = page.locator(f"#search-{facet} option").evaluate_all(
            "os => os.filter(o => o.value).map(o => [o.textContent, o.hidden, o.disabled])"
        )
        empty = [o for o in options if o[0].endswith("(0)")]
        assert empty, f"some {facet} has no nurse"
        assert all(hidden and disabled for _, hidden, disabled in empty), empty
        assert all(not hidden for text, hidden, _ in options if not text.endswith("(0)"))


def test_the_language_switch_keeps_the_query_and_filters(static_site, page, sample):
    open_search(page, static_site, query="q=infirmi%C3%A8re&secteur=soins-infirmiers&accepte=oui")
    switch = page.locator(".lang-switch")
    assert switch.get_attribute("href") == (
        "/en/search/?q=infirmi%C3%A8re&sector=soins-infirmiers&accepting=yes"
    )
    names = set(shown_names(page))
    rendered(page, lambda: page.locator("#search-sector").select_option(""))
    assert switch.get_attribute("href") == "/en/search/?q=infirmi%C3%A8re&accepting=yes"
    rendered(page, lambda: page.locator("#search-sector").select_option("soins-infirmiers"))
    page.add_init_script(FLAG)
    switch.click()
    page.wait_for_function("window.__rendered === true")
    assert page.locator("#search-q").input_value() == "infirmière"
    assert page.locator("#search-sector").input_value() == "soins-infirmiers"
    # The English page searches the English texts: a nurse whose profile is translated
    # is no longer found by the French word, the French-only one still is.
    assert shown_names(page) and set(shown_names(page)) <= names


def test_without_javascript_the_page_says_what_it_can_do(static_site, browser):
    context = browser.new_context(java_script_enabled=False, locale="fr-CA")
    page = context.new_page()
    try:
        page.goto(static_site + SEARCH["fr"] + "?q=plombier&secteur=plomberie-chauffage")
        notice = page.locator(".search-noscript")
        assert "la recherche ouvre une page de résultats plus simple" in notice.inner_text()
        assert "par secteur, par région ou par langue parlée" in notice.inner_text()
        # The filters go with the words to the relay's results page.
        assert page.locator("#search-facets").is_visible()
        groups = page.locator(".search-browse details")
        assert groups.count() == 3
    finally:
        context.close()


def _republish(site: Path) -> None:
    """Publish the index again as a new build would: every fragment under a new name."""
    from site_search import pagefind_compact

    entry_path = site / "pagefind" / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text("utf-8"))
    for info in entry["languages"].values():
        info["hash"] = pagefind_compact.compact(site / "pagefind", info["hash"])
    entry_path.write_text(json.dumps(entry), "utf-8")


def test_a_search_after_the_index_was_republished_loads_the_new_one(
    built_site, page, sample, tmp_path
):
    """A page opened before a deploy holds the old index's table, whose fragments are gone:
    the search loads the new index once and answers, rather than failing; so does "more"."""
    import shutil

    from site_search.serve import StaticServer

    names = [m["name"] for m in sample.values() if m["lang"] == "fr"]
    first = names[0]
    second = next(n for n in names[1:] if not set(n.split()) & set(first.split()))
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    with StaticServer(site) as server:
        open_search(page, server.url, query=f"q={first}")
        assert first in shown_names(page)
        _republish(site)
        type_query(page, second)
        assert second in shown_names(page), status(page)

        type_query(page, BROAD)
        shown = len(shown_names(page))
        assert page.locator("#search-more").is_visible()
        _republish(site)
        page.locator("#search-more").click()
        page.wait_for_function(
            f"document.querySelectorAll('#search-mentor-list li').length > {shown}"
        )


# ---- a query within its budget of index bytes (site_search.query_costs) -------------------

LEFT_OUT = """window.__leftOut = null;
document.addEventListener('search-results', (e) => {
  window.__leftOut = e.detail.leftOut;
}, true);"""


def _strict_chunk(chunks: list, term: str) -> int:
    """The chunk Pagefind loads for a query word that falls in a range (request_indexes)."""
    return next(i for i, (start, end, _) in enumerate(chunks) if start <= term <= end)


def _three_words(records: Path, chunks: list) -> list[str]:
    """Three words of one French profile, each in a chunk of its own, the last the costliest;
    words no ending rule of search.js trims, so the page looks each up as it is."""
    import re

    for path in sorted((records / "fr").rglob("mentors/*.html")):
        text = re.sub(r"<[^>]+>", " ", path.read_text("utf-8"))
        words = {fold(w) for w in re.findall(r"\w+", text) if w.isalpha() and len(w) >= 4}
        words = sorted(w for w in words if w.isascii() and w[-1] not in "sxe")
        by_chunk = {_strict_chunk(chunks, w): w for w in words}
        picked = sorted(by_chunk.items(), key=lambda item: chunks[item[0]][2])
        if len(picked) >= 3 and chunks[picked[-1][0]][2] > chunks[picked[-2][0]][2]:
            return [picked[0][1], picked[-2][1], picked[-1][1]]
    raise AssertionError("no French profile has three words in chunks of different costs")


def test_a_query_beyond_its_budget_runs_without_its_costliest_words_and_says_so(
    built_site, page, tmp_path, monkeypatch
):
    import shutil

    from mentors.build import cache_dir
    from site_search import pagefind_compact, query_costs
    from site_search.pagefind_index import index_records
    from site_search.pages import records_dir
    from site_search.serve import StaticServer

    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    records = records_dir({"BUILD_CACHE_PATH": str(cache_dir(built_site))})
    monkeypatch.setattr(pagefind_compact, "CHUNK_BYTES", 300)  # many small chunks
    index_records(records, site)
    bundle = site / "pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    table = pagefind_compact.read_table(
        bundle / f"pagefind.{entry['languages']['fr']['hash']}.pf_meta"
    )
    costs = json.loads((bundle / "query-costs.fr.json").read_text("utf-8"))
    cheap, middle, dear = _three_words(records, costs["chunks"])
    names = {w: table[2][_strict_chunk(costs["chunks"], w)][2] for w in (cheap, middle, dear)}
    # Room for the article filter and the two cheaper words' chunks, not for the third.
    request = costs["request"]
    room = costs["filters"]["type"] + request
    room += sum(
        costs["chunks"][_strict_chunk(costs["chunks"], w)][2] + request for w in (cheap, middle)
    )
    monkeypatch.setattr(query_costs, "QUERY_INDEX_BYTES", room)
    query_costs.write_costs(bundle, "fr", table)

    def search(query: str) -> tuple[list[str], set[str], str, list[str]]:
        fetched = []
        page.on("request", lambda r: fetched.append(r.url) if r.url.endswith(".pf_index") else None)
        page.add_init_script(LEFT_OUT)
        open_search(page, server.url, query=f"q={query}")
        chunks = {url.rsplit("/", 1)[1].removesuffix(".pf_index") for url in fetched}
        return page.evaluate("window.__leftOut"), chunks, status(page), sorted(all_names(page))

    with StaticServer(site) as server:
        left, chunks, said, found = search(f"{dear} {cheap} {middle}")
        assert left == [dear]
        assert chunks == {names[cheap], names[middle]}  # the costliest word's chunk never came
        assert f"«\u00a0{dear}\u00a0»" in said and "retire un autre mot" in said, said
        left, chunks, said, alone = search(f"{cheap} {middle}")
        assert left == [] and found == alone and found, said
        # A quoted phrase keeps its first words: what is left of it is still a phrase.
        left, chunks, said, _ = search(f'"{dear} {cheap} {middle}"')
        assert left == [cheap, middle] and chunks == {names[dear]}
        assert f"«\u00a0{cheap}\u00a0» et «\u00a0{middle}\u00a0»" in said, said
        assert "retire d’autres mots pour les inclure" in said, said


def test_a_query_narrowed_by_a_value_loads_its_filter_and_counts_load_each_facets_one(
    static_site, page, sample
):
    """Narrowing waits for the chosen value's filter only; the counts then load one filter
    a facet (every value's pages), not the filter of every value (dozens)."""
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if r.url.endswith(".pf_filter") else None)
    region = Counter(m["region"] for m in sample.values()).most_common(1)[0][0]
    open_search(page, static_site, query=f"q={BROAD}&region={region}")
    assert len(set(fetched)) == 1 + 1 + 4, fetched  # the articles', the region's, 4 facets'
    counts = option_counts(page, "region")
    assert counts[region] == len(names_matching(sample, region=region) & set(all_names(page)))


def test_a_query_within_its_budget_keeps_every_word(static_site, page):
    page.add_init_script(LEFT_OUT)
    open_search(page, static_site, query="q=cegep+sciences+humaines+universite+montreal")
    assert page.evaluate("window.__leftOut") == []
    assert "retire" not in status(page)
