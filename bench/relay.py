"""Relay benchmark: accepted submissions per second through the local server, their latency,
what was stored (counted afterwards: nothing lost, nothing doubled), 100 simultaneous
connections, the outbox drain, the handler in-process and the Lambda cold import.

The server is `make serve`'s (relay.devserver.serve: granian, one worker process per CPU,
SQLite in WAL) on 127.0.0.1; the load generator (bench/load.py) runs in its own
process. Rate limits stay on: each simulated client posts from its own loopback address.

    python -m bench.relay
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bench.machine import describe, machine_speed

ROOT = Path(__file__).resolve().parent.parent
MENTORS = 1000
SUBMISSIONS = 6000
CLIENTS = 16  # concurrent keep-alive connections
PER_ADDRESS = 50  # posts from one source address (under the per-client hourly limit)
CONNECTIONS = 100  # at once, for the simultaneous-connections check
IN_PROCESS = 600
COLD_RUNS = 5
TARGET = {"per_second": 1000, "p99_ms": 50}


def _paths() -> None:
    for extra in ("functions", "plugins", ""):
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


def _settings(folder: Path, site_url: str):
    from relay.config import Settings

    return Settings(
        data_dir=folder / "var", store="sqlite", table="", mailer="outbox",
        sender="Passerelle <relais@passerelle.example.org>", site_url=site_url,
        manifest=str(_manifest(folder)), secret=secrets.token_urlsafe(16), moderator_tokens="",
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def workers_of(process) -> list[int]:
    """The worker processes of a server from `devserver.serve` (its children; Linux /proc)."""
    path = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    return [int(pid) for pid in path.read_text("ascii").split()] if path.exists() else []


def cpu_seconds(pids: list[int]) -> float | None:
    """CPU time (user + system) the processes have used so far; None without /proc."""
    total = 0.0
    try:
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text("ascii").rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None
    return total if pids else None


def _quantile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def through_server(folder: Path, workers: int | None = None) -> dict:
    """Concurrent clients against `make serve`'s server on 127.0.0.1; then count the rows."""
    from relay import container
    from relay.devserver import serve, stop
    from relay.store.sqlite import SqliteStore

    from bench import load

    port = _free_port()
    settings = _settings(folder, f"http://127.0.0.1:{port}")
    workers = workers or os.cpu_count() or 1
    server = serve(folder, settings, "127.0.0.1", port, workers=workers, maintenance=False)
    try:
        load.submit(
            "127.0.0.1",
            port,
            settings.site_url,
            total=100,
            clients=4,
            per_address=PER_ADDRESS,
            mentors=MENTORS,
            start=10**7,
            prefix="warm",
        )
        pids = workers_of(server)
        before = cpu_seconds(pids)
        outcome = load.run_in_process(
            host="127.0.0.1", port=port, origin=settings.site_url, total=SUBMISSIONS,
            clients=CLIENTS, per_address=PER_ADDRESS, mentors=MENTORS,
        )  # fmt: skip
        server_cpu = cpu_seconds(pids) - before if before is not None else None
        crowd = load.simultaneous("127.0.0.1", port, CONNECTIONS)
    finally:
        stop(server)
    store = SqliteStore(settings.database)
    con = store._con()
    keys = {
        row[0]
        for row in con.execute(
            "SELECT i.key FROM idempotency i JOIN threads t ON t.id = i.thread_id"
            " WHERE i.key LIKE 'bench-%'"
        )
    }  # every acknowledged key with its thread stored
    threads, distinct = con.execute(
        "SELECT COUNT(*), COUNT(DISTINCT pseudonym) FROM threads WHERE pseudonym LIKE 'Bench%'"
    ).fetchone()  # one question, one thread: a doubled submission shows as a repeated pseudonym
    jobs = con.execute("SELECT COUNT(*) FROM jobs WHERE kind = 'confirmation'").fetchone()[0]
    accepted = outcome.statuses.get(202, 0)
    lost = sum(1 for k in outcome.accepted_keys if k not in keys)
    started = time.perf_counter()
    relay = container.build(settings)
    sent = relay.delivery.drain(rounds=10**6, limit=200).sent
    drain_seconds = time.perf_counter() - started
    relay.close()
    store.close()
    latencies = outcome.latencies
    return {
        "workers": workers, "clients": CLIENTS, "submissions": SUBMISSIONS,
        "accepted": accepted, "statuses": outcome.statuses, "errors": outcome.errors,
        "error_kinds": outcome.error_kinds,
        "seconds": round(outcome.seconds, 2),
        "accepted_per_second": round(accepted / outcome.seconds, 1),
        "p50_ms": round(_quantile(latencies, 50) * 1000, 2),
        "p99_ms": round(_quantile(latencies, 99) * 1000, 2),
        "lost": lost, "doubled": threads - distinct,
        "threads_stored": threads - 100, "confirmations_queued": jobs - 100,
        "simultaneous": crowd,
        # CPU per request, which contention changes far less than the wall-clock figures
        "server_cpu_ms": round(server_cpu * 1000 / SUBMISSIONS, 3) if server_cpu else None,
        "client_cpu_ms": round(outcome.cpu_seconds * 1000 / SUBMISSIONS, 3),
        "outbox_drain_per_second": round(sent / drain_seconds, 1) if drain_seconds else None,
    }  # fmt: skip


