"""The AWS flavour on one machine: where the demo may write, and plain words for what fails.

`make serve` seeds invented contacts for every mentor. That is fine in the
local SQLite file or in a moto server on this machine, and must never happen
in a real table: with `PASSERELLE_STORE=dynamodb` the endpoint has to be a
loopback address (AWS_ENDPOINT_URL, as `invoke serve --aws` sets it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class DemoRefused(RuntimeError):
    """The demo would write invented data where real data lives."""


def local_endpoint(env: Mapping[str, str] | None = None) -> str | None:
    """The DynamoDB endpoint if it is on this machine, else None (real AWS)."""
    env = os.environ if env is None else env
    url = env.get("AWS_ENDPOINT_URL_DYNAMODB") or env.get("AWS_ENDPOINT_URL") or ""
    return url if url and urlsplit(url).hostname in LOOPBACK else None


def check_demo_target(settings, env: Mapping[str, str] | None = None) -> None:
    if settings.store == "sqlite" or local_endpoint(env):
        return
    raise DemoRefused(
        f"make serve seeds invented mentor contacts and runs on SQLite or a local moto only:"
        f" PASSERELLE_STORE={settings.store} without a loopback AWS_ENDPOINT_URL would write"
        f" into a real table ({settings.table}). Use invoke serve --aws, or unset PASSERELLE_STORE."
    )


def explain(exc: BaseException, settings=None, env: Mapping[str, str] | None = None) -> str | None:
    """One line for what commonly stops `make serve` on DynamoDB/SES; None if not one of those."""
    from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

    env = os.environ if env is None else env
    table = getattr(settings, "table", None) or env.get("PASSERELLE_TABLE", "passerelle")
    endpoint = env.get("AWS_ENDPOINT_URL") or "AWS"
    if isinstance(exc, DemoRefused):
        return str(exc)
    if isinstance(exc, RuntimeError) and str(exc).startswith("PASSERELLE_"):
        return str(exc)  # a missing setting, named by relay.config
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "ResourceNotFoundException":
            return (
                f"The DynamoDB table {table!r} does not exist at {endpoint}: invoke serve --aws"
                " creates it on a local moto (or set PASSERELLE_TABLE)."
            )
        return f"AWS refused a request ({code or 'ClientError'}) at {endpoint}."
    if isinstance(exc, EndpointConnectionError):
        return f"Nothing answers at {endpoint}: is the moto server running? (invoke serve --aws)"
    if isinstance(exc, NoCredentialsError):
        return "No AWS credentials: invoke serve --aws sets moto's fake ones."
    return None
