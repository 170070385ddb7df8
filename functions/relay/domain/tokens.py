"""Signed, expiring, scoped tokens for links in e-mails, and salted hashes for rate limits.

(Submission fingerprints, also salted, live in domain/idempotency.py.)

A token is `payload.signature`, both base64url; the payload names the thread,
the side (mentee/mentor) and the purpose (confirm, read, reply, erase...), so
a link for one purpose cannot be replayed for another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .errors import RelayError


class BadToken(RelayError):
    """Forged, truncated, for another purpose, or expired: the link cannot be used."""

    code = "bad_token"


@dataclass(frozen=True, slots=True)
class Claims:
    thread_id: str
    side: str
    purpose: str
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), b"token:" + payload, hashlib.sha256).digest()


def issue(
    secret: str, *, thread_id: str, side: str, purpose: str, now: datetime, ttl: timedelta
) -> str:
    exp = int((now + ttl).timestamp())
    payload = json.dumps(
        {"t": thread_id, "s": side, "p": purpose, "e": exp}, separators=(",", ":")
    ).encode("utf-8")
    return f"{_b64(payload)}.{_b64(_sign(secret, payload))}"


def verify(secret: str, token: str, *, purpose: str, now: datetime, side: str | None = None):
    """Return the token's Claims, or raise BadToken (never says which check failed)."""
    try:
        head, sig = token.split(".")
        payload = _unb64(head)
        if not hmac.compare_digest(_unb64(sig), _sign(secret, payload)):
            raise ValueError("signature")
        data = json.loads(payload)
        claims = Claims(
            thread_id=str(data["t"]),
            side=str(data["s"]),
            purpose=str(data["p"]),
            expires_at=datetime.fromtimestamp(int(data["e"]), UTC),
        )
    except (ValueError, KeyError, TypeError, UnicodeError, OverflowError) as exc:
        raise BadToken("this link is not valid") from exc
    if claims.purpose != purpose or (side is not None and claims.side != side):
        raise BadToken("this link is not valid")
    if claims.expires_at <= now:
        raise BadToken("this link has expired")
    return claims


def key_hash(secret: str, bucket: str, value: str) -> str:
    """Salted hash for rate-limit keys: the raw address (IP or e-mail) is never stored."""
    mac = hmac.new(secret.encode("utf-8"), f"{bucket}:{value}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def mentee_key(secret: str, address: str) -> str:
    """The salted hash a thread keeps of its mentee's address, to list a mentee's threads
    (`Store.mentee_threads`) without a look-up by the address itself."""
    return key_hash(secret, "mentee", address.strip().casefold())
