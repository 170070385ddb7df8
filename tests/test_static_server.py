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


def test_a_browser_that_goes_away_mid_download_is_no_error(tmp_path: Path, capfd):
    """A page closed or left while a file is on its way (browser tests do it all the time)
    is what clients do; the server goes on serving and prints nothing."""
    import socket
    import struct

    (tmp_path / "big.bin").write_bytes(bytes(32 * 1024 * 1024))
    (tmp_path / "page.html").write_text("<h1>Bonjour</h1>", encoding="utf-8")
    with StaticServer(tmp_path) as server:
        port = int(server.url.rsplit(":", 1)[1])
        for _ in range(3):
            client = socket.create_connection(("127.0.0.1", port), timeout=10)
            client.sendall(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
            client.recv(1024)  # the download has begun
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()  # a reset, as a closed tab gives
        assert fetch(f"{server.url}/page.html", "identity") == (b"<h1>Bonjour</h1>", None)
    assert "Exception occurred" not in capfd.readouterr().err
