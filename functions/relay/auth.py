"""Who may act as a moderator: local bearer tokens, or the claims of API Gateway's JWT authorizer.

Locally, `PASSERELLE_MODERATOR_TOKENS` lists `name=<sha256 hex of the token>`
entries (or bare digests), comma-separated: the process never holds a token in clear, and a
presented token is hashed and compared with every entry in constant time.
On AWS, API Gateway has already checked the Cognito JWT on
`/api/moderation/*`; the handler still demands the `moderators` group, so a
valid user outside that group is refused. The actor written in the audit log
is `moderator:<name>` (local) or `cognito:<sub>` (AWS), never an address.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from .domain import RelayError

MODERATORS_GROUP = "moderators"
NAME = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
DIGEST = re.compile(r"^[0-9a-f]{64}$")


class Unauthenticated(RelayError):
    """No credential, or one that matches nobody (HTTP 401)."""

    code = "unauthenticated"


class Forbidden(RelayError):
    """A known identity that is not a moderator (HTTP 403)."""

    code = "forbidden"


@dataclass(frozen=True, slots=True)
class Moderator:
    actor: str  # what the audit log records as "who"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_tokens(config: str) -> dict[str, str]:
    """`name=hexdigest,...` -> {name: digest}; a bare digest is named `token-<its first 8>`.

    A malformed entry is a clear error that names its position, never its value.
    """
    entries: dict[str, str] = {}
    for raw in (config or "").split(","):
        entry = raw.strip()
        if not entry:
            continue
        name, sep, digest = entry.rpartition("=")
        name, digest = name.strip(), digest.strip().lower()
        if not sep and DIGEST.match(digest):
            name = f"token-{digest[:8]}"
        if not NAME.match(name) or not DIGEST.match(digest):
            raise ValueError(
                "PASSERELLE_MODERATOR_TOKENS: each entry must be name=<sha256 hex of the token>"
                f" (entry {len(entries) + 1} is not)"
            )
        entries[name] = digest
    return entries


def new_token(name: str = "demo") -> tuple[str, str]:
    """A fresh token and the `name=digest` entry to configure for it."""
    token = secrets.token_urlsafe(32)
    return token, f"{name}={hash_token(token)}"


def demo_token(data_dir: Path) -> tuple[str, str]:
    """The local demo moderator's token (kept in data_dir, 0600) and its configuration entry."""
    path = Path(data_dir) / "moderator-token"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        path.chmod(0o600)
    token = path.read_text(encoding="utf-8").strip()
    return token, f"demo={hash_token(token)}"


def _groups(value) -> set[str]:
    """`cognito:groups` arrives as a list, or (HTTP API) as a string like "[a b]" or "a,b"."""
    if isinstance(value, list | tuple):
        return {str(v) for v in value}
    if isinstance(value, str):
        return {g for g in re.split(r"[\s,\[\]\"]+", value) if g}
    return set()


class Authenticator:
    def __init__(self, config: str):
        self.tokens = parse_tokens(config)

    def from_claims(self, claims: dict) -> Moderator:
        if MODERATORS_GROUP not in _groups(claims.get("cognito:groups")):
            raise Forbidden("not in the moderators group")
        subject = str(claims.get("sub") or "")
        if not subject:
            raise Unauthenticated("token without subject")
        return Moderator(actor=f"cognito:{subject}")

    def from_bearer(self, authorization: str) -> Moderator:
        scheme, _, token = (authorization or "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("a moderator credential is required")
        presented = hash_token(token)
        found = None
        for name, digest in self.tokens.items():  # no early exit: same time for every entry
            if hmac.compare_digest(presented, digest):
                found = name
        if found is None:
            raise Unauthenticated("unknown credential")
        return Moderator(actor=f"moderator:{found}")

    def authenticate(self, event: dict, headers: dict[str, str]) -> Moderator:
        """JWT claims set by API Gateway win; else the local bearer token."""
        context = event.get("requestContext") or {}
        claims = ((context.get("authorizer") or {}).get("jwt") or {}).get("claims")
        if claims:
            return self.from_claims(claims)
        return self.from_bearer(headers.get("authorization", ""))


if __name__ == "__main__":  # python -m relay.auth NAME: print a new token and its config entry
    import sys

    token, entry = new_token(sys.argv[1] if len(sys.argv) > 1 else "moderator")
    print(f"token (give it to the moderator): {token}")
    print(f"PASSERELLE_MODERATOR_TOKENS entry: {entry}")
