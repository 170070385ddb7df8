"""Shared fixtures: a real build of the sample site, a real browser, a live local server."""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def build_into(target: Path, content: Path | None = None, settings: Path | None = None) -> bool:
    """Build the site (real Pelican, real plugins) into `target`; False on validation failure."""
    from mentors.build import build_site

    return build_site(settings or ROOT / "pelicanconf.py", target, content_dir=content)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The sample site built once per test worker."""
    from mentors.i18n import compile_catalogs

    compile_catalogs(ROOT / "theme" / "translations")
    out = tmp_path_factory.mktemp("site") / "output"
    assert build_into(out), "the sample site must build"
    return out


PUBLISHED_URL = "https://passerelle.test"


@pytest.fixture(scope="session")
def published_site(tmp_path_factory) -> Path:
    """The sample site built with publishconf.py for PUBLISHED_URL, once per test worker."""
    from mentors.i18n import compile_catalogs

    compile_catalogs(ROOT / "theme" / "translations")
    out = tmp_path_factory.mktemp("published") / "output"
    before = os.environ.get("PASSERELLE_SITE_URL")
    os.environ["PASSERELLE_SITE_URL"] = PUBLISHED_URL
    try:
        assert build_into(out, settings=ROOT / "publishconf.py"), "the published build must work"
    finally:
        if before is None:
            os.environ.pop("PASSERELLE_SITE_URL", None)
        else:
            os.environ["PASSERELLE_SITE_URL"] = before
    return out


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; a missing browser fails, never skips."""
    from playwright.sync_api import sync_playwright

    from ops.browser import HOW_TO_INSTALL, find_chromium

    chromium = find_chromium()
    if chromium is None:
        pytest.fail(HOW_TO_INSTALL)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-CA")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe():
    """Run axe-core on a page; return the serious and critical violations (every violation,
    minor and moderate too, with `every_impact=True`)."""
    from axe_playwright_python.sync_playwright import Axe

    engine = Axe()

    def check(page, every_impact: bool = False) -> list[dict]:
        results = engine.run(page)
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in results.response["violations"]
            if every_impact or v["impact"] in ("serious", "critical")
        ]

    return check


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def relay_settings(data_dir: Path, manifest: Path, site_url: str, **more):
    """Settings of a local relay (SQLite, outbox folder) for one test: never the environment."""
    from relay.config import Settings

    fields = {
        "data_dir": data_dir, "store": "sqlite", "table": "", "mailer": "outbox",
        "sender": "Passerelle <relais@passerelle.example.org>", "site_url": site_url,
        "manifest": str(manifest), "secret": "test-secret-not-for-production",
        "moderator_tokens": "",
    }  # fmt: skip
    return Settings(**{**fields, **more})


class LiveServer:
    """`make serve`'s server (site + relay) on a free loopback port; e-mails are sent when a
    test asks (`deliver`), not by a maintenance loop."""

    def __init__(self, site_dir: Path, data_dir: Path, **settings):
        self.site_dir = site_dir
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.outbox = data_dir / "outbox"
        self.settings = relay_settings(
            data_dir, site_dir / "relay" / "mentors.json", self.url, **settings
        )

    def start(self) -> None:
        from relay import container
        from relay.devserver import serve

        # `make serve`'s server (one worker); the test reads and writes the same files
        self.process = serve(self.site_dir, self.settings, "127.0.0.1", self.port,
                             maintenance=False)  # fmt: skip
        self.relay = container.build(self.settings)

    def stop(self) -> None:
        from relay.devserver import stop

        stop(self.process)
        self.relay.close()

    def deliver(self) -> int:
        """What the maintenance loop does: send every due e-mail of the outbox now."""
        return self.relay.delivery.drain().sent

    def emails(self) -> list[Path]:
        """The e-mails sent so far (due ones are sent first, as the worker would)."""
        self.deliver()
        return sorted(self.outbox.glob("*.eml")) if self.outbox.exists() else []


@pytest.fixture
def relay_env(tmp_path) -> Path:
    """A temp data dir for a local relay (SQLite and its outbox folder)."""
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    return data_dir


