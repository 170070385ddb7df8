"""A static file server for the built site that compresses like a real static host.

Browser tests and the search benchmark need the site over HTTP (Pagefind fetches
its index), and byte counts only mean something with compression as a host
would serve it: text gzipped on the fly; a file with a brotli copy beside it
(`site_search.brotli_copies`) sent as that copy to a browser that takes brotli,
as it is to others. Binds to loopback only.
"""

from __future__ import annotations

import functools
import gzip
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from .brotli_copies import copy_of

COMPRESSIBLE = {".html", ".js", ".mjs", ".css", ".json", ".xml", ".svg", ".txt"}


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".wasm": "application/wasm",
    }

    def log_message(self, format, *args):  # noqa: A002 - quiet: tests and benchmarks
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not urlsplit(self.path).path.endswith("/"):
                return super().send_head()  # the base class redirects to the slash URL
            path = path / "index.html"
        accepted = {
            coding.split(";")[0].strip()
            for coding in self.headers.get("Accept-Encoding", "").split(",")
        }
        if "br" in accepted and copy_of(path).is_file() and path.is_file():
            body, coding = copy_of(path).read_bytes(), "br"
        elif "gzip" in accepted and path.suffix in COMPRESSIBLE and path.is_file():
            body, coding = gzip.compress(path.read_bytes(), compresslevel=6), "gzip"
        else:
            return super().send_head()
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", coding)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return BytesIO(body)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A browser that went away mid-download (a page closed or left) is what clients
        do, not a fault: only other errors are printed."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class StaticServer:
    """Serve `root` on 127.0.0.1 (a free port unless given) in a background thread."""

    def __init__(self, root: Path, port: int = 0):
        handler = functools.partial(_Handler, directory=str(root))
        self.httpd = _Server(("127.0.0.1", port), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> StaticServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
