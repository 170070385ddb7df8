"""moto in server mode for the tests (ops/moto_server.py), and unique resource names.

The adapters under test build their own boto3 clients; they only see the
environment (fake credentials, a region, AWS_ENDPOINT_URL), exactly as on
Lambda, so nothing in them knows it is being tested.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from ops.moto_server import FAKE_ENV, REGION, MotoServer

__all__ = ["FAKE_ENV", "REGION", "LambdaContext", "MotoServer", "api_event", "unique_name"]


def unique_name(prefix: str) -> str:
    """A resource name no other test uses (tests share one server per worker)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that Powertools reads."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def api_event(
    path: str, fields: dict, *, host: str, origin: str, claims: dict | None = None,
    method: str = "POST",
) -> dict:  # fmt: skip
    """What API Gateway's HTTP API hands the relay: a form post from the site, or JSON from
    the moderation page with the claims its JWT authorizer adds."""
    from relay.devserver import RelayWSGI

    environ = {
        "REQUEST_METHOD": method,
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_HOST": host,
        "HTTP_ORIGIN": origin,
        "HTTP_ACCEPT": "application/json",
    }
    body = b""
    if method == "POST" and claims is None:
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        body = urlencode(fields).encode()
    elif method == "POST":
        environ["CONTENT_TYPE"] = "application/json"
        body = json.dumps(fields).encode()
    event = RelayWSGI.event(environ, path, body)
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return event
