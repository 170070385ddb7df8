"""Search figures: Pagefind indexing time and size, and what a browser downloads.

For generated corpora of 1,000 and 10,000 mentors: build the site, time
Pagefind alone over the built output, measure the index on disk, then serve
the site with gzip (as a static host would) and drive Chromium through
Playwright, counting the bytes of every response before the first results of a
text query (several, each the first of a fresh page; some after facets were chosen)
and of a facet-only browse, and the time from the last keystroke to results on
screen; and, from the built index, the most any first query can download
(`any_query_bound`). Targets for 10,000 mentors: ≤ 150 KB for the first text
query (the bound, and the most of those measured), < 100 KB for a facet-only
browse, < 300 ms from the last keystroke.

    python -m bench.search            # 1,000 and 10,000
    python -m bench.search 500        # other sizes
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

from bench import corpus

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1000, 10000)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
TEXT_QUERIES = ("infirmiere", "electricienne")
# More first queries, each on a fresh page: jobs, words of most profiles (their index
# entries are the biggest), and queries of several words (one index chunk a word).
COLD_QUERIES = ("cegep", "travail", "etudes", "genie civil", "infirmiere montreal")
COLD_QUERIES += ("developpeuse logiciel laval", "soudeur")
# Words each in most profiles, among the index's five biggest entries: each word of a
# query brings its whole page list. Three fit the search's budget together; of all five,
# the page leaves out the costliest (site_search.query_costs). Then a long question.
COLD_QUERIES += ("cegep etudes travail", "cegep etudes dec travail universite")
COLD_QUERIES += ("comment devenir infirmiere auxiliaire apres mon dec en sciences humaines",)
# First queries with facets chosen before them (the French page's parameters): their
# values' filters come out of the query's budget.
FACETED = (
    ("one facet", "secteur=soins-infirmiers", "cegep etudes travail"),
    ("two facets", "secteur=soins-infirmiers&region=montreal", "cegep etudes travail"),
    ("four facets", "secteur=soins-infirmiers&region=montreal&langue=en&accepte=oui", "travail"),
)
BROWSES = (
    ("a sector", {"sector": "soins-infirmiers"}),
    ("a rare region + accepting", {"region": "nord-du-quebec", "accepting": True}),
    ("a language + Montréal", {"language": "es", "region": "montreal"}),
)
TARGETS = {"text_kb": 150, "browse_kb": 100, "latency_ms": 300}
PAGE_SHOWN, ARTICLES_SHOWN = 10, 5  # results whose fragments a search loads (search.js)
REPORTS_MS = 500


def _ensure_plugins_on_path() -> None:
    for extra in ("plugins", "functions"):
        path = str(ROOT / extra)
        if path not in sys.path:
            sys.path.insert(0, path)


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# What a file of Pagefind's bundle is, by its name (the rest: "other").
KINDS = (
    ("wasm", ".pagefind"),
    ("page table", ".pf_meta"),
    ("index", ".pf_index"),
    ("filter", ".pf_filter"),
    ("fragment", ".pf_fragment"),
    ("js", ".js"),
    ("entry", "pagefind-entry.json"),
    ("costs", ".json"),  # what each query word costs (under pagefind/ only, `kind_of`)
)


def kind_of(url: str) -> str:
    path = url.split("?", 1)[0]
    if "/pagefind/" not in path:
        return "other"
    return next((kind for kind, end in KINDS if path.endswith(end)), "other")


class Traffic:
    """Every response the page (and Pagefind's worker) received: when it ended, its bytes.

    Bytes are the encoded body plus headers, as they crossed the wire. Pagefind
    fetches from a web worker, so the page's own Resource Timing misses them;
    Playwright sees both.
    """

    def __init__(self, page):
        self.rows: list[tuple[float, int, bool, str]] = []
        page.on("requestfinished", self._finished)

    def _finished(self, request) -> None:
        try:
            sizes = request.sizes()
        except PlaywrightError:  # a photo still arriving when the page closed
            return
        timing = request.timing
        ended = timing["startTime"] + max(timing["responseEnd"], 0)
        body = sizes["responseBodySize"]
        if body == 0:  # Playwright says 0 for a worker's own script: its header tells
            response = request.response()
            body = int(response.headers.get("content-length", 0)) if response else 0
        size = body + sizes["responseHeadersSize"]
        self.rows.append((ended, size, request.resource_type == "image", request.url))

    def reset(self) -> None:
        self.rows = []

    def until(self, epoch_ms: float, page=None) -> dict:
        """Bytes and requests that ended by `epoch_ms` (photos apart), and bytes by kind.

        Given the `page`, first a moment for the browser's reports of requests that
        ended before `epoch_ms` to arrive: one can come after the page used its data.
        """
        if page is not None:
            page.wait_for_timeout(REPORTS_MS)
        done = [row for row in self.rows if row[0] <= epoch_ms]
        kinds: dict[str, int] = {}
        for _, size, image, url in done:
            if not image:
                kinds[kind_of(url)] = kinds.get(kind_of(url), 0) + size
        return {
            "bytes": sum(size for _, size, image, _ in done if not image),
            "requests": sum(1 for _, _, image, _ in done if not image),
            "photos": sum(size for _, size, image, _ in done if image),
            "kinds": kinds,
        }

    def fetched(self, fragment: str) -> bool:
        return any(fragment in url for *_, url in self.rows)


ARM = """() => new Promise((resolve) => {
  const root = document.getElementById("search");
  window.__rendered = null;
  root.addEventListener("search-results", (e) => {
    window.__rendered = {at: performance.now(), epoch: performance.timeOrigin + performance.now(),
                         total: e.detail.total, query: e.detail.query,
                         leftOut: e.detail.leftOut || []};
  });
  root.addEventListener("search-rendered", (e) => { window.__settled = e.detail.query; });
  document.getElementById("search-q").addEventListener("input", () => {
    window.__lastInput = performance.now();
  });
  resolve();
})"""


def _open(browser, url: str):
    context = browser.new_context(locale="fr-CA")
    page = context.new_page()
    traffic = Traffic(page)
    page.goto(url, wait_until="load")
    page.wait_for_selector("#search.search-ready")
    page.wait_for_load_state("networkidle")
    page.evaluate(ARM)
    return context, page, traffic


def _wait_rendered(page, query: str = "") -> dict:
    """The render of `query` (renders of what was typed before it do not count)."""
    page.wait_for_function(
        "q => window.__rendered !== null && window.__rendered.query === q", arg=query, timeout=60000
    )
    return page.evaluate("window.__rendered")


def _search(page, traffic, query: str, typed: bool = False) -> dict:
    """`query` entered in the search box, pasted (one input event) or typed 60 ms a key;
    its results once shown. The traffic is counted from here."""
    traffic.reset()
    page.evaluate("window.__rendered = null")
    if typed:
        page.fill("#search-q", "")
        page.keyboard.type(query, delay=60)
    else:
        page.focus("#search-q")
        page.fill("#search-q", query)
    return _wait_rendered(page, query)


def measure_text(browser, url: str) -> list[dict]:
    """Cold (first query on a fresh page) then warm (a second query) text searches.

    The cold query counts all Pagefind downloads from the focus on the box (which
    starts loading Pagefind) to its results, and is entered in one input event (a
    paste): typed, a slow machine runs a search between two keys, and what loads
    after those first results (the filters) would be counted against the query.
    The warm query is typed, 60 ms a key.
    """
    context, page, traffic = _open(browser, url)
    page_bytes = traffic.until(float("inf"))["bytes"]
    rows = []
    try:
        for i, query in enumerate(TEXT_QUERIES):
            rendered = _search(page, traffic, query, typed=i > 0)
            # Its facet counts too (the filters load after the first results): the next
            # query's bytes are its own.
            page.wait_for_function("q => window.__settled === q", arg=query, timeout=60000)
            latency = rendered["at"] - page.evaluate("window.__lastInput")
            before = traffic.until(rendered["epoch"], page)
            rows.append(
                {"query": query, "results": rendered["total"], "latency_ms": latency}
                | before
                | {"page_bytes": page_bytes}
            )
    finally:
        context.close()
    return rows


def measure_cold(browser, url: str, queries=COLD_QUERIES) -> list[dict]:
    """Each query as the first of a fresh page, counted as the cold query of `measure_text`."""
    rows = []
    for query in queries:
        context, page, traffic = _open(browser, url)
        try:
            rendered = _search(page, traffic, query)
            rows.append(
                {"query": query, "results": rendered["total"], "left_out": rendered["leftOut"]}
                | traffic.until(rendered["epoch"], page)
            )
        finally:
            context.close()
    return rows


def measure_browse(browser, url: str) -> list[dict]:
    """Facet-only browses, each on a fresh page: no Pagefind, the facet file and card pages."""
    rows = []
    for label, choice in BROWSES:
        context, page, traffic = _open(browser, url)
        try:
            traffic.reset()
            for facet in ("sector", "region", "language"):
                if facet in choice:
                    page.evaluate("window.__rendered = null")
                    page.select_option(f"#search-{facet}", choice[facet])
                    rendered = _wait_rendered(page)
            if choice.get("accepting"):
                page.evaluate("window.__rendered = null")
                page.check("#search-accepting")
                rendered = _wait_rendered(page)
            page.wait_for_load_state("networkidle")
            rows.append(
                {"browse": label, "results": rendered["total"]}
                | traffic.until(rendered["epoch"], page)
                | {"pagefind_loaded": traffic.fetched("/pagefind/")}
            )
        finally:
            context.close()
    return rows


FIXED_KINDS = ("wasm", "js", "page table", "entry", "costs")  # in every first query


SEARCH_FACETS = ("sector", "region", "language", "accepting")  # search.js's FACETS


def any_query_bound(output: Path, cold: list[dict], lang: str = "fr") -> dict:
    """The most a first query can download, whatever is typed and whichever facets are
    chosen: what every first query loads (measured), the index and filters the search
    page allows a query (site_search.query_costs; the filters and one word are always
    kept), and the fragments of the biggest first results it shows."""
    import gzip
    import json

    from site_search.pagefind_compact import SIGNATURE, read_table
    from site_search.records import facet_value

    fixed = max(sum(row["kinds"].get(kind, 0) for kind in FIXED_KINDS) for row in cold)
    bundle = output / "pagefind"
    costs = json.loads((bundle / f"query-costs.{lang}.json").read_text("utf-8"))
    listed, request = costs["filters"], costs["request"]
    filters = listed["type"] + request
    for facet in SEARCH_FACETS:  # its costliest value
        prefix = facet_value(facet, "")
        values = [size for name, size in listed.items() if name.startswith(prefix)]
        filters += max([*values, costs["filter"]]) + request
    one_word = max(size for *_, size in costs["chunks"]) + request
    index = max(costs["budget"], filters + one_word)
    entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    table = read_table(bundle / f"pagefind.{entry['languages'][lang]['hash']}.pf_meta")
    sizes: dict[bool, list[int]] = {True: [], False: []}  # article or not: fragment sizes
    for name, _ in table[1]:
        path = bundle / "fragment" / f"{name}.pf_fragment"
        data = path.read_bytes()
        fragment = json.loads(gzip.decompress(data)[len(SIGNATURE) :])
        article = fragment.get("filters", {}).get("type") == ["article"]
        sizes[article].append(len(data) + costs["request"])
    shown = sorted(sizes[False])[-PAGE_SHOWN:] + sorted(sizes[True])[-ARTICLES_SHOWN:]
    return {"fixed": fixed, "index": index, "fragments": sum(shown), "filters": filters}


def bench_size(n: int, browser, workdir: Path) -> dict:
    _ensure_plugins_on_path()
    from mentors.build import build_site, cache_dir
    from site_search.pagefind_index import index_records, indexed_pages
    from site_search.pages import records_dir
    from site_search.serve import StaticServer

    content, output = workdir / "content", workdir / "output"
    corpus.generate(n, content)
    start = time.perf_counter()
    if not build_site(ROOT / "pelicanconf.py", output, content_dir=content):
        raise RuntimeError(f"the {n}-mentor corpus did not build")
    build_s = time.perf_counter() - start

    shutil.rmtree(output / "pagefind")
    start = time.perf_counter()
    stats = index_records(records_dir({"BUILD_CACHE_PATH": str(cache_dir(output))}), output)
    index_s = time.perf_counter() - start
    pages = indexed_pages(output)
    bundle = output / "pagefind"
    index_data = sum(folder_bytes(bundle / d) for d in ("index", "fragment", "filter"))
    index_data += sum(p.stat().st_size for p in bundle.glob("*.pf_meta"))

    with StaticServer(output) as server:
        fr = f"{server.url}/recherche/"
        text = measure_text(browser, fr)
        cold = measure_cold(browser, fr)
        browse = measure_browse(browser, fr)
        faceted = [
            {"facets": label} | measure_cold(browser, f"{fr}?{params}", (query,))[0]
            for label, params, query in FACETED
        ]
    return {
        "faceted": faceted,
        "bound": any_query_bound(output, cold),
        "n": n,
        "build_s": build_s,
        "index_s": index_s,
        "pages": " + ".join(f"{n} {lang}" for lang, n in sorted(pages.items())),
        "bundle_bytes": stats.bytes,
        "index_bytes": index_data,
        "facet_bytes": folder_bytes(output / "search-data"),
        "text": text,
        "cold": cold,
        "browse": browse,
    }


def _left_out(row: dict) -> str:
    return f", left out: {' '.join(row['left_out'])}" if row["left_out"] else ""


def report(result: dict) -> None:
    kb = 1024
    n = result["n"]
    print(f"-- {n} mentors --")
    print(f"site build (whole pipeline)     {result['build_s']:8.1f} s")
    print(
        f"Pagefind indexing alone         {result['index_s']:8.2f} s  "
        f"(pages indexed: {result['pages']})"
    )
    print(f"pagefind/ on disk               {result['bundle_bytes'] / kb:8.0f} KB")
    print(f"  of which index data           {result['index_bytes'] / kb:8.0f} KB")
    print(f"search-data/ (facets + cards)   {result['facet_bytes'] / kb:8.0f} KB")
    for i, row in enumerate(result["text"]):
        state = "cold" if i == 0 else "warm"
        print(
            f"text '{row['query']}' ({state}): {row['results']} results, "
            f"{row['bytes'] / kb:.0f} KB in {row['requests']} requests before results "
            f"(+{row['photos'] / kb:.0f} KB photos), {row['latency_ms']:.0f} ms after last key"
        )
        kinds = sorted(row["kinds"].items(), key=lambda item: -item[1])
        print("    by kind: " + ", ".join(f"{kind} {size / kb:.1f} KB" for kind, size in kinds))
    for row in result["cold"]:
        kinds = ", ".join(f"{k} {v / kb:.1f}" for k, v in sorted(row["kinds"].items()))
        print(
            f"first query '{row['query']}': {row['results']} results{_left_out(row)}, "
            f"{row['bytes'] / kb:.0f} KB in {row['requests']} requests ({kinds})"
        )
    for row in result["faceted"]:
        print(
            f"first query '{row['query']}' after {row['facets']}: "
            f"{row['results']} results{_left_out(row)}, "
            f"{row['bytes'] / kb:.0f} KB (filters {row['kinds'].get('filter', 0) / kb:.1f}, "
            f"index {row['kinds'].get('index', 0) / kb:.1f})"
        )
    bound = result["bound"]
    most = bound["fixed"] + bound["index"] + bound["fragments"]
    print(
        f"any first query, at most        {most / kb:8.0f} KB "
        f"(fixed {bound['fixed'] / kb:.1f}, index and filters allowed {bound['index'] / kb:.1f} "
        f"(the costliest four facets' filters {bound['filters'] / kb:.1f}), "
        f"biggest first results {bound['fragments'] / kb:.1f})"
    )
    print(f"search page itself              {result['text'][0]['page_bytes'] / kb:8.0f} KB")
    for row in result["browse"]:
        print(
            f"browse {row['browse']}: {row['results']} results, {row['bytes'] / kb:.0f} KB "
            f"in {row['requests']} requests (+{row['photos'] / kb:.0f} KB photos), "
            f"Pagefind loaded: {row['pagefind_loaded']}"
        )
    if n >= 10000:
        rows = result["text"][:1] + result["cold"] + result["faceted"]
        measured = max(row["bytes"] for row in rows)
        text_kb = max(measured, most) / kb
        browse_kb = max(row["bytes"] for row in result["browse"]) / kb
        latency = max(row["latency_ms"] for row in result["text"])
        print(
            f"targets: first text query (any text and facets; the most of "
            f"{len(rows)} measured "
            f"{measured / kb:.0f} KB) "
            f"{text_kb:.0f}/{TARGETS['text_kb']} KB, "
            f"browse {browse_kb:.0f}/{TARGETS['browse_kb']} KB, "
            f"latency {latency:.0f}/{TARGETS['latency_ms']} ms"
        )


def run(sizes: tuple[int, ...] = SIZES) -> list[dict]:
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        from ops.browser import HOW_TO_INSTALL, find_chromium

        chromium = find_chromium()
        if chromium is None:
            raise SystemExit(HOW_TO_INSTALL)
        browser = pw.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        try:
            for n in sizes:
                with tempfile.TemporaryDirectory(prefix=f"bench-search-{n}-") as tmp:
                    result = bench_size(n, browser, Path(tmp))
                report(result)
                results.append(result)
        finally:
            browser.close()
    return results


if __name__ == "__main__":
    run(tuple(int(arg) for arg in sys.argv[1:]) or SIZES)