@pytest.fixture
def live_server(built_site, relay_env) -> Iterator[LiveServer]:
    server = LiveServer(built_site, relay_env)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def static_site(built_site) -> Iterator[str]:
    """The built site served as plain static files (like a static host) on 127.0.0.1; its URL."""
    from site_search.serve import StaticServer

    with StaticServer(built_site) as server:
        yield server.url


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A writable copy of content/ for tests that break files on purpose."""
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


@pytest.fixture(scope="session")
def moto_server():
    """moto in server mode on 127.0.0.1 (real HTTP); boto3 reaches it through the env."""
    from tests.aws import MotoServer

    server = MotoServer().start()
    with pytest.MonkeyPatch.context() as mp:
        for name, value in server.env().items():
            mp.setenv(name, value)
        yield server
    server.stop()


os.environ.setdefault("PASSERELLE_SECRET", "test-secret-not-for-production")


# --- relay stores: the contract suite (tests/test_store_contract.py) runs on each of these ---
# An adapter adds the name of its fixture (a fresh, empty store per test) to this list.
STORE_FIXTURES = ["sqlite_store", "dynamodb_store"]


@pytest.fixture
def sqlite_store(tmp_path):
    from relay.store.sqlite import SqliteStore

    store = SqliteStore(tmp_path / "relay.sqlite3")
    yield store
    store.close()


@pytest.fixture
def dynamodb_store(moto_server):
    """A fresh table on moto server per test (tests share the server, never a table)."""
    from relay.store.dynamodb import DynamoDBStore, create_table

    from tests.aws import unique_name

    name = unique_name("relay")
    client = moto_server.client("dynamodb")
    create_table(client, name)
    yield DynamoDBStore(name)
    client.delete_table(TableName=name)


@pytest.fixture(params=STORE_FIXTURES)
def store(request):
    """Every Store adapter, one after the other, for the contract suite."""
    return request.getfixturevalue(request.param)


# --- relay in-process: the real resolver, SQLite and outbox in a temp dir, a small manifest ---


class RelayHarness:
    """Calls the Powertools resolver with API Gateway v2 events, as Lambda would."""

    SITE_URL = "http://127.0.0.1:8000"

    def __init__(self, data_dir: Path, mentors: dict, **settings):
        import yaml
        from relay import container
        from relay.devserver import RelayWSGI, seed_demo_contacts

        vocab = {
            name: yaml.safe_load((ROOT / "data" / f"{name}.yaml").read_text("utf-8"))
            for name in ("regions", "situations")
        }
        manifest = {
            "generated": "2026-11-28T12:00:00Z",
            "mentors": mentors,
            "regions": [str(r["code"]) for r in vocab["regions"]],
            "situations": [str(s["code"]) for s in vocab["situations"]],
        }
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / "mentors.json").write_text(json.dumps(manifest), encoding="utf-8")
        self.settings = relay_settings(
            data_dir, data_dir / "mentors.json", self.SITE_URL, **settings
        )
        self.relay = container.build(self.settings)
        self.questions = self.relay.questions
        seed_demo_contacts(self.relay)
        self.store = self.relay.store
        self._event = RelayWSGI.event

    def request(self, method, path, body: bytes = b"", headers=None, query="", ip="203.0.113.7"):
        environ = {
            "REQUEST_METHOD": method, "QUERY_STRING": query, "REMOTE_ADDR": ip,
            "HTTP_HOST": "127.0.0.1:8000",
        }  # fmt: skip
        for key, value in (headers or {}).items():
            name = key.upper().replace("-", "_")
            environ[name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + name] = value
        result = self.relay.resolve(self._event(environ, path, body), None)
        reply_headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
        return result["statusCode"], reply_headers, result.get("body") or ""

    def post_form(self, fields: dict, json_reply=False, headers=None, ip="203.0.113.7"):
        from urllib.parse import urlencode

        h = {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.SITE_URL}
        h["Accept"] = "application/json" if json_reply else "text/html"
        for key, value in (headers or {}).items():  # None removes a default header
            h.pop(key, None) if value is None else h.__setitem__(key, value)
        return self.request("POST", "/api/questions", urlencode(fields).encode(), h, ip=ip)

    def deliver(self) -> int:
        return self.relay.delivery.drain().sent

    def emails(self) -> list[Path]:
        """The e-mails sent so far (due ones are sent first, as the worker would)."""
        self.deliver()
        return sorted((self.settings.data_dir / "outbox").glob("*.eml"))

    def threads(self) -> int:
        con = self.store._con()
        return con.execute("SELECT COUNT(*) FROM threads").fetchone()[0]


RELAY_MENTORS = {
    "marie-tremblay": {"name": "Marie Tremblay", "lang": "fr", "accepting": True},
    "jordan-lee": {"name": "Jordan Lee", "lang": "en", "accepting": True},
    "paul-ferme": {"name": "Paul Fermé", "lang": "fr", "accepting": False},
}


@pytest.fixture
def relay(tmp_path) -> Iterator[RelayHarness]:
    harness = RelayHarness(tmp_path / "relay", RELAY_MENTORS)
    yield harness
    harness.store.close()


# --- relay, issue 5: moderators, the delivery worker and conversations on top of the above ---

MODERATOR_TOKENS = {"alice": "alice-token-for-tests-only", "bob": "bob-token-for-tests-only"}


class MemoryMailer:
    """Mailer port in memory; `failures` makes the next n sends raise (a mailer outage)."""

    def __init__(self):
        self.sent = []
        self.failures = 0
        self.refuse = set()  # addresses refused for good (a bounce)
        self.forgotten = []

    def send(self, message):
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("mailer down")
        if message["To"] in self.refuse:
            from relay.domain import MailRefused

            raise MailRefused("MessageRejected")
        self.sent.append(message)
        return f"mem-{len(self.sent)}"

    def forget(self, thread_id):
        self.forgotten.append(thread_id)


class RelayServices:
    """The relay's services on one store (the `store` fixture), a memory mailer, a movable clock."""

    def __init__(self, store, data_dir: Path, mentors: dict | None = None, **settings):
        from datetime import UTC, datetime

        from relay import container
        from relay.config import Settings

        mentors = mentors or {
            "marie-tremblay": {"name": "Marie Tremblay", "lang": "fr", "accepting": True},
            "jordan-lee": {"name": "Jordan Lee", "lang": "en", "accepting": True, "capacity": 1},
        }
        data_dir.mkdir(parents=True, exist_ok=True)
        manifest = {"mentors": mentors, "regions": ["06", "03"], "situations": ["secondaire"]}
        (data_dir / "mentors.json").write_text(json.dumps(manifest), encoding="utf-8")
        self.settings = Settings(
            data_dir=data_dir, store="", table="", mailer="",
            sender="Passerelle <relais@passerelle.example.org>", site_url="http://127.0.0.1:8000",
            manifest=str(data_dir / "mentors.json"), secret="test-secret-not-for-production",
            moderator_tokens="", **settings,
        )  # fmt: skip
        self.now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
        self.store = store
        self.mailer = MemoryMailer()
        self.relay = container.build(
            self.settings, clock=lambda: self.now, store=store, mailer=self.mailer
        )
        self.limits = self.settings.limits
        self.questions = self.relay.questions
        self.moderation = self.relay.moderation
        self.conversations = self.relay.conversations
        self.delivery = self.relay.delivery
        self.maintenance = self.relay.maintenance
        from relay.domain import MentorContact

        for slug in mentors:
            store.set_mentor_contact(MentorContact(slug=slug, email=f"{slug}@example.org"))

    def ask(self, mentor="marie-tremblay", text=None, age=16, email="alex.mentee@example.org"):
        """Submit and confirm a question; return its (pending) message."""
        import re
        from datetime import timedelta

        from relay.services.questions import Question

        text = text or "Quelles études faut-il pour devenir ingénieure civile au Québec?"
        received = self.questions.submit(
            Question(mentor=mentor, lang="fr", pseudonym="Alex", age=age, region="06",
                     situation="secondaire", email=email, question=text),
            client="203.0.113.7", idempotency_key=None,
        )  # fmt: skip
        self.delivery.drain()  # the confirmation e-mail goes out through the outbox
        texts = [m.get_body(("plain",)).get_content() for m in self.mail_to(email)]
        token = [re.search(r"confirm\?token=(\S+)", t) for t in texts if "confirm?token=" in t]
        token = token[-1].group(1)
        self.questions.confirm(token)
        self.now += timedelta(seconds=1)
        [message] = self.store.list_messages(received.thread_id, now=self.now)
        return message

    def mail_to(self, address: str) -> list:
        return [m for m in self.mailer.sent if m["To"] == address]

    def give_up(self, message) -> None:
        """Approve a pending message, then fail every send until moderators see it as stuck."""
        from datetime import timedelta

        from relay.domain import policies

        self.moderation.approve(message.id, version=message.version, actor="moderator:bob")
        self.mailer.failures = 10**6
        for _ in range(policies.STUCK_AFTER):
            self.delivery.run_once()
            self.now += policies.JOB_BACKOFF_CAP + timedelta(seconds=1)
        self.mailer.failures = 0


