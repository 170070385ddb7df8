"""`make serve`: the built site and the relay locally (granian, a few worker processes).

Static files come from the site folder; /api/* requests become API Gateway
HTTP API (v2) events for the very resolver Lambda runs, so local behaviour is
production behaviour. Storage: SQLite and an outbox folder of .eml files.
granian (a compiled HTTP server) holds the connections and parses HTTP;
`PASSERELLE_WORKERS` processes (default: one per CPU) share the port
(SO_REUSEPORT), each with its own relay from the container and a resolver per
thread (no lock around a request). The main process starts and stops them and
runs the maintenance loop (sends the outbox, closes, purges).
"""

from __future__ import annotations

import atexit
import base64
import http.client
import mimetypes
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
import uuid
from dataclasses import replace
from functools import partial
from pathlib import Path
from urllib.parse import parse_qs, unquote

from . import container
from .api import security
from .api.forms import MAX_BODY
from .aws.local import check_demo_target, explain, local_endpoint
from .config import Settings, local_secret
from .domain import MentorContact, NotFound

STATUS_TEXT = {
    200: "OK", 202: "Accepted", 204: "No Content", 303: "See Other", 304: "Not Modified",
    400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    409: "Conflict", 410: "Gone", 413: "Payload Too Large", 415: "Unsupported Media Type",
    422: "Unprocessable Content", 429: "Too Many Requests", 500: "Internal Server Error",
}  # fmt: skip


def demo_email(slug: str) -> str:
    """Invented address for the demo (example.org never delivers mail)."""
    return f"{slug}@example.org"


def local_settings(site_dir: Path, host: str, port: int, env=None) -> Settings:
    """Environment first; sensible local defaults for what is missing."""
    defaults = {
        "PASSERELLE_MANIFEST": str(Path(site_dir) / "relay" / "mentors.json"),
        "PASSERELLE_SITE_URL": f"http://{host}:{port}",
    }
    source = dict(os.environ if env is None else env)
    if local_endpoint(source):  # DynamoDB/SES on a local moto: the local secret will do
        data_dir = Path(source.get("PASSERELLE_DATA_DIR", "var"))
        defaults["PASSERELLE_SECRET"] = local_secret(data_dir)
    # No PASSERELLE_SECRET on SQLite: a random one kept in the data dir.
    return container.settings_from_env(source, **defaults)


def seed_demo_contacts(relay) -> int:
    """Give every mentor of the manifest an invented contact, if none is set yet."""
    added = 0
    for slug in relay.manifest.get().mentors:
        try:
            relay.store.get_mentor_contact(slug)
        except NotFound:
            relay.store.set_mentor_contact(MentorContact(slug=slug, email=demo_email(slug)))
            added += 1
    return added


#: Python threads per worker process. Few: requests are CPU-bound under one GIL, and every
#: extra thread adds lock convoys (a thread that released the GIL inside SQLite waits for it).
#: Connections are held by granian's Rust side, not by these threads.
THREADS = 1
BACKPRESSURE = 64  # requests a worker takes in at once; more wait in the kernel's queue


