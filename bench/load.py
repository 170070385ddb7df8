"""A small, frugal HTTP load generator for the relay on 127.0.0.1 (asyncio, keep-alive).

It shares the machine's cores with the server it measures, so it does as
little as it can per request: requests are prebuilt bytes, responses are read
by Content-Length. Each simulated client posts from its own loopback address
(127.x.y.z) and moves to a fresh one every `per_address` posts, as distinct
people behind distinct addresses would, so the relay's rate limits stay on.
Run in its own process (`run_in_process`) so it does not take the server's GIL.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode


@dataclass
class Outcome:
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    accepted_keys: list[str] = field(default_factory=list)  # idempotency keys answered 202
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)  # exception names
    seconds: float = 0.0

    def failed(self, error: BaseException, count: int = 1) -> None:
        self.errors += count
        name = type(error).__name__
        self.error_kinds[name] = self.error_kinds.get(name, 0) + count


def form(n: int, mentors: int, key: str) -> str:
    return urlencode({
        "mentor": f"mentor-{n % mentors:05d}", "lang": "fr", "pseudonym": f"Bench{n}",
        "age": str(14 + n % 17), "region": "06", "situation": "cegep",
        "email": f"bench{n}@example.org", "consent": "yes", "website": "",
        "question": f"Question {n} : quelles études mènent à votre métier au Québec?",
        "idempotency_key": key, "rendered_at": str(int(time.time() * 1000) - 30_000),
    })  # fmt: skip


def post(host: str, port: int, origin: str, body: str) -> bytes:
    data = body.encode()
    return (
        f"POST /api/questions HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n"
        f"Origin: {origin}\r\nContent-Length: {len(data)}\r\n\r\n"
    ).encode() + data


def source_address(index: int) -> str:
    return f"127.{1 + index // 62500 % 250}.{1 + index // 250 % 250}.{1 + index % 250}"


async def _read(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    body = await reader.readexactly(length) if length else b""
    return status, body


async def _connect(host, port, index, timeout):
    local = (source_address(index), 0)
    return await asyncio.wait_for(asyncio.open_connection(host, port, local_addr=local), timeout)


async def _client(host, port, jobs, out: Outcome, timeout: float, retries: int = 3) -> None:
    """Take (address index, [(key, request bytes)]) batches until none is left. A request
    whose connection closed under it is sent again on a new one, with the same idempotency
    key, as a browser's retry would (the relay answers a replay with the first answer)."""
    while jobs:
        index, batch = jobs.pop()
        try:
            reader, writer = await _connect(host, port, index, timeout)
        except (OSError, TimeoutError) as error:
            out.failed(error, len(batch))
            continue
        try:
            for key, request in batch:
                for attempt in range(retries + 1):
                    start = time.perf_counter()
                    try:
                        writer.write(request)
                        status, _ = await asyncio.wait_for(_read(reader), timeout)
                        break
                    except (OSError, asyncio.IncompleteReadError) as error:
                        writer.close()
                        if attempt == retries:
                            raise
                        out.error_kinds[f"retried_{type(error).__name__}"] = (
                            out.error_kinds.get(f"retried_{type(error).__name__}", 0) + 1
                        )
                        reader, writer = await _connect(host, port, index, timeout)
                out.latencies.append(time.perf_counter() - start)
                out.statuses[status] = out.statuses.get(status, 0) + 1
                if status == 202:
                    out.accepted_keys.append(key)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as error:
            out.failed(error)
        finally:
            writer.close()


def submit(
    host: str, port: int, origin: str, *, total: int, clients: int, per_address: int,
    mentors: int, start: int = 0, prefix: str = "bench", timeout: float = 30.0,
) -> Outcome:  # fmt: skip
    """Post `total` distinct questions over `clients` concurrent keep-alive connections."""
    jobs = []
    for index, first in enumerate(range(start, start + total, per_address)):
        numbers = range(first, min(first + per_address, start + total))
        batch = [(f"{prefix}-{n}", post(host, port, origin, form(n, mentors, f"{prefix}-{n}")))
                 for n in numbers]  # fmt: skip
        jobs.append((start // per_address + index, batch))
    jobs.reverse()
    out = Outcome()

    async def main() -> None:
        began = time.perf_counter()
        await asyncio.gather(*(_client(host, port, jobs, out, timeout) for _ in range(clients)))
        out.seconds = time.perf_counter() - began

    asyncio.run(main())
    return out


def simultaneous(host: str, port: int, connections: int, timeout: float = 30.0) -> dict:
    """Open `connections` connections at once, each asks /api/health: how many were answered."""
    request = f"GET /api/health HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()

    async def one(i: int) -> int:
        try:
            source = (f"127.200.{i // 250}.{1 + i % 250}", 0)
            connecting = asyncio.open_connection(host, port, local_addr=source)
            reader, writer = await asyncio.wait_for(connecting, timeout)
            writer.write(request)
            status, _ = await asyncio.wait_for(_read(reader), timeout)
            writer.close()
            return status
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
            return 0

    async def main() -> list[int]:
        return await asyncio.gather(*(one(i) for i in range(connections)))

    began = time.perf_counter()
    codes = asyncio.run(main())
    return {"connections": connections, "answered": sum(1 for c in codes if c == 200),
            "seconds": round(time.perf_counter() - began, 2)}  # fmt: skip


def _entry(conn, kwargs) -> None:
    conn.send(submit(**kwargs))
    conn.close()


def run_in_process(**kwargs) -> Outcome:
    """`submit` in a process of its own: the generator does not share the server's GIL."""
    spawn = multiprocessing.get_context("spawn")
    parent, child = spawn.Pipe(duplex=False)
    process = spawn.Process(target=_entry, args=(child, kwargs), daemon=True)
    process.start()
    child.close()
    outcome = parent.recv()
    process.join(timeout=30)
    return outcome