def in_process(folder: Path) -> dict:
    """The resolver alone, called with API Gateway v2 events as Lambda would."""
    from relay import container
    from relay.devserver import RelayWSGI, seed_demo_contacts

    from bench import load

    relay = container.build(_settings(folder, "http://127.0.0.1:1"))
    seed_demo_contacts(relay)
    timings = []
    statuses: dict[int, int] = {}
    for n in range(IN_PROCESS):
        environ = {"REQUEST_METHOD": "POST", "REMOTE_ADDR": f"10.0.{n // 250}.{n % 250}",
                   "HTTP_HOST": "127.0.0.1:1", "CONTENT_TYPE": "application/x-www-form-urlencoded",
                   "HTTP_ACCEPT": "application/json"}  # fmt: skip
        body = load.form(n, MENTORS, f"inproc-{n}").encode()
        event = RelayWSGI.event(environ, "/api/questions", body)
        start = time.perf_counter()
        result = relay.resolve(event, None)
        timings.append(time.perf_counter() - start)
        statuses[result["statusCode"]] = statuses.get(result["statusCode"], 0) + 1
    relay.close()
    return {"requests": IN_PROCESS, "p50_ms": round(_quantile(timings, 50) * 1000, 2),
            "p99_ms": round(_quantile(timings, 99) * 1000, 2), "statuses": statuses}  # fmt: skip


def cold_start() -> dict:
    """Import time of relay.aws.handlers (what the functions run) in a fresh interpreter."""
    code = ("import time; t = time.perf_counter(); import relay.aws.handlers; "
            "print(time.perf_counter() - t)")  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT / "functions")}
    runs = []
    for _ in range(COLD_RUNS):
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                             check=True)  # fmt: skip
        runs.append(float(out.stdout.strip()))
    return {"runs": COLD_RUNS, "median_ms": round(statistics.median(runs) * 1000, 1),
            "max_ms": round(max(runs) * 1000, 1)}  # fmt: skip


def verdict(server: dict) -> str:
    ok = (
        server["accepted_per_second"] >= TARGET["per_second"]
        and server["p99_ms"] < TARGET["p99_ms"]
        and server["lost"] == 0 and server["doubled"] == 0
        and server["simultaneous"]["answered"] == server["simultaneous"]["connections"]
    )  # fmt: skip
    return (f"target {TARGET['per_second']}/s, p99 < {TARGET['p99_ms']} ms, 0 lost, 0 doubled,"
            f" {CONNECTIONS} connections answered: {'MET' if ok else 'NOT MET'}")  # fmt: skip


def run() -> dict:
    _paths()
    import logging

    # Measure the work, not the logging. Powertools sets its level when the app is imported,
    # so the environment is what quietens it (worker processes inherit it); put back after.
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    relay_logger = logging.getLogger("passerelle-relay")
    level = relay_logger.level
    relay_logger.setLevel(logging.WARNING)
    results = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-relay-") as tmp:
            results["machine_before"] = machine_speed()
            results["server"] = through_server(Path(tmp) / "server")
            results["machine_after"] = machine_speed()
            print(f"local server: {results['server']}", flush=True)
            print(f"machine, before and after: {describe(results['machine_before'])}, "
                  f"{describe(results['machine_after'])}", flush=True)  # fmt: skip
            print(verdict(results["server"]), flush=True)
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
