"""Settings from environment variables (documented in the README), read once per process."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


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

    @property
    def relay_url(self) -> str:
        """Base of the links the relay puts in e-mails: the API's own origin."""
        return (self.api_url or self.site_url).rstrip("/")

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("PASSERELLE_DATA_DIR", "var"))
        store = env.get("PASSERELLE_STORE", "sqlite")
        secret = env.get("PASSERELLE_SECRET", "")
        if not secret and store == "sqlite":
            secret = local_secret(data_dir)
        if not secret:
            raise RuntimeError("PASSERELLE_SECRET must be set (signs links, salts hashes)")
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
        )


def local_secret(data_dir: Path) -> str:
    """Local runs only: a random secret kept in the data folder (never in the repository)."""
    path = data_dir / "secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()
