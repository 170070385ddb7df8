"""A small, frugal HTTP load generator for the relay on 127.0.0.1 (one thread, keep-alive).

It shares the machine's cores with the server it measures, so it does as
little as it can per request: non-blocking sockets under one selector, no
event loop or task per request, requests prebuilt as bytes, responses read by
Content-Length. Each simulated client posts from its own loopback address
(127.x.y.z) and moves to a fresh one every `per_address` posts, as distinct
people behind distinct addresses would, so the relay's rate limits stay on.
Run in its own process (`run_in_process`) so it does not take the server's GIL.
"""

from __future__ import annotations

import errno
import multiprocessing
import selectors
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

RETRIES = 3  # a request whose connection closed under it is sent again, on a new one


@dataclass
class Outcome:
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    accepted_keys: list[str] = field(default_factory=list)  # idempotency keys answered 202
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)  # exception names
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # the generator's own CPU time while it sent

    def failed(self, error: BaseException, count: int = 1) -> None:
        self.errors += count
        self.count(type(error).__name__, count)

    def count(self, kind: str, count: int = 1) -> None:
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + count


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


def _response(buffer: bytearray) -> tuple[int, int] | None:
    """(status, length in the buffer) of the first complete response, or None yet."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buffer[:end]).lower()
    length = 0
    if (at := head.find(b"\r\ncontent-length:")) >= 0:
        stop = head.find(b"\r\n", at + 2)
        length = int(head[at + 17 : stop if stop >= 0 else end])
    total = end + 4 + length
    return (int(head[9:12]), total) if len(buffer) >= total else None


class _Connection:
    """One keep-alive client: its source address and the (key, request) it still has to send."""

    def __init__(self, host: str, port: int, source: str, batch: list, timeout: float):
        self.where, self.source, self.batch, self.timeout = (host, port), source, batch, timeout
        self.position = self.attempts = 0
        self.buffer = bytearray()
        self.sock: socket.socket | None = None
        self.connected = False
        self.started = self.deadline = 0.0

    def open(self, selector) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.bind((self.source, 0))
            code = sock.connect_ex(self.where)
        except OSError:
            sock.close()
            raise
        if code not in (0, errno.EINPROGRESS):
            sock.close()
            raise ConnectionRefusedError(code, "connect")
        self.sock, self.connected = sock, False
        self.buffer.clear()
        self.deadline = time.perf_counter() + self.timeout
        selector.register(sock, selectors.EVENT_WRITE, self)

    def send(self, selector) -> None:
        """Send the current request (a request fits the socket buffer in one go)."""
        self.started = time.perf_counter()
        self.deadline = self.started + self.timeout
        self.sock.sendall(self.batch[self.position][1])
        selector.modify(self.sock, selectors.EVENT_READ, self)

    def close(self, selector) -> None:
        if self.sock is not None:
            selector.unregister(self.sock)
            self.sock.close()
            self.sock = None


def _drive(jobs: list, clients: int, timeout: float, host: str, port: int) -> Outcome:
    """Send every job's requests, `clients` connections at a time, one job per connection."""
    out = Outcome()
    selector = selectors.DefaultSelector()
    jobs = list(reversed(jobs))
    live: set[_Connection] = set()

    def give_up(conn: _Connection, error: BaseException) -> None:
        out.failed(error, len(conn.batch) - conn.position)
        conn.close(selector)
        live.discard(conn)

    def start(conn: _Connection) -> None:
        try:
            conn.open(selector)
        except OSError as error:
            give_up(conn, error)

    def broken(conn: _Connection, error: BaseException) -> None:
        """The connection closed under a request: again on a new one, a few times."""
        conn.close(selector)
        if conn.attempts >= RETRIES:
            give_up(conn, error)
            return
        conn.attempts += 1
        out.count(f"retried_{type(error).__name__}")
        start(conn)

    def answered(conn: _Connection, status: int) -> None:
        out.latencies.append(time.perf_counter() - conn.started)
        out.statuses[status] = out.statuses.get(status, 0) + 1
        key = conn.batch[conn.position][0]
        if status == 202 and key is not None:
            out.accepted_keys.append(key)
        conn.position += 1
        conn.attempts = 0

    began, cpu = time.perf_counter(), time.process_time()
    while jobs or live:
        while jobs and len(live) < clients:
            source, batch = jobs.pop()
            conn = _Connection(host, port, source, batch, timeout)
            live.add(conn)
            start(conn)
        for item, _events in selector.select(timeout=0.2):
            conn = item.data
            try:
                if not conn.connected:
                    code = conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if code:
                        raise ConnectionRefusedError(code, "connect")
                    conn.connected = True
                    conn.send(selector)
                    continue
                data = conn.sock.recv(65536)
                if not data:
                    raise ConnectionResetError("closed by the server")
                conn.buffer += data
                while (reply := _response(conn.buffer)) is not None:
                    status, length = reply
                    del conn.buffer[:length]
                    answered(conn, status)
                    if conn.position == len(conn.batch):
                        conn.close(selector)
                        live.discard(conn)
                        break
                    conn.send(selector)
            except (OSError, ValueError) as error:
                broken(conn, error)
        now = time.perf_counter()
        for conn in [c for c in live if c.sock is not None and c.deadline < now]:
            give_up(conn, TimeoutError("no answer in time"))
    out.seconds, out.cpu_seconds = time.perf_counter() - began, time.process_time() - cpu
    selector.close()
    return out


def submit(
    host: str, port: int, origin: str, *, total: int, clients: int, per_address: int,
    mentors: int, start: int = 0, prefix: str = "bench", timeout: float = 30.0,
) -> Outcome:  # fmt: skip
    """Post `total` distinct questions over `clients` concurrent keep-alive connections.

    A request whose connection closed under it is sent again on a new one, with the
    same idempotency key, as a browser's retry would (the relay answers a replay with
    the first answer)."""
    jobs = []
    for index, first in enumerate(range(start, start + total, per_address)):
        numbers = range(first, min(first + per_address, start + total))
        batch = [(f"{prefix}-{n}", post(host, port, origin, form(n, mentors, f"{prefix}-{n}")))
                 for n in numbers]  # fmt: skip
        jobs.append((source_address(start // per_address + index), batch))
    return _drive(jobs, clients, timeout, host, port)


def simultaneous(host: str, port: int, connections: int, timeout: float = 30.0) -> dict:
    """Open `connections` connections at once, each asks /api/health: how many were answered."""
    request = f"GET /api/health HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    jobs = [(f"127.200.{i // 250}.{1 + i % 250}", [(None, request)]) for i in range(connections)]
    out = _drive(jobs, connections, timeout, host, port)
    return {"connections": connections, "answered": out.statuses.get(200, 0),
            "seconds": round(out.seconds, 2)}  # fmt: skip


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
