"""moto in server mode for the tests (ops/moto_server.py), and unique resource names.

The adapters under test build their own boto3 clients; they only see the
environment (fake credentials, a region, AWS_ENDPOINT_URL), exactly as on
Lambda, so nothing in them knows it is being tested.
"""

from __future__ import annotations

import uuid

from ops.moto_server import FAKE_ENV, REGION, MotoServer

__all__ = ["FAKE_ENV", "REGION", "MotoServer", "unique_name"]


def unique_name(prefix: str) -> str:
    """A resource name no other test uses (tests share one server per worker)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"