@pytest.fixture
def services(store, tmp_path) -> RelayServices:
    """On every store: for what is about storage (conditional writes, leases, expiry)."""
    return RelayServices(store, tmp_path / "services")


@pytest.fixture
def local_services(sqlite_store, tmp_path) -> RelayServices:
    """On SQLite only: for what does not depend on the store (texts, e-mails, validation)."""
    return RelayServices(sqlite_store, tmp_path / "services")


def moderator_entries() -> str:
    from relay.auth import hash_token

    return ",".join(f"{name}={hash_token(t)}" for name, t in MODERATOR_TOKENS.items())


@pytest.fixture
def flow(tmp_path) -> Iterator[RelayHarness]:
    """The in-process relay (`relay`) with two local moderators configured."""
    harness = RelayHarness(tmp_path / "relay", RELAY_MENTORS, moderator_tokens=moderator_entries())
    yield harness
    harness.store.close()


@pytest.fixture
def moderated_server(built_site, relay_env) -> Iterator[LiveServer]:
    """`live_server` with the two moderators of MODERATOR_TOKENS configured (browser tests)."""
    from dataclasses import replace

    from relay.config import Limits

    server = LiveServer(
        built_site, relay_env, moderator_tokens=moderator_entries(),
        limits=replace(Limits(), default_capacity=20),
    )  # fmt: skip
    server.start()
    yield server
    server.stop()


def pytest_terminal_summary(terminalreporter):
    """Print the figures that tests record with `record_property("figure", line)` (screening
    recall and false alarms), also under xdist and without -s."""
    lines = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", ())
        if name == "figure"
    ]
    if lines:
        terminalreporter.section("figures")
        for line in dict.fromkeys(lines):
            terminalreporter.write_line(line)
