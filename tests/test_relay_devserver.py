"""The local server (`make serve`'s: granian worker processes on 127.0.0.1): static files and
/api/* on one port, workers that stop with their parent."""

from __future__ import annotations

import http.client
import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from relay.devserver import answers, serve, stop

from bench.relay import workers_of


def make_site(tmp_path):
    site = tmp_path / "site"
    (site / "mentors" / "marie-tremblay").mkdir(parents=True)
    (site / "index.html").write_text("<h1>Accueil</h1>", encoding="utf-8")
    (site / "404.html").write_text("<h1>Introuvable</h1>", encoding="utf-8")
    (site / "mentors" / "marie-tremblay" / "index.html").write_text("profil", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside the site", encoding="utf-8")
    return site


@pytest.fixture
def served(tmp_path, relay):
    """Two worker processes on the harness's files (the test reads what they stored)."""
    from conftest import free_port

    port = free_port()
    process = serve(make_site(tmp_path), relay.settings, "127.0.0.1", port, workers=2,
                    maintenance=False)  # fmt: skip
    yield port
    stop(process)


def gone(pid: int, within: float = 20.0) -> bool:
    """Whether process `pid` ends within `within` seconds (a bounded wait, not a timing)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":  # ended, not yet reaped
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False


def get(port, path, method="GET", body=None, headers=None, source="127.0.0.1"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, response, data


def test_static_files_directories_and_404(served):
    assert get(served, "/")[2] == b"<h1>Accueil</h1>"
    assert get(served, "/mentors/marie-tremblay/")[2] == b"profil"
    status, response, _ = get(served, "/mentors/marie-tremblay")
    assert status == 301 and response.getheader("Location") == "/mentors/marie-tremblay/"
    for path in ("/nothing/", "/../secret.txt", "/%2e%2e/secret.txt"):
        status, _, body = get(served, path)
        assert status == 404 and b"outside" not in body


def test_concurrent_submissions_never_mix_requests(served, relay):
    site = relay.SITE_URL

    def post(n: int):
        form = {"mentor": "marie-tremblay" if n % 2 else "jordan-lee", "lang": "fr",
                "pseudonym": f"Person{n}", "age": "20", "region": "06", "situation": "cegep",
                "email": f"person{n}@example.org", "consent": "yes",
                "question": f"Question numéro {n}, sur les études et le métier.",
                "rendered_at": str(int(time.time() * 1000) - 30_000)}  # fmt: skip
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Accept": "application/json", "Origin": site}  # fmt: skip
        status, _, body = get(served, "/api/questions", "POST", urlencode(form), headers,
                              source=f"127.0.9.{n + 1}")  # fmt: skip
        return status, json.loads(body)

    with ThreadPoolExecutor(12) as pool:
        replies = list(pool.map(post, range(36)))
    assert [status for status, _ in replies] == [202] * 36
    now = datetime.now(UTC)
    con = relay.store._con()
    rows = con.execute("SELECT id, mentor, pseudonym FROM threads").fetchall()
    assert len(rows) == 36  # two processes, one file: none lost, none mixed
    for thread_id, mentor, pseudonym in rows:
        n = int(pseudonym.removeprefix("Person"))
        assert mentor == ("marie-tremblay" if n % 2 else "jordan-lee")
        [message] = relay.store.list_messages(thread_id, now=now)
        assert message.body.startswith(f"Question numéro {n},")
        assert relay.store.get_thread(thread_id, now=now).mentee_email == f"person{n}@example.org"


def test_oversized_posts_are_refused_before_reading(served):
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "10000000"}
    conn = http.client.HTTPConnection("127.0.0.1", served, timeout=30)
    conn.putrequest("POST", "/api/questions")
    for key, value in headers.items():
        conn.putheader(key, value)
    conn.endheaders()
    response = conn.getresponse()
    assert response.status == 413
    conn.close()


def test_the_api_document_is_served_by_the_local_server(served):
    status, response, body = get(served, "/api/openapi.json")
    assert status == 200 and "/api/questions" in json.loads(body)["paths"]


def test_a_busy_port_is_a_clear_message_not_a_traceback(tmp_path, monkeypatch, built_site):
    import socket

    from relay.devserver import run

    monkeypatch.setenv("PASSERELLE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PASSERELLE_MANIFEST", str(built_site / "relay" / "mentors.json"))
    monkeypatch.setenv("PASSERELLE_MODERATOR_TOKENS", "0" * 64)  # run() sets none of its own
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(SystemExit) as stopped:
            run(site_dir=built_site, host="127.0.0.1", port=port)
    assert f"127.0.0.1:{port}" in str(stopped.value) and "PORT=" in str(stopped.value)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_the_workers_stop_with_the_server(tmp_path, relay, how):
    from conftest import free_port

    port = free_port()
    process = serve(make_site(tmp_path), relay.settings, "127.0.0.1", port, workers=2,
                    maintenance=False)  # fmt: skip
    try:
        workers = workers_of(process)
        assert len(workers) == 2 and answers("127.0.0.1", port)
        os.kill(process.pid, how)  # SIGKILL: no signal reaches the workers, they notice
        process.join(20)
        assert not process.is_alive()
        assert all(gone(pid) for pid in workers)
        assert not answers("127.0.0.1", port, timeout=2)
    finally:
        stop(process)
