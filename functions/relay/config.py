"""The relay's settings as plain values; `relay.container.from_env` is what fills them.

Nothing here reads the environment by itself: `Settings.from_env(env)` is
given the mapping to read (the container passes `os.environ`), so tests and
the bench build their settings directly and never depend on what another
test left in the process environment.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from .domain.policies import INACTIVITY_CLOSE, RateLimit


def _default_rates() -> dict[str, RateLimit]:
    return {
        # A school class of 30 may sit behind one address: 60 questions an hour from one client.
        "client": RateLimit("client", limit=60, window=timedelta(hours=1)),
        "email": RateLimit("email", limit=5, window=timedelta(hours=24)),
        "reply": RateLimit("reply", limit=20, window=timedelta(days=1)),
        # Applications to mentor, per address; links to all one's conversations, per address.
        "application": RateLimit("application", limit=3, window=timedelta(days=1)),
        "threads_link": RateLimit("threads_link", limit=3, window=timedelta(hours=1)),
    }


@dataclass(frozen=True, slots=True)
class Limits:
    """The service's tunable numbers (environment variables, documented in the README)."""

    default_capacity: int = 3  # PASSERELLE_DEFAULT_CAPACITY: when a profile sets none
    retention: timedelta = timedelta(days=180)  # PASSERELLE_RETENTION_DAYS: after closing
    link_ttl: timedelta = timedelta(days=30)  # PASSERELLE_LINK_DAYS: links in e-mails
    inactivity: timedelta = INACTIVITY_CLOSE
    rates: dict[str, RateLimit] = field(default_factory=_default_rates)

    def thread_expiry(self, now: datetime) -> datetime:
        """A thread active now can close after `inactivity`, then is kept `retention`."""
        return now + self.inactivity + self.retention

    def rate(self, bucket: str) -> RateLimit:
        return self.rates[bucket]


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    store: str
    table: str
    mailer: str
    sender: str
    site_url: str
    manifest: str
    secret: str
    moderator_tokens: str
    api_url: str = ""  # where /api/* is served, if not on the site's origin (links in e-mails)
    limits: Limits = field(default_factory=Limits)
    vocab_dir: Path | None = None  # PASSERELLE_VOCAB_DIR: packaged data/ on Lambda
    moderator_token: str = ""  # PASSERELLE_MODERATOR_TOKEN: the one `invoke moderate` uses
    workers: int = 0  # PASSERELLE_WORKERS: `make serve` processes (0 = one per CPU)
    allowed_origins: tuple[str, ...] = ()  # PASSERELLE_ALLOWED_ORIGINS; () = site and API's own

    @property
    def origins(self) -> tuple[str, ...]:
        """The origins whose pages may post to the relay: configured, else the site's and the
        API's own. Never derived from a request (its Host header is the client's to choose)."""
        if self.allowed_origins:
            return self.allowed_origins
        found = [origin_of(url) for url in (self.site_url, self.api_url) if url]
        return tuple(dict.fromkeys(found))

    @property
    def relay_url(self) -> str:
        """Base of the links the relay puts in e-mails: the API's own origin."""
        return (self.api_url or self.site_url).rstrip("/")

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def database(self) -> Path:
        return self.data_dir / "relay.sqlite3"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        data_dir = Path(env.get("PASSERELLE_DATA_DIR", "var"))
        store = env.get("PASSERELLE_STORE", "sqlite")
        secret = env.get("PASSERELLE_SECRET", "")
        if not secret and store == "sqlite":
            secret = local_secret(data_dir)
        if not secret:
            raise RuntimeError("PASSERELLE_SECRET must be set (signs links, salts hashes)")
        vocab = env.get("PASSERELLE_VOCAB_DIR", "")
        return cls(
            data_dir=data_dir,
            store=store,
            table=env.get("PASSERELLE_TABLE", "passerelle"),
            mailer=env.get("PASSERELLE_MAILER", "outbox"),
            sender=env.get("PASSERELLE_SENDER", "Passerelle <relais@passerelle.example.org>"),
            site_url=env.get("PASSERELLE_SITE_URL", "http://127.0.0.1:8000").rstrip("/"),
            manifest=env.get("PASSERELLE_MANIFEST", "output/relay/mentors.json"),
            secret=secret,
            moderator_tokens=env.get("PASSERELLE_MODERATOR_TOKENS", ""),
            api_url=env.get("PASSERELLE_API_URL", "").rstrip("/"),
            limits=limits_from(env),
            vocab_dir=Path(vocab) if vocab else None,
            moderator_token=env.get("PASSERELLE_MODERATOR_TOKEN", ""),
            workers=_number(env, "PASSERELLE_WORKERS", 0, minimum=0),
            allowed_origins=origins_from(env.get("PASSERELLE_ALLOWED_ORIGINS", "")),
        )


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, lower-cased (what a browser sends as Origin)."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower()


def origins_from(raw: str) -> tuple[str, ...]:
    """PASSERELLE_ALLOWED_ORIGINS: comma-separated origins such as https://example.org."""
    found = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        parts = urlsplit(item)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise RuntimeError(
                f"PASSERELLE_ALLOWED_ORIGINS: {item!r} is not an origin like https://example.org"
            )
        found.append(origin_of(item))
    return tuple(dict.fromkeys(found))


def _number(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise RuntimeError(f"{name} must be a whole number of at least {minimum}, not {raw!r}")
    return int(raw)


def limits_from(env: Mapping[str, str]) -> Limits:
    """The limits named by PASSERELLE_* variables; a malformed value names its variable."""
    rates = _default_rates()
    for bucket, name in (("client", "PASSERELLE_RATE_CLIENT"), ("email", "PASSERELLE_RATE_EMAIL"),
                         ("reply", "PASSERELLE_RATE_REPLIES")):  # fmt: skip
        rule = rates[bucket]
        rates[bucket] = RateLimit(bucket, _number(env, name, rule.limit), rule.window)
    return Limits(
        default_capacity=_number(env, "PASSERELLE_DEFAULT_CAPACITY", 3),
        retention=timedelta(days=_number(env, "PASSERELLE_RETENTION_DAYS", 180)),
        link_ttl=timedelta(days=_number(env, "PASSERELLE_LINK_DAYS", 30)),
        rates=rates,
    )


def private_dir(path: Path) -> Path:
    """A folder only the relay's user can enter: local data holds addresses and texts."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def local_secret(data_dir: Path) -> str:
    """Local runs only: a random secret kept in the data folder (never in the repository)."""
    path = data_dir / "secret"
    if not path.exists():
        private_dir(data_dir)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(32))
    return path.read_text(encoding="utf-8").strip()