class RelayWSGI:
    """WSGI app: /api/* through the resolver, everything else from the site folder."""

    def __init__(self, site_dir: Path, relay):
        self.site_dir = Path(site_dir).resolve()
        self.relay = relay  # relay.resolve uses this thread's own resolver: no lock

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "/") or "/"
        if path == "/api" or path.startswith("/api/"):
            status, headers, body = self.api(environ, path)
        else:
            status, headers, body = self.static(environ, path)
        headers.append(("Content-Length", str(len(body))))
        start_response(f"{status} {STATUS_TEXT.get(status, 'Status')}", headers)
        return [body] if environ.get("REQUEST_METHOD") != "HEAD" else [b""]

    # --- /api/* -----------------------------------------------------------------------------

    def api(self, environ, path: str):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY * 4:  # do not even read it; the resolver would refuse it too
            kind = "application/json"
            extra = security.headers(self.relay.settings, kind, "").items()
            return 413, [("Content-Type", kind), *extra], b'{"error": "too_large"}'
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        event = self.event(environ, path, raw)
        result = self.relay.resolve(event, None)
        headers = [(k, str(v)) for k, v in (result.get("headers") or {}).items()]
        for k, values in (result.get("multiValueHeaders") or {}).items():
            headers += [(k, str(v)) for v in values]
        for cookie in result.get("cookies") or []:
            headers.append(("Set-Cookie", cookie))
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
        return int(result["statusCode"]), headers, data

    @staticmethod
    def event(environ, path: str, raw: bytes) -> dict:
        headers = {}
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                headers[key[5:].replace("_", "-").lower()] = value
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").lower()] = environ[key]
        query = environ.get("QUERY_STRING", "")
        pairs = parse_qs(query, keep_blank_values=True) if query else {}
        params = {k: ",".join(v) for k, v in pairs.items()}
        method = environ.get("REQUEST_METHOD", "GET")
        now = time.time()
        return {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": path,
            "rawQueryString": query,
            "headers": headers,
            "queryStringParameters": params or None,
            "requestContext": {
                "accountId": "local",
                "apiId": "local",
                "domainName": headers.get("host", ""),
                "domainPrefix": "local",
                "http": {
                    "method": method,
                    "path": path,
                    "protocol": environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
                    "sourceIp": environ.get("REMOTE_ADDR", ""),
                    "userAgent": headers.get("user-agent", ""),
                },
                "requestId": uuid.uuid4().hex,
                "routeKey": "$default",
                "stage": "$default",
                "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                "timeEpoch": int(now * 1000),
            },
            "body": base64.b64encode(raw).decode("ascii") if raw else None,
            "isBase64Encoded": bool(raw),
        }

    # --- static site ------------------------------------------------------------------------

    def static(self, environ, path: str):
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return 405, [("Allow", "GET, HEAD"), ("Content-Type", "text/plain")], b"GET only"
        try:  # WSGI gives the path's bytes as latin-1: they must be UTF-8, without a NUL
            name = unquote(path.encode("latin-1").decode("utf-8"), errors="strict")
        except UnicodeError:
            name = "\x00"
        if "\x00" in name:  # no such file can exist: a clear 400, never a 500
            return 400, [("Content-Type", "text/plain; charset=utf-8")], b"Bad path"
        target = (self.site_dir / name.lstrip("/")).resolve()
        if not target.is_relative_to(self.site_dir):
            target = self.site_dir / "missing"
        if target.is_dir():
            if not path.endswith("/"):
                return 301, [("Location", path + "/")], b""
            target = target / "index.html"
        if not target.is_file():
            page = self.site_dir / "404.html"
            body = page.read_bytes() if page.is_file() else b"Not found"
            return 404, [("Content-Type", "text/html; charset=utf-8")], body
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        return 200, [("Content-Type", kind), ("Cache-Control", "no-cache")], target.read_bytes()


def prepare(relay) -> int:
    """What the server's main process does before serving: refuse a real table, seed contacts."""
    check_demo_target(relay.settings)  # never invented contacts in a real table
    return seed_demo_contacts(relay)


def _app(site_dir: str, settings: Settings) -> RelayWSGI:
    """Runs in each granian worker process: its own relay (SQLite connections), the WSGI app."""
    relay = container.build(settings)
    _when_orphaned(lambda: os.kill(os.getpid(), signal.SIGTERM))
    return RelayWSGI(Path(site_dir), relay)


