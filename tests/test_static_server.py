"""The static server of the browser tests and the search bench: compression as a host does."""

from __future__ import annotations

import gzip
import urllib.request
from pathlib import Path

from site_search.serve import StaticServer


def fetch(url: str, accept: str) -> tuple[bytes, str | None]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": accept})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read(), response.headers.get("Content-Encoding")


def test_a_brotli_copy_goes_to_browsers_that_take_it_and_the_file_to_others(tmp_path: Path):
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "fr_1.pf_index").write_bytes(b"gzip form")
    (tmp_path / "index" / "fr_1.pf_index.br").write_bytes(b"brotli form")
    (tmp_path / "page.html").write_text("<h1>Bonjour</h1>", encoding="utf-8")
    with StaticServer(tmp_path) as server:
        chunk = f"{server.url}/index/fr_1.pf_index"
        assert fetch(chunk, "gzip, deflate, br, zstd") == (b"brotli form", "br")
        assert fetch(chunk, "br;q=1.0") == (b"brotli form", "br")
        assert fetch(chunk, "gzip, deflate") == (b"gzip form", None)
        assert fetch(chunk, "") == (b"gzip form", None)
        body, coding = fetch(f"{server.url}/page.html", "gzip, br")  # no copy: gzip
        assert (gzip.decompress(body), coding) == (b"<h1>Bonjour</h1>", "gzip")
        assert fetch(f"{server.url}/page.html", "identity") == (b"<h1>Bonjour</h1>", None)
