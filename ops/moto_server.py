"""moto in server mode: a real HTTP endpoint that boto3 reaches like AWS, on 127.0.0.1.

Used by the tests (tests/aws.py) and by `invoke serve --aws`. The adapters only
see the environment (fake credentials, a region, AWS_ENDPOINT_URL), exactly as
on Lambda, so nothing in them knows they are not on AWS. moto is in the test
set of the lock, not the runtime one.
"""

from __future__ import annotations

import json
import threading
import urllib.request

import boto3

REGION = "ca-central-1"
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


class _OneAtATime:
    """Serve one request at a time, as one DynamoDB item sees its writes.

    moto applies a transaction as check-then-write without a lock, so two
    concurrent requests can both pass a condition that DynamoDB would let only
    one pass. Connections stay concurrent (the clients really race); moto's
    backend just handles them in turn.
    """

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            return list(self.app(environ, start_response))


class MotoServer:
    """moto's server app on werkzeug, bound to a free loopback port, in a thread."""

    def __init__(self) -> None:
        self.url = ""
        self._server = None
        self._thread: threading.Thread | None = None

    def start(self) -> MotoServer:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        class Quiet(MotoRequestHandler):
            def log_request(self, *args, **kwargs) -> None:
                """One line per AWS call would drown the test output."""

        app = _OneAtATime(DomainDispatcherApplication(create_backend_app))
        self._server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(10)

    def env(self) -> dict[str, str]:
        """Environment that points boto3 (and so the adapters) at this server."""
        return {**FAKE_ENV, "AWS_ENDPOINT_URL": self.url}

    def _post(self, path: str) -> bytes:
        req = urllib.request.Request(self.url + path, data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.read()

    def reset(self) -> None:
        """Forget every resource (moto's /moto-api/reset)."""
        self._post("/moto-api/reset")

    def data(self) -> dict:
        """Everything moto holds, as its backend API shows it over HTTP."""
        with urllib.request.urlopen(self.url + "/moto-api/data.json", timeout=10) as resp:
            return json.loads(resp.read())

    def sent_raw_emails(self) -> list[dict]:
        """Raw e-mails SES (v1 or v2) accepted: id, source, destinations, raw_data.

        Read from the server's SES backend (it runs in this process) rather than from
        /moto-api/data.json: that dump fails for good once a stack has created a Lambda
        function, whose model asks for a Docker daemon when it is serialised.
        """
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.ses.models import RawMessage, ses_backends

        return [
            {"id": m.id, "source": m.source, "destinations": m.destinations,
             "raw_data": m.raw_data}
            for backend in ses_backends[DEFAULT_ACCOUNT_ID].values()
            for m in backend.sent_messages
            if isinstance(m, RawMessage)
        ]  # fmt: skip

    def client(self, service: str):
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