def _when_orphaned(then) -> None:
    """Call `then` once this process's parent is gone (killed with -9: no signal reached us)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        then()

    threading.Thread(target=watch, daemon=True, name="relay-parent-watch").start()


def serve_here(
    site_dir, settings: Settings, relay, host: str, port: int, *, workers: int,
    threads: int = THREADS, maintenance: bool = True, orphan: bool = False,
) -> None:  # fmt: skip
    """Serve until SIGINT/SIGTERM, from this process's main thread: granian's main process.

    The `workers` processes it starts share the port and serve with `threads` Python
    threads each; they stop with it (and on their own if it is killed).
    This process runs the maintenance loop (sends the outbox, closes, purges) unless
    `maintenance` is false (the bench measures requests alone). With `orphan`, it also
    stops when its own parent dies (a server started by a test or the bench).
    """
    from granian.constants import HTTPModes, Interfaces
    from granian.log import LogLevels
    from granian.server import Server

    multiprocessing.set_start_method("spawn", force=True)  # no fork of a threaded process
    server = Server(
        "relay.devserver:RelayWSGI", address=host, port=port, interface=Interfaces.WSGI,
        workers=workers, blocking_threads=threads, backpressure=BACKPRESSURE,
        http=HTTPModes.http1, websockets=False, log_level=LogLevels.warning,
    )  # fmt: skip
    if orphan:
        _when_orphaned(server.signal_handler_interrupt)
    background = relay.background(every=1.0).start() if maintenance else None
    try:
        server.serve(target_loader=partial(_app, str(site_dir), settings), wrap_loader=False)
    finally:
        if background is not None:
            background.stop()
        relay.close()


def _main(site_dir: str, settings: Settings, host: str, port: int, options: dict) -> None:
    relay = container.build(settings)
    prepare(relay)
    serve_here(site_dir, settings, relay, host, port, orphan=True, **options)


def answers(host: str, port: int, timeout: float = 2.0) -> bool:
    """Whether the relay answers GET /api/health on host:port."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", "/api/health")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def serve(
    site_dir, settings: Settings, host: str, port: int, *, workers: int = 1,
    threads: int = THREADS, maintenance: bool = True,
) -> multiprocessing.Process:  # fmt: skip
    """`make serve`'s server in a process of its own (tests, bench); returned once it answers.

    Terminate the process (SIGTERM) to stop it and its workers; if it is killed (-9),
    its workers notice and stop too.
    """
    spawn = multiprocessing.get_context("spawn")
    process = spawn.Process(
        target=_main,
        args=(
            str(site_dir),
            settings,
            host,
            port,
            {"workers": workers, "threads": threads, "maintenance": maintenance},
        ),
        name="relay-server",
    )  # not a daemon: it has children (its workers); stopped on the way out instead
    process.start()
    atexit.register(stop, process)
    deadline = time.monotonic() + 60
    while not answers(host, port, timeout=1.0):
        if not process.is_alive() or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the relay server did not start on {host}:{port}")
        time.sleep(0.05)
    return process


def stop(process: multiprocessing.Process, timeout: float = 15) -> None:
    """Stop a server from `serve` and its workers (SIGTERM; SIGKILL if it hangs)."""
    process.terminate()
    process.join(timeout)
    if process.is_alive():
        process.kill()
        process.join(timeout)


def run(site_dir, host: str = "127.0.0.1", port: int = 8000) -> None:
    from .auth import demo_token

    token = None
    try:
        settings = local_settings(Path(site_dir), host, port)
        if not settings.moderator_tokens:  # a demo moderator, kept in var/
            token, entry = demo_token(settings.data_dir)
            settings = replace(settings, moderator_tokens=entry)
        relay = container.build(settings)
        seeded = prepare(relay)
    except Exception as exc:  # a missing setting, table or credentials: one line, no traceback
        if (reason := explain(exc)) is None:
            raise
        sys.exit(reason)
    workers = settings.workers or os.cpu_count() or 1
    try:  # a busy port is the usual first-run problem: say so before starting anything
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, int(port)))
    except OSError:
        relay.close()
        sys.exit(
            f"Cannot listen on {host}:{port}: the port is in use (another server?). "
            "Choose another one, e.g. PORT=8080 make serve"
        )
    print(f"Passerelle: http://{host}:{port}/  (site: {site_dir}, relay: /api/)")
    if settings.mailer == "ses":
        print(f"E-mails: sent through SES at {os.environ.get('AWS_ENDPOINT_URL', 'AWS')}")
    else:
        print(f"Outbox (e-mails as .eml files): {settings.outbox_dir.resolve()}")
    if seeded:
        print(f"Demo: {seeded} mentors given invented @example.org contact addresses")
    where = (
        f"DynamoDB table {settings.table}"
        if settings.store == "dynamodb"
        else settings.database.resolve()
    )
    print(f"Store: {where}  ({workers} worker processes) — Ctrl+C to stop")
    if token:
        print(f"Demo moderator token (Authorization: Bearer …): {token}")
    sys.stdout.flush()
    serve_here(site_dir, settings, relay, host, int(port), workers=workers)
