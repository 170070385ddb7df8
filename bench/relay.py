"""Relay benchmark: submissions per second through the local server, the handler's latency
in-process, and the Lambda cold-start import time.

Rate limits stay on: each simulated client posts from its own loopback address
(127.0.x.y) and its own invented e-mail address, as distinct people would.

    python -m bench.relay
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import yaml

ROOT = Path(__file__).resolve().parent.parent
MENTORS = 1000
SUBMISSIONS = 1200
CLIENTS = 8  # concurrent connections
PER_ADDRESS = 10  # the per-client hourly limit: one source address per 10 posts
IN_PROCESS = 600
COLD_RUNS = 5


def _paths() -> None:
    for extra in ("functions", "plugins"):
        if str(ROOT / extra) not in sys.path:
            sys.path.insert(0, str(ROOT / extra))


def _manifest(folder: Path) -> Path:
    vocab = {n: yaml.safe_load((ROOT / "data" / f"{n}.yaml").read_text("utf-8"))
             for n in ("regions", "situations")}  # fmt: skip
    data = {
        "generated": "2026-11-28T12:00:00Z",
        "mentors": {
            f"mentor-{i:05d}": {
                "name": f"Mentor {i} (invented)",
                "lang": "fr",
                "accepting": True,
                "capacity": 10**6,
            }
            for i in range(MENTORS)
        },  # fmt: skip
        "regions": [str(r["code"]) for r in vocab["regions"]],
        "situations": [str(s["code"]) for s in vocab["situations"]],
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mentors.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _form(n: int) -> str:
    return urlencode({
        "mentor": f"mentor-{n % MENTORS:05d}", "lang": "fr", "pseudonym": f"Bench{n}",
        "age": str(14 + n % 17), "region": "06", "situation": "cegep",
        "email": f"bench{n}@example.org", "consent": "yes", "website": "",
        "question": f"Question {n} : quelles études mènent à votre métier au Québec?",
    })  # fmt: skip


def _settings(folder: Path):
    from relay.config import Settings

    return Settings(
        data_dir=folder / "var", store="sqlite", table="", mailer="outbox",
        sender="Passerelle <relais@passerelle.example.org>", site_url="http://127.0.0.1:1",
        manifest=str(_manifest(folder)), secret=secrets.token_urlsafe(16), moderator_tokens="",
    )  # fmt: skip


def through_server(folder: Path) -> dict:
    """Concurrent clients against the real cheroot server on 127.0.0.1 (SQLite, outbox)."""
    import socket

    from relay.devserver import make_server
    from relay.wiring import build_questions

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = _settings(folder)
    from dataclasses import replace

    settings = replace(settings, site_url=f"http://127.0.0.1:{port}")
    server = make_server(folder, "127.0.0.1", port, questions=build_questions(settings))
    thread = threading.Thread(target=server.safe_start, daemon=True)
    thread.start()
    server.ready_event.wait(10)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json",
               "Origin": settings.site_url}  # fmt: skip
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def client(batch: int) -> None:
        source = f"127.0.{1 + batch // 250}.{1 + batch % 250}"
        conn = http.client.HTTPConnection("127.0.0.1", port, source_address=(source, 0))
        for n in range(batch * PER_ADDRESS, (batch + 1) * PER_ADDRESS):
            conn.request("POST", "/api/questions", _form(n), headers)
            response = conn.getresponse()
            response.read()
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, range(SUBMISSIONS // PER_ADDRESS)))
    elapsed = time.perf_counter() - start
    server.stop()
    return {"submissions": SUBMISSIONS, "clients": CLIENTS, "seconds": round(elapsed, 2),
            "per_second": round(SUBMISSIONS / elapsed, 1), "statuses": statuses}  # fmt: skip


def in_process(folder: Path) -> dict:
    """The resolver alone, called with API Gateway v2 events as Lambda would."""
    from relay.api.app import create_app
    from relay.devserver import RelayWSGI, seed_demo_contacts
    from relay.wiring import build_questions

    questions = build_questions(_settings(folder))
    seed_demo_contacts(questions)
    app = create_app(questions)
    timings = []
    statuses: dict[int, int] = {}
    for n in range(IN_PROCESS):
        environ = {"REQUEST_METHOD": "POST", "REMOTE_ADDR": f"10.0.{n // 250}.{n % 250}",
                   "HTTP_HOST": "127.0.0.1:1", "CONTENT_TYPE": "application/x-www-form-urlencoded",
                   "HTTP_ACCEPT": "application/json"}  # fmt: skip
        event = RelayWSGI.event(environ, "/api/questions", _form(n).encode())
        start = time.perf_counter()
        result = app.resolve(event, None)
        timings.append(time.perf_counter() - start)
        statuses[result["statusCode"]] = statuses.get(result["statusCode"], 0) + 1
    cuts = statistics.quantiles(timings, n=100)
    return {"requests": IN_PROCESS, "p50_ms": round(cuts[49] * 1000, 2),
            "p99_ms": round(cuts[98] * 1000, 2), "statuses": statuses}  # fmt: skip


def cold_start() -> dict:
    """Import time of relay.lambda_handler in a fresh interpreter (median of a few runs)."""
    code = ("import time; t = time.perf_counter(); import relay.lambda_handler; "
            "print(time.perf_counter() - t)")  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT / "functions")}
    runs = []
    for _ in range(COLD_RUNS):
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                             check=True)  # fmt: skip
        runs.append(float(out.stdout.strip()))
    return {"runs": COLD_RUNS, "median_ms": round(statistics.median(runs) * 1000, 1),
            "max_ms": round(max(runs) * 1000, 1)}  # fmt: skip


def run() -> dict:
    _paths()
    import logging

    # Measure the work, not the logging. Powertools sets its level when the app is imported,
    # so the environment is what quietens it; the level is put back for whoever runs next.
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    relay_logger = logging.getLogger("passerelle-relay")
    level = relay_logger.level
    relay_logger.setLevel(logging.WARNING)
    results = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-relay-") as tmp:
            results["server"] = through_server(Path(tmp) / "server")
            print(f"local server: {results['server']}", flush=True)
            results["handler"] = in_process(Path(tmp) / "handler")
            print(f"handler in-process: {results['handler']}", flush=True)
    finally:
        relay_logger.setLevel(level)
        os.environ.pop("POWERTOOLS_LOG_LEVEL", None)
    results["cold_import"] = cold_start()
    print(f"lambda cold import: {results['cold_import']}", flush=True)
    return results


if __name__ == "__main__":
    run()
