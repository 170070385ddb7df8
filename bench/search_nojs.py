"""Figures of the search without JavaScript: the relay's search data and its results page.

For generated corpora of 1,000 and 10,000 mentors: build the site, then measure
the size of `relay/search-<lang>.json`, the time and memory (tracemalloc peak)
of loading one language's file (what the first search of a warm Lambda pays),
and the time of the results page through the relay's resolver, from request
to HTML, for text queries, filter-only browses and both.

    python -m bench.search_nojs            # 1,000 and 10,000
    python -m bench.search_nojs 500        # other sizes
"""

from __future__ import annotations

import json
import secrets
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlencode

from bench import corpus

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1000, 10000)
QUERIES = (
    {"q": "infirmiere"},
    {"q": "génie civil"},
    {"q": "electricienne", "region": "montreal"},
    {"q": "a"},  # a one-letter word is not searched: an empty result
    {"secteur": "soins-infirmiers", "accepte": "oui"},
    {"q": "zqxwvkj"},
)
ROUNDS = 5


def _ensure_paths() -> None:
    for extra in ("plugins", "functions"):
        path = str(ROOT / extra)
        if path not in sys.path:
            sys.path.insert(0, path)


def bench_size(n: int, workdir: Path) -> dict:
    _ensure_paths()
    from mentors.build import build_site
    from relay import container
    from relay.config import Settings
    from relay.devserver import RelayWSGI
    from relay.search_data import SearchData

    content, output = workdir / "content", workdir / "output"
    corpus.generate(n, content)
    if not build_site(ROOT / "pelicanconf.py", output, content_dir=content):
        raise RuntimeError(f"the {n}-mentor corpus did not build")
    data_file = output / "relay" / "search-fr.json"
    size = data_file.stat().st_size

    start = time.perf_counter()
    SearchData.parse(json.loads(data_file.read_text("utf-8")))
    load_ms = (time.perf_counter() - start) * 1000
    tracemalloc.start()  # a second load, traced (tracing slows it down)
    kept = SearchData.parse(json.loads(data_file.read_text("utf-8")))
    peak, held = tracemalloc.get_traced_memory()[1], tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept

    settings = Settings(
        data_dir=workdir / "var", store="sqlite", table="", mailer="outbox",
        sender="Passerelle <relais@passerelle.example.org>", site_url="http://127.0.0.1:8000",
        manifest=str(output / "relay" / "mentors.json"), secret=secrets.token_urlsafe(16),
        moderator_tokens="",
    )  # fmt: skip
    (workdir / "var").mkdir()
    relay = container.build(settings)
    timings: dict[str, list[float]] = {}
    try:
        for round_ in range(ROUNDS + 1):
            for params in QUERIES:
                environ = {"REQUEST_METHOD": "GET", "QUERY_STRING": urlencode(params),
                           "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000"}  # fmt: skip
                start = time.perf_counter()
                result = relay.resolve(RelayWSGI.event(environ, "/api/recherche", b""), None)
                took = (time.perf_counter() - start) * 1000
                assert result["statusCode"] == 200, result
                if round_:  # the first round loads the data
                    timings.setdefault(urlencode(params), []).append(took)
    finally:
        relay.close()
    return {"n": n, "bytes": size, "load_ms": load_ms, "load_peak": peak, "held": held,
            "timings": timings}  # fmt: skip


def report(result: dict) -> None:
    print(
        f"{result['n']:>6} mentors: search-fr.json {result['bytes'] / 1024:,.0f} KiB; "
        f"load {result['load_ms']:,.0f} ms, {result['load_peak'] / 2**20:,.1f} MiB peak, "
        f"{result['held'] / 2**20:,.1f} MiB kept"
    )
    for query, times in result["timings"].items():
        print(f"         page ?{query}: median {statistics.median(times):,.1f} ms, "
              f"max {max(times):,.1f} ms")  # fmt: skip


def run(sizes: tuple[int, ...] = SIZES) -> list[dict]:
    results = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench-search-nojs-{n}-") as tmp:
            result = bench_size(n, Path(tmp))
        report(result)
        results.append(result)
    return results


if __name__ == "__main__":
    run(tuple(int(arg) for arg in sys.argv[1:]) or SIZES)
