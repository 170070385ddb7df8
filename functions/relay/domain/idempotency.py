"""Idempotent submissions: a replay gets the first answer; a reused key with another body does not.

The fingerprint is an HMAC of the submission with the relay's secret, so the
stored record says nothing about the address or the text it was made from.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from .errors import IdempotencyMismatch


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    key: str
    fingerprint: str
    thread_id: str
    message_id: str
    expires_at: datetime


def fingerprint(secret: str, *parts: str) -> str:
    """Salted digest of a submission's content, to tell a retry from a different body."""
    mac = hmac.new(secret.encode("utf-8"), b"fingerprint", hashlib.sha256)
    for part in parts:
        mac.update(part.encode("utf-8", "surrogatepass"))
        mac.update(b"\x00")
    return mac.hexdigest()


def replay(record: IdempotencyRecord | None, digest: str) -> IdempotencyRecord | None:
    """The record this submission replays, None if the key is new; a mismatch is refused."""
    if record is None:
        return None
    if not hmac.compare_digest(record.fingerprint, digest):
        raise IdempotencyMismatch("this idempotency key was used with a different body")
    return record
