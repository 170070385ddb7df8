"""The OpenAPI document tells the truth: schemathesis against the real relay, and the document's
own promises (bodies, closed sets, references, 405 for undeclared methods)."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.request import urlopen

import pytest
import yaml
from relay import vocab
from relay.devserver import serve, stop
from site_search import relay_data

from tests.conftest import (
    MODERATOR_TOKENS,
    RELAY_MENTORS,
    ROOT,
    free_port,
    moderator_entries,
    relay_settings,
)

CONFIG = Path(__file__).with_name("schemathesis.toml")


@pytest.fixture
def served(tmp_path):
    """The local server (`make serve`'s, on granian: the resolver, a SQLite file, the outbox)
    on a free port, with a site folder that holds only the build's manifest."""
    site = tmp_path / "site"
    (site / "relay").mkdir(parents=True)
    regions = yaml.safe_load((ROOT / "data" / "regions.yaml").read_text("utf-8"))
    situations = yaml.safe_load((ROOT / "data" / "situations.yaml").read_text("utf-8"))
    manifest = {"mentors": RELAY_MENTORS, "regions": [str(r["code"]) for r in regions],
                "situations": [str(s["code"]) for s in situations]}  # fmt: skip
    (site / "relay" / "mentors.json").write_text(json.dumps(manifest), encoding="utf-8")
    for lang in ("fr", "en"):  # the search pages' data: no mentor, every facet of data/
        relay_data.write(site, lang, relay_data.document(lang, [], [], facet_refs(lang)))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = relay_settings(
        tmp_path / "var", site / "relay" / "mentors.json", url,
        moderator_tokens=moderator_entries(),
    )  # fmt: skip
    process = serve(site, settings, "127.0.0.1", port, workers=1, maintenance=False)
    yield SimpleNamespace(url=url)
    stop(process)


def facet_refs(lang: str) -> dict[str, list]:
    """Each facet's values as the search data names them (code, name, listing URL)."""

    def refs(vocabulary: str, key: str) -> list:
        items = yaml.safe_load((ROOT / "data" / f"{vocabulary}.yaml").read_text("utf-8"))
        return [SimpleNamespace(code=str(i["code"]), slug=str(i.get(key, i["code"])),
                                name=str(i[lang]), url="") for i in items]  # fmt: skip

    return {"sectors": refs("sectors", "code"), "regions": refs("regions", "slug"),
            "languages": refs("languages", "code")}  # fmt: skip


def schemathesis_command() -> list[str]:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert found, "schemathesis is in the test set: make .venv/.installed"
    return [found]


def test_schemathesis_finds_nothing_wrong_with_every_check(served, tmp_path):
    """Every operation, every phase, every check, a bounded number of examples each."""
    seed = int(os.environ.get("API_FUZZ_SEED", random.randrange(10**6)))
    command = [
        *schemathesis_command(), "--config-file", str(CONFIG), "run",
        f"{served.url}/api/openapi.json", "--checks", "all", "--max-examples", "10",
        "--seed", str(seed), "--workers", "1", "--no-color",
        "--header", f"Authorization: Bearer {MODERATOR_TOKENS['alice']}",
    ]  # fmt: skip
    run = subprocess.run(  # in a temporary folder: its caches stay out of the repository
        command, capture_output=True, text=True, timeout=180, check=False, cwd=tmp_path
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, f"seed {seed} (API_FUZZ_SEED):\n{report[-6000:]}"
    assert " passed" in report and "failures" not in report.splitlines()[-1]
    with urlopen(f"{served.url}/api/health", timeout=10) as alive:  # still serving after it
        assert json.loads(alive.read()) == {"ok": True}


@pytest.fixture
def document(relay) -> dict:
    status, headers, body = relay.request("GET", "/api/openapi.json")
    assert status == 200 and headers["content-type"].startswith("application/json")
    return json.loads(body)


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_every_reference_resolves_and_no_schema_keeps_its_own_defs(document):
    found = list(refs(document))
    assert found
    for ref in found:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in document["components"]["schemas"], ref
    assert "$defs" not in json.dumps(document)


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_route_that_takes_a_body_declares_it(document):
    bodies = {(p, m): o.get("requestBody") for p, m, o in operations(document) if m == "post"}
    assert len(bodies) >= 10
    for (path, _), body in bodies.items():
        if path.startswith("/api/moderation/jobs/"):
            assert body is None  # resend and close take no body
            continue
        assert body and body["required"], path
    form = "application/x-www-form-urlencoded"
    for path in ("/api/questions", "/api/questions/confirm", "/api/conversation/reply",
                 "/api/conversation/erase", "/api/mentors/pause"):  # fmt: skip
        assert set(bodies[(path, "post")]["content"]) == {form, "application/json"}


def test_the_statuses_each_route_answers_are_listed(document):
    statuses = {(p, m): set(o["responses"]) for p, m, o in operations(document)}
    assert {"202", "303", "400", "403", "404", "409", "413", "415", "422", "429"} <= statuses[
        ("/api/questions", "post")
    ]
    assert {"200", "400", "410"} <= statuses[("/api/questions/confirm", "get")]
    assert {"200", "400", "403", "410", "413", "415"} <= statuses[
        ("/api/questions/confirm", "post")
    ]
    assert {"303", "400", "403", "409", "410", "413", "415", "422", "429"} <= statuses[
        ("/api/conversation/reply", "post")
    ]
    assert {"200", "401", "403", "404", "409", "422"} <= statuses[
        ("/api/moderation/messages/{message_id}/approve", "post")
    ]
    for (path, _), listed in statuses.items():
        assert any(code.startswith("2") or code.startswith("3") for code in listed), path
        if path.startswith("/api/moderation/"):
            assert {"401", "403"} <= listed, path


def test_closed_sets_are_enums_from_their_one_source(document, relay):
    schemas = [
        o["requestBody"]["content"]["application/json"]["schema"]
        for p, m, o in operations(document)
        if p == "/api/questions" and m == "post"
    ]
    question = schemas[0]["properties"]
    assert question["mentor"]["enum"] == sorted(RELAY_MENTORS)  # the build's manifest
    assert question["region"]["enum"] == vocab.codes("regions")
    assert question["situation"]["enum"] == vocab.codes("situations")
    assert question["lang"]["enum"] == ["fr", "en"]
    assert (question["age"]["minimum"], question["age"]["maximum"]) == (14, 30)
    reject = document["paths"]["/api/moderation/messages/{message_id}/reject"]["post"]
    reason = reject["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert reason["reason"]["enum"] == vocab.codes("rejection_reasons")


def test_the_mentor_enum_follows_a_new_manifest(relay):
    manifest = Path(relay.settings.manifest)
    data = json.loads(manifest.read_text("utf-8"))
    data["mentors"]["nouvelle-mentore"] = {"name": "Nouvelle", "lang": "fr", "accepting": True}
    manifest.write_text(json.dumps(data), encoding="utf-8")
    os.utime(manifest, ns=(1, 1))  # a different stamp, whatever the clock's resolution
    _, _, body = relay.request("GET", "/api/openapi.json")
    schema = json.loads(body)["paths"]["/api/questions"]["post"]["requestBody"]["content"]
    assert (
        "nouvelle-mentore" in schema["application/json"]["schema"]["properties"]["mentor"]["enum"]
    )


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [("DELETE", "/api/questions", "POST"), ("PUT", "/api/questions/confirm", "GET, POST"),
     ("TRACE", "/api/conversation", "GET"), ("GET", "/api/conversation/reply", "POST"),
     ("PATCH", "/api/moderation/messages/abc/approve", "POST"), ("POST", "/api/health", "GET")],
)  # fmt: skip
def test_an_undeclared_method_on_a_known_path_is_405_with_allow(relay, method, path, allow):
    status, headers, body = relay.request(method, path)
    assert (status, headers["allow"]) == (405, allow)
    assert json.loads(body)["error"] == "method_not_allowed"
    status, _, _ = relay.request(method, "/api/nothing-here")
    assert status == 404


def test_the_local_server_refuses_a_huge_body_with_the_relay_s_headers(served):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", int(served.url.rsplit(":", 1)[1]), timeout=10)
    conn.request("POST", "/api/questions", b"x" * 100_000, {"Content-Type": "application/json"})
    response = conn.getresponse()
    assert response.status == 413 and json.loads(response.read())["error"] == "too_large"
    assert "frame-ancestors 'none'" in response.getheader("Content-Security-Policy")
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    conn.close()
