"""The AWS flavour on one machine (`invoke serve --aws`), and `make serve` refusing clearly.

The local server runs on DynamoDB and SES from a moto server on 127.0.0.1;
the demo's invented contacts go into that table and never into one that is
not on this machine.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.request
from urllib.parse import urlencode

import pytest
from relay import container
from relay.aws.local import DemoRefused, check_demo_target
from relay.config import Settings
from relay.devserver import local_settings, prepare, run, serve, stop
from relay.store.dynamodb import DynamoDBStore

from ops.local_aws import start
from tests.aws import FAKE_ENV, unique_name

pytestmark = pytest.mark.aws


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def local_aws(monkeypatch, tmp_path):
    table = unique_name("passerelle")
    server, env = start(table=table)
    for name, value in {**env, "PASSERELLE_DATA_DIR": str(tmp_path / "var")}.items():
        monkeypatch.setenv(name, value)
    yield server, table
    server.stop()


def test_serve_aws_runs_the_relay_on_dynamodb_and_ses_from_moto(local_aws, built_site):
    moto, table = local_aws
    port = free_port()
    settings = local_settings(built_site, "127.0.0.1", port)
    relay = container.build(settings)
    assert relay.settings.store == "dynamodb"
    assert prepare(relay) > 0, "the demo contacts went into moto's table"
    slug = next(iter(relay.manifest.get().mentors))
    contact = DynamoDBStore(table).get_mentor_contact(slug)
    assert contact.email.endswith("@example.org")
    server = serve(built_site, settings, "127.0.0.1", port, maintenance=False)
    mentee = f"{unique_name('camille')}@example.org"
    try:
        body = urlencode({
            "mentor": slug, "lang": "fr", "pseudonym": "Camille", "age": "19", "region": "06",
            "situation": "cegep", "email": mentee,
            "question": "Bonjour! Comment devient-on technicienne en génie civil au Québec?",
            "consent": "yes", "website": "", "rendered_at": str(int(time.time() * 1000) - 30_000),
        }).encode()  # fmt: skip
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/questions", data=body, method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Accept": "application/json", "Origin": f"http://127.0.0.1:{port}"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=20) as response:
            assert response.status == 202, response.read()
            assert json.loads(response.read())["status"] == "received"
        relay.maintenance.run(purge=False)  # what the serve loop does a moment later
    finally:
        stop(server)
        relay.close()
    [mail] = [m for m in moto.sent_raw_emails() if mentee in m["destinations"]]
    assert "questions/confirm?token=" in mail["raw_data"], "the confirmation went out through SES"


def test_the_demo_never_seeds_a_table_that_is_not_on_this_machine(monkeypatch, tmp_path):
    settings = Settings.from_env({"PASSERELLE_STORE": "dynamodb", "PASSERELLE_SECRET": "x"})
    with pytest.raises(DemoRefused, match="real table"):
        check_demo_target(settings, env={**FAKE_ENV})
    with pytest.raises(DemoRefused):
        check_demo_target(settings, env={"AWS_ENDPOINT_URL": "https://dynamodb.example.org"})
    check_demo_target(settings, env={"AWS_ENDPOINT_URL": "http://127.0.0.1:5000"})
    check_demo_target(Settings.from_env({"PASSERELLE_DATA_DIR": str(tmp_path)}), env={})


def test_make_serve_on_dynamodb_without_a_table_says_so_in_one_line(
    moto_server, built_site, monkeypatch, tmp_path
):
    missing = unique_name("no-such-table")
    for name, value in {"PASSERELLE_STORE": "dynamodb", "PASSERELLE_TABLE": missing,
                        "PASSERELLE_DATA_DIR": str(tmp_path / "var")}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    assert local_settings(built_site, "127.0.0.1", 1).secret  # a local moto: local secret
    with pytest.raises(SystemExit) as stopped:
        run(site_dir=built_site, host="127.0.0.1", port=free_port())
    said = str(stopped.value.code)
    assert "\n" not in said and f"The DynamoDB table {missing!r} does not exist" in said
    assert "invoke serve --aws" in said


def test_make_serve_on_real_dynamodb_refuses_before_writing(built_site, monkeypatch, tmp_path):
    for name, value in {**FAKE_ENV, "PASSERELLE_STORE": "dynamodb", "PASSERELLE_SECRET": "x",
                        "PASSERELLE_DATA_DIR": str(tmp_path / "var")}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    with pytest.raises(SystemExit) as stopped:
        run(site_dir=built_site, host="127.0.0.1", port=free_port())
    assert "seeds invented mentor contacts" in str(stopped.value.code)
