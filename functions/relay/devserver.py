"""`make serve`: the built site and the relay in one local process (cheroot, threaded).

Static files come from the site folder; /api/* requests become API Gateway
HTTP API (v2) events for the very resolver Lambda runs, so local behaviour is
production behaviour. Storage: SQLite and an outbox folder of .eml files.
"""

from __future__ import annotations

import base64
import mimetypes
import os
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, unquote

from cheroot import wsgi

from .api.forms import MAX_BODY
from .aws.local import check_demo_target, explain, local_endpoint
from .config import Settings, local_secret
from .domain import MentorContact, NotFound
from .wiring import build_questions

STATUS_TEXT = {
    200: "OK", 202: "Accepted", 204: "No Content", 303: "See Other", 304: "Not Modified",
    400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    409: "Conflict", 410: "Gone", 413: "Payload Too Large", 415: "Unsupported Media Type",
    422: "Unprocessable Content", 429: "Too Many Requests", 500: "Internal Server Error",
}  # fmt: skip


def demo_email(slug: str) -> str:
    """Invented address for the demo (example.org never delivers mail)."""
    return f"{slug}@example.org"


def local_settings(site_dir: Path, host: str, port: int) -> Settings:
    """Environment first; sensible local defaults for what is missing."""
    data_dir = Path(os.environ.get("PASSERELLE_DATA_DIR", "var"))
    data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("PASSERELLE_MANIFEST", str(Path(site_dir) / "relay" / "mentors.json"))
    env.setdefault("PASSERELLE_SITE_URL", f"http://{host}:{port}")
    if local_endpoint(env):  # DynamoDB/SES on a local moto: the local secret will do
        env.setdefault("PASSERELLE_SECRET", local_secret(data_dir))
    return Settings.from_env(env)  # no PASSERELLE_SECRET: a random one kept in the data dir


def seed_demo_contacts(questions) -> int:
    """Give every mentor of the manifest an invented contact, if none is set yet."""
    added = 0
    for slug in questions.manifest.get().mentors:
        try:
            questions.store.get_mentor_contact(slug)
        except NotFound:
            questions.store.set_mentor_contact(MentorContact(slug=slug, email=demo_email(slug)))
            added += 1
    return added


class RelayWSGI:
    """WSGI app: /api/* through the resolver, everything else from the site folder."""

    def __init__(self, site_dir: Path, app):
        self.site_dir = Path(site_dir).resolve()
        self.app = app
        # Powertools keeps the current event on a class attribute (BaseRouter.current_event):
        # one resolve at a time, as in a Lambda container. Static files stay concurrent.
        self._resolving = threading.Lock()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "/") or "/"
        if path == "/api" or path.startswith("/api/"):
            status, headers, body = self.api(environ, path)
        else:
            status, headers, body = self.static(environ, path)
        start_response(f"{status} {STATUS_TEXT.get(status, 'Status')}", headers)
        return [body] if environ.get("REQUEST_METHOD") != "HEAD" else [b""]

    # --- /api/* -----------------------------------------------------------------------------

    def api(self, environ, path: str):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY * 4:  # do not even read it; the resolver would refuse it too
            return 413, [("Content-Type", "application/json")], b'{"error": "too_large"}'
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        event = self.event(environ, path, raw)
        with self._resolving:
            result = self.app.resolve(event, None)
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
        params = {k: ",".join(v) for k, v in parse_qs(query, keep_blank_values=True).items()}
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
        target = (self.site_dir / unquote(path).lstrip("/")).resolve()
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


class DevServer(wsgi.Server):
    """cheroot server with an event set once it listens (tests wait on it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ready_event = threading.Event()

    def prepare(self):
        super().prepare()
        self.ready_event.set()


def make_server(site_dir, host: str = "127.0.0.1", port: int = 8000, questions=None) -> DevServer:
    from .api.app import create_app

    questions = questions or build_questions(local_settings(Path(site_dir), host, port))
    check_demo_target(questions.settings)  # never invented contacts in a real table
    seeded = seed_demo_contacts(questions)
    wsgi_app = RelayWSGI(Path(site_dir), create_app(questions))
    server = DevServer((host, int(port)), wsgi_app, numthreads=16)
    server.questions = questions
    server.seeded = seeded
    return server


def run(site_dir, host: str = "127.0.0.1", port: int = 8000) -> None:
    from .auth import demo_token
    from .maintenance import Background

    token = None
    if not os.environ.get("PASSERELLE_MODERATOR_TOKENS"):  # a demo moderator, kept in var/
        token, entry = demo_token(Path(os.environ.get("PASSERELLE_DATA_DIR", "var")))
        os.environ["PASSERELLE_MODERATOR_TOKENS"] = entry
    try:
        server = make_server(site_dir, host, port)
    except Exception as exc:  # the usual misconfigurations get one line, not a traceback
        if (reason := explain(exc)) is None:
            raise
        sys.exit(reason)
    try:
        server.prepare()  # binds the socket: a busy port is the usual first-run problem
    except OSError:
        sys.exit(
            f"Cannot listen on {host}:{port}: the port is in use (another server?). "
            "Choose another one, e.g. PORT=8080 make serve"
        )
    settings = server.questions.settings
    print(f"Passerelle: http://{host}:{port}/  (site: {site_dir}, relay: /api/)")
    if settings.mailer == "ses":
        print(f"E-mails: sent through SES at {os.environ.get('AWS_ENDPOINT_URL', 'AWS')}")
    else:
        print(f"Outbox (e-mails as .eml files): {settings.outbox_dir.resolve()}")
    if server.seeded:
        print(f"Demo: {server.seeded} mentors given invented @example.org contact addresses")
    where = (
        f"DynamoDB table {settings.table}"
        if settings.store == "dynamodb"
        else (settings.data_dir / "relay.sqlite3").resolve()
    )
    print(f"Store: {where}  — Ctrl+C to stop")
    if token:
        print(f"Demo moderator token (Authorization: Bearer …): {token}")
    sys.stdout.flush()
    background = Background(server.questions).start()  # delivery, inactivity close, purge
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        background.stop()
        server.stop()
