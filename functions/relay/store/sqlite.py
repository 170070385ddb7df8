"""Store on one SQLite file (WAL): the embedded default for `make serve` and the tests.

Each thread of the WSGI server gets its own connection; every write runs in
`BEGIN IMMEDIATE` so compare-and-set checks and their writes are serialized.
The rules (state machine, message changes, leases, windows, idempotency) come
from `relay.domain`; this module only reads and writes. The file and its WAL
are private (0600), deleted content is overwritten (`secure_delete`), and an
erasure checkpoints the WAL so no old copy of a text stays on disk.
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ..domain import (
    AgeBand,
    Conflict,
    DeliveryJob,
    Event,
    Expired,
    JobKind,
    JobState,
    MentorContact,
    Message,
    NotFound,
    Side,
    Status,
    Thread,
    ThreadState,
)
from ..domain.applications import Application, ApplicationState
from ..domain.changes import apply_changes, check_expected
from ..domain.idempotency import IdempotencyRecord, replay
from ..domain.leases import check_held, moved
from ..domain.policies import AUDIT_TTL, IDEMPOTENCY_TTL
from ..domain.windows import window_start
from .base import dt as _dt
from .base import ts as _ts

SCHEMA = """
CREATE TABLE IF NOT EXISTS threads (
  id TEXT PRIMARY KEY, mentor TEXT NOT NULL, lang TEXT NOT NULL, pseudonym TEXT,
  age_band TEXT NOT NULL, region TEXT NOT NULL, situation TEXT NOT NULL, mentee_email TEXT,
  created_at TEXT NOT NULL, expires_at TEXT NOT NULL, state TEXT NOT NULL,
  last_activity_at TEXT);
CREATE INDEX IF NOT EXISTS threads_mentor ON threads (mentor, state);
CREATE INDEX IF NOT EXISTS threads_activity ON threads (state, last_activity_at);
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, author TEXT NOT NULL, body TEXT,
  delivered_text TEXT, status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  expires_at TEXT NOT NULL, flags TEXT NOT NULL, priority INTEGER NOT NULL,
  version INTEGER NOT NULL, reason TEXT, escalated INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS messages_thread ON messages (thread_id, created_at);
CREATE INDEX IF NOT EXISTS messages_queue ON messages (status, priority, created_at);
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, message_id TEXT, action TEXT NOT NULL,
  actor TEXT NOT NULL, at TEXT NOT NULL, detail TEXT NOT NULL, expires_at TEXT NOT NULL,
  seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS events_thread ON events (thread_id, seq);
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY, message_id TEXT NOT NULL, thread_id TEXT NOT NULL,
  recipient TEXT NOT NULL, created_at TEXT NOT NULL, next_attempt_at TEXT NOT NULL,
  expires_at TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,
  lease_owner TEXT, lease_until TEXT, last_error TEXT, kind TEXT NOT NULL DEFAULT 'message',
  permanent INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, thread_id TEXT NOT NULL,
  message_id TEXT NOT NULL, expires_at TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters (
  bucket TEXT NOT NULL, key_hash TEXT NOT NULL, window_start TEXT NOT NULL,
  count INTEGER NOT NULL, expires_at TEXT NOT NULL,
  PRIMARY KEY (bucket, key_hash, window_start)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS mentor_contacts (
  slug TEXT PRIMARY KEY, email TEXT NOT NULL, paused INTEGER NOT NULL, updated_at TEXT);
CREATE TABLE IF NOT EXISTS undeliverable (
  address_key TEXT PRIMARY KEY, reason TEXT NOT NULL, at TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS applications (
  id TEXT PRIMARY KEY, lang TEXT NOT NULL, name TEXT NOT NULL, occupation TEXT NOT NULL,
  sector TEXT NOT NULL, region TEXT NOT NULL, languages TEXT NOT NULL,
  years_experience INTEGER NOT NULL, topics TEXT NOT NULL, bio TEXT, email TEXT,
  created_at TEXT NOT NULL, expires_at TEXT NOT NULL, state TEXT NOT NULL, flags TEXT NOT NULL,
  decided_at TEXT, decided_by TEXT, reason TEXT, slug TEXT);
CREATE INDEX IF NOT EXISTS applications_created ON applications (created_at, id);
"""
#: Indexes on added columns: made once the columns exist (after `_migrate`).
ADDED_INDEXES = "CREATE INDEX IF NOT EXISTS threads_mentee ON threads (mentee_key, created_at);"
APPLICATION_COLUMNS = (
    "id", "lang", "name", "occupation", "sector", "region", "languages", "years_experience",
    "topics", "bio", "email", "created_at", "expires_at", "state", "flags", "decided_at",
    "decided_by", "reason", "slug",
)  # fmt: skip
THREAD_COLUMNS = (
    "id, mentor, lang, pseudonym, age_band, region, situation, mentee_email, created_at,"
    " expires_at, state, last_activity_at, mentee_key"
)

BUSY_DEADLINE = 30.0  # seconds a write waits for the lock before it fails
WAL_LIMIT = 64 * 2**20  # bytes of WAL past which the checkpointer folds it back into the file
CHECKPOINT_EVERY = 0.1  # seconds between the checkpointer's looks at the WAL's size

#: Columns added since the first release: a file made before gets them when it is opened.
ADDED_COLUMNS = {
    "threads": {"mentee_key": "TEXT"},
    "jobs": {
        "kind": "TEXT NOT NULL DEFAULT 'message'",
        "permanent": "INTEGER NOT NULL DEFAULT 0",
    },
}
JOB_COLUMNS = (
    "id, message_id, thread_id, recipient, created_at, next_attempt_at, expires_at, state,"
    " attempts, lease_owner, lease_until, last_error, kind, permanent"
)


def _thread(row: sqlite3.Row) -> Thread:
    return Thread(
        id=row["id"],
        mentor=row["mentor"],
        lang=row["lang"],
        pseudonym=row["pseudonym"],
        age_band=AgeBand(row["age_band"]),
        region=row["region"],
        situation=row["situation"],
        mentee_email=row["mentee_email"],
        created_at=_dt(row["created_at"]),
        expires_at=_dt(row["expires_at"]),
        state=ThreadState(row["state"]),
        last_activity_at=_dt(row["last_activity_at"]),
        mentee_key=row["mentee_key"],
    )


def _application(row: sqlite3.Row) -> Application:
    return Application(
        id=row["id"], lang=row["lang"], name=row["name"], occupation=row["occupation"],
        sector=row["sector"], region=row["region"], languages=tuple(json.loads(row["languages"])),
        years_experience=row["years_experience"], topics=tuple(json.loads(row["topics"])),
        bio=row["bio"], email=row["email"], created_at=_dt(row["created_at"]),
        expires_at=_dt(row["expires_at"]), state=ApplicationState(row["state"]),
        flags=tuple(json.loads(row["flags"])), decided_at=_dt(row["decided_at"]),
        decided_by=row["decided_by"], reason=row["reason"], slug=row["slug"],
    )  # fmt: skip


def _application_values(a: Application) -> tuple:
    return (
        a.id, a.lang, a.name, a.occupation, a.sector, a.region, json.dumps(list(a.languages)),
        a.years_experience, json.dumps(list(a.topics)), a.bio, a.email, _ts(a.created_at),
        _ts(a.expires_at), str(a.state), json.dumps(list(a.flags)), _ts(a.decided_at),
        a.decided_by, a.reason, a.slug,
    )  # fmt: skip


def _message(row: sqlite3.Row) -> Message:
    return Message(
        id=row["id"],
        thread_id=row["thread_id"],
        author=Side(row["author"]),
        body=row["body"],
        delivered_text=row["delivered_text"],
        status=Status(row["status"]),
        created_at=_dt(row["created_at"]),
        updated_at=_dt(row["updated_at"]),
        expires_at=_dt(row["expires_at"]),
        flags=tuple(json.loads(row["flags"])),
        priority=row["priority"],
        version=row["version"],
        reason=row["reason"],
        escalated=bool(row["escalated"]),
    )


def _job(row: sqlite3.Row) -> DeliveryJob:
    return DeliveryJob(
        id=row["id"],
        message_id=row["message_id"],
        thread_id=row["thread_id"],
        recipient=Side(row["recipient"]),
        created_at=_dt(row["created_at"]),
        next_attempt_at=_dt(row["next_attempt_at"]),
        expires_at=_dt(row["expires_at"]),
        state=JobState(row["state"]),
        attempts=row["attempts"],
        lease_owner=row["lease_owner"],
        lease_until=_dt(row["lease_until"]),
        last_error=row["last_error"],
        kind=JobKind(row["kind"]),
        permanent=bool(row["permanent"]),
    )


def _event(row: sqlite3.Row) -> Event:
    return Event(
        id=row["id"],
        thread_id=row["thread_id"],
        message_id=row["message_id"],
        action=row["action"],
        actor=row["actor"],
        at=_dt(row["at"]),
        detail=json.loads(row["detail"]),
    )


class SqliteStore:
    """relay.ports.Store on a SQLite file."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():  # private from the first byte: it holds addresses and texts
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        self.path.chmod(0o600)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._writing = threading.Lock()
        self._queue = -1  # see _writer_queue
        self._checkpointer: threading.Thread | None = None
        self._stopping = threading.Event()
        con = self._con()
        with self._writer():  # workers starting together queue here rather than fail
            self._retry(con, "PRAGMA journal_mode=WAL")
        with self._tx() as tx:  # two processes opening one file make the tables once
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    tx.execute(statement)
            self._migrate(tx)
            tx.execute(ADDED_INDEXES)
        for suffix in ("-wal", "-shm"):  # SQLite gives them the file's mode; say it anyway
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                side.chmod(0o600)

    @staticmethod
    def _migrate(con: sqlite3.Connection) -> None:
        for table, columns in ADDED_COLUMNS.items():
            have = {row["name"] for row in con.execute(f"PRAGMA table_info({table})")}
            for name, decl in columns.items():
                if name not in have:
                    con.execute(f"ALTER TABLE {table} ADD COLUMN {name} {decl}")

    # --- connections and transactions ---------------------------------------------------

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
            con.row_factory = sqlite3.Row
            con.execute("PRAGMA synchronous=NORMAL")  # WAL: atomic always, synced at checkpoints
            con.execute("PRAGMA secure_delete=ON")  # erased texts are overwritten, not unlinked
            # Requests never checkpoint (a commit that does holds every writer up for tens of
            # ms): the checkpointer thread does, off their path. An erasure checkpoints at once.
            con.execute("PRAGMA wal_autocheckpoint=0")
            con.execute(f"PRAGMA journal_size_limit={WAL_LIMIT}")
            # Last: the statements above wait (30 s) while another process makes the file.
            con.execute("PRAGMA busy_timeout=0")  # later waits are ours (_retry): short, jittered
            self._local.con = con
            with self._lock:
                self._all.append(con)
        return con

    @staticmethod
    def _retry(con: sqlite3.Connection, sql: str, deadline: float = BUSY_DEADLINE):
        """Run `sql`, waiting out another writer with short jittered sleeps.

        SQLite's own busy handler sleeps up to 100 ms at a time; a writer holds the
        lock for well under a millisecond here, so a short wait keeps the tail short.
        """
        give_up = time.monotonic() + deadline
        delay = 0.0002
        while True:
            try:
                return con.execute(sql)
            except sqlite3.OperationalError as error:
                text = str(error)
                if ("locked" not in text and "busy" not in text) or time.monotonic() > give_up:
                    raise
            time.sleep(random.uniform(0, delay))
            delay = min(delay * 2, 0.004)

    def _writer_queue(self) -> int:
        """The lock file writers of every process queue on (`make serve`'s workers, the CLI):
        a waiting writer wakes when it is free, instead of failing BEGIN and sleeping."""
        if self._queue < 0:
            name = self.path.with_name(self.path.name + "-lock")
            self._queue = os.open(name, os.O_RDWR | os.O_CREAT, 0o600)
        return self._queue

    @contextmanager
    def _writer(self) -> Iterator[None]:
        """One writer per process at a time, then one across processes."""
        with self._writing:
            queue = self._writer_queue()
            fcntl.flock(queue, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(queue, fcntl.LOCK_UN)

    def _checkpoints(self) -> None:
        """The checkpointer's loop: fold the WAL back once it passes WAL_LIMIT.

        One process at a time checkpoints a file (a lock on the writers' lock file's first
        byte elects it; another takes over if it ends). Passive checkpoints copy pages while
        writers go on; a last one among the writers copies the few frames they added
        meanwhile, so the next write starts the WAL over instead of growing it for as long
        as requests keep coming.
        """
        con = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        wal = self.path.with_name(self.path.name + "-wal")
        elected = False
        try:
            while not self._stopping.wait(CHECKPOINT_EVERY):
                try:
                    if not elected:
                        fcntl.lockf(self._writer_queue(), fcntl.LOCK_EX | fcntl.LOCK_NB, 1)
                        elected = True
                    if wal.stat().st_size <= WAL_LIMIT:
                        continue
                    for _ in range(2):  # the second copies what came during the first
                        con.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    with self._writer():
                        con.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except (OSError, sqlite3.Error):  # not elected, busy, gone: the next look
                    continue
        finally:
            con.close()

    def _start_checkpointer(self) -> None:
        with self._lock:
            if self._checkpointer is None:
                self._stopping.clear()
                self._checkpointer = threading.Thread(
                    target=self._checkpoints, daemon=True, name="sqlite-checkpointer"
                )
                self._checkpointer.start()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        con = self._con()
        if getattr(self._local, "writing", False):  # inside `transaction()`: part of it
            yield con
            return
        if self._checkpointer is None:
            self._start_checkpointer()
        with self._writer():
            self._retry(con, "BEGIN IMMEDIATE")  # another program may still hold SQLite's
            self._local.writing = True
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            finally:
                self._local.writing = False
            self._retry(con, "COMMIT")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """The writes inside are one transaction: one lock taken, one commit."""
        with self._tx():
            yield

    def close(self) -> None:
        self._stopping.set()
        if self._checkpointer is not None:
            self._checkpointer.join()
            self._checkpointer = None
        with self._lock:
            for con in self._all:
                con.close()
            self._all.clear()
            if self._queue >= 0:
                os.close(self._queue)
                self._queue = -1
        self._local = threading.local()

    # --- row writers ----------------------------------------------------------------------

    @staticmethod
    def _insert_event(con: sqlite3.Connection, event: Event) -> None:
        con.execute(  # the thread's next sequence number, read and written in one statement
            "INSERT INTO events SELECT ?, ?, ?, ?, ?, ?, ?, ?,"
            " COALESCE(MAX(seq), 0) + 1 FROM events WHERE thread_id = ?",
            (
                event.id,
                event.thread_id,
                event.message_id,
                event.action,
                event.actor,
                _ts(event.at),
                json.dumps(event.detail, sort_keys=True),
                _ts(event.at + AUDIT_TTL),
                event.thread_id,
            ),
        )

    @staticmethod
    def _insert_message(con: sqlite3.Connection, m: Message) -> None:
        con.execute(
            "INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                m.id,
                m.thread_id,
                str(m.author),
                m.body,
                m.delivered_text,
                str(m.status),
                _ts(m.created_at),
                _ts(m.updated_at),
                _ts(m.expires_at),
                json.dumps(list(m.flags)),
                m.priority,
                m.version,
                m.reason,
                int(m.escalated),
            ),
        )

    @staticmethod
    def _insert_job(con: sqlite3.Connection, j: DeliveryJob) -> None:
        con.execute(
            f"INSERT INTO jobs ({JOB_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 - fixed names
            (
                j.id,
                j.message_id,
                j.thread_id,
                str(j.recipient),
                _ts(j.created_at),
                _ts(j.next_attempt_at),
                _ts(j.expires_at),
                str(j.state),
                j.attempts,
                j.lease_owner,
                _ts(j.lease_until),
                j.last_error,
                str(j.kind),
                int(j.permanent),
            ),
        )

    @staticmethod
    def _record(con: sqlite3.Connection, key: str, now: datetime) -> IdempotencyRecord | None:
        row = con.execute(
            "SELECT * FROM idempotency WHERE key = ? AND expires_at > ?", (key, _ts(now))
        ).fetchone()
        if row is None:
            return None
        return IdempotencyRecord(
            key=row["key"], fingerprint=row["fingerprint"], thread_id=row["thread_id"],
            message_id=row["message_id"], expires_at=_dt(row["expires_at"]),
        )  # fmt: skip

    @classmethod
    def _claim_key(cls, con, key: str, fingerprint: str, thread_id: str, message_id: str, now):
        """Record the key's first use (over an expired record), in the same statement that
        finds a live one: None when claimed, else the live record (the caller replays it)."""
        claimed = con.execute(
            "INSERT INTO idempotency VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET"
            " fingerprint = excluded.fingerprint, thread_id = excluded.thread_id,"
            " message_id = excluded.message_id, expires_at = excluded.expires_at"
            " WHERE idempotency.expires_at <= ?",
            (key, fingerprint, thread_id, message_id, _ts(now + IDEMPOTENCY_TTL), _ts(now)),
        ).rowcount
        return None if claimed else cls._record(con, key, now)

    # --- threads and messages -------------------------------------------------------------

    def find_idempotent(self, key, *, now):
        return self._record(self._con(), key, now)

    def create_thread(self, thread, message, event, *, idempotency_key, fingerprint, now, jobs=()):
        with self._tx() as con:
            live = self._claim_key(con, idempotency_key, fingerprint, thread.id, message.id, now)
            seen = replay(live, fingerprint)
            if seen is not None:
                t = con.execute("SELECT * FROM threads WHERE id = ?", (seen.thread_id,))
                m = con.execute("SELECT * FROM messages WHERE id = ?", (seen.message_id,))
                t, m = t.fetchone(), m.fetchone()
                if t is None or m is None:
                    raise NotFound("the thread of this idempotency key is gone")
                return _thread(t), _message(m), False
            con.execute(
                f"INSERT INTO threads ({THREAD_COLUMNS}) VALUES ({', '.join('?' * 13)})",  # noqa: S608
                (
                    thread.id,
                    thread.mentor,
                    thread.lang,
                    thread.pseudonym,
                    str(thread.age_band),
                    thread.region,
                    thread.situation,
                    thread.mentee_email,
                    _ts(thread.created_at),
                    _ts(thread.expires_at),
                    str(thread.state),
                    _ts(thread.last_activity_at or thread.created_at),
                    thread.mentee_key,
                ),
            )
            self._insert_message(con, message)
            self._insert_event(con, event)
            for job in jobs:
                self._insert_job(con, job)
        return (
            replace(thread, last_activity_at=thread.last_activity_at or thread.created_at),
            message,
            True,
        )

    def append_message(self, message, event, *, idempotency_key, fingerprint, now):
        with self._tx() as con:
            live = self._claim_key(
                con, idempotency_key, fingerprint, message.thread_id, message.id, now
            )
            seen = replay(live, fingerprint)
            if seen is not None:
                m = con.execute(
                    "SELECT * FROM messages WHERE id = ?", (seen.message_id,)
                ).fetchone()
                if m is None:
                    raise NotFound("the message of this idempotency key is gone")
                return _message(m), False
            thread = self._live_thread(con, message.thread_id, now)
            if thread.state != ThreadState.OPEN:
                raise Conflict(f"thread is {thread.state}")
            self._insert_message(con, message)
            self._insert_event(con, event)
            con.execute(
                "UPDATE threads SET last_activity_at = ? WHERE id = ?", (_ts(now), thread.id)
            )
        return message, True

    @staticmethod
    def _live_thread(con: sqlite3.Connection, thread_id: str, now: datetime) -> Thread:
        row = con.execute("SELECT * FROM threads WHERE id = ?", (thread_id,)).fetchone()
        if row is None:
            raise NotFound(f"no thread {thread_id}")
        if row["expires_at"] <= _ts(now):
            raise Expired(f"thread {thread_id} has expired")
        return _thread(row)

    @staticmethod
    def _live_message(con: sqlite3.Connection, message_id: str, now: datetime) -> Message:
        row = con.execute("SELECT * FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise NotFound(f"no message {message_id}")
        if row["expires_at"] <= _ts(now):
            raise Expired(f"message {message_id} has expired")
        return _message(row)

    def get_thread(self, thread_id, *, now):
        return self._live_thread(self._con(), thread_id, now)

    def get_message(self, message_id, *, now):
        return self._live_message(self._con(), message_id, now)

    def list_messages(self, thread_id, *, now):
        rows = self._con().execute(
            "SELECT * FROM messages WHERE thread_id = ? AND expires_at > ? ORDER BY created_at, id",
            (thread_id, _ts(now)),
        )
        return [_message(r) for r in rows]

    @staticmethod
    def _write(con: sqlite3.Connection, current: Message, updated: Message) -> Message:
        """Store `updated` (made by domain.changes) if the row is still `current`."""
        cur = con.execute(
            "UPDATE messages SET status = ?, version = ?, updated_at = ?, delivered_text = ?,"
            " flags = ?, priority = ?, reason = ?, escalated = ?, expires_at = ?"
            " WHERE id = ? AND status = ? AND version = ?",
            (
                str(updated.status),
                updated.version,
                _ts(updated.updated_at),
                updated.delivered_text,
                json.dumps(list(updated.flags)),
                updated.priority,
                updated.reason,
                int(updated.escalated),
                _ts(updated.expires_at),
                current.id,
                str(current.status),
                current.version,
            ),
        )
        if cur.rowcount != 1:
            raise Conflict(f"message {current.id} changed meanwhile")
        return updated

    def transition(
        self,
        message_id,
        *,
        expected_status,
        expected_version,
        new_status,
        events,
        now,
        changes=None,
        jobs=(),
        thread_expires_at=None,
    ):
        with self._tx() as con:
            current = self._live_message(con, message_id, now)
            check_expected(current, Status(expected_status), expected_version)
            updated = apply_changes(current, Status(new_status), changes, now)
            self._write(con, current, updated)
            for job in jobs:
                self._insert_job(con, job)
            for event in events:
                self._insert_event(con, event)
            if thread_expires_at is not None:
                con.execute(
                    "UPDATE threads SET expires_at = ? WHERE id = ?",
                    (_ts(thread_expires_at), current.thread_id),
                )
                con.execute(
                    "UPDATE messages SET expires_at = ? WHERE thread_id = ?",
                    (_ts(thread_expires_at), current.thread_id),
                )
                con.execute(
                    "UPDATE jobs SET expires_at = ? WHERE thread_id = ?",
                    (_ts(thread_expires_at), current.thread_id),
                )
                updated = replace(updated, expires_at=thread_expires_at)
            con.execute(
                "UPDATE threads SET last_activity_at = ? WHERE id = ?",
                (_ts(now), current.thread_id),
            )
        return updated

    def revise_message(self, message_id, *, expected_version, changes, events, now):
        with self._tx() as con:
            current = self._live_message(con, message_id, now)
            check_expected(current, None, expected_version)
            updated = apply_changes(current, current.status, changes, now)
            self._write(con, current, updated)
            for event in events:
                self._insert_event(con, event)
        return updated

    def set_thread_state(self, thread_id, *, expected, new, events, now):
        with self._tx() as con:
            thread = self._live_thread(con, thread_id, now)
            if thread.state != expected:
                raise Conflict(f"thread {thread_id} is {thread.state}, not {expected}")
            con.execute(
                "UPDATE threads SET state = ?, last_activity_at = ? WHERE id = ?",
                (str(ThreadState(new)), _ts(now), thread_id),
            )
            for event in events:
                self._insert_event(con, event)
        return replace(thread, state=ThreadState(new), last_activity_at=now)

    def erase_thread(self, thread_id, *, events, now):
        with self._tx() as con:
            row = con.execute("SELECT * FROM threads WHERE id = ?", (thread_id,)).fetchone()
            if row is None:
                raise NotFound(f"no thread {thread_id}")
            con.execute(
                "UPDATE threads SET pseudonym = NULL, mentee_email = NULL, mentee_key = NULL,"
                " state = ?, last_activity_at = ? WHERE id = ?",
                (str(ThreadState.ERASED), _ts(now), thread_id),
            )
            con.execute(
                "UPDATE messages SET body = NULL, delivered_text = NULL WHERE thread_id = ?",
                (thread_id,),
            )
            con.execute(
                "UPDATE jobs SET state = ?, lease_owner = NULL, lease_until = NULL"
                " WHERE thread_id = ? AND state = ?",
                (str(JobState.CANCELLED), thread_id, str(JobState.QUEUED)),
            )
            for event in events:
                self._insert_event(con, event)
            row = con.execute("SELECT * FROM threads WHERE id = ?", (thread_id,)).fetchone()
        self.checkpoint()
        return _thread(row)

    def checkpoint(self) -> None:
        """Fold the WAL into the file and empty it: an erased text leaves no copy behind."""
        con = self._con()
        give_up = time.monotonic() + BUSY_DEADLINE
        while self._retry(con, "PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]:
            if time.monotonic() > give_up:  # readers kept it busy: the next erasure retries
                return
            time.sleep(0.001)

    def events(self, thread_id):
        rows = self._con().execute(
            "SELECT * FROM events WHERE thread_id = ? ORDER BY seq", (thread_id,)
        )
        return [_event(r) for r in rows]

    def queue(self, *, now, limit=50):
        rows = self._con().execute(
            "SELECT * FROM messages WHERE status = ? AND expires_at > ?"
            " ORDER BY priority DESC, created_at, id LIMIT ?",
            (str(Status.PENDING), _ts(now), limit),
        )
        return [_message(r) for r in rows]

    def list_threads(self, *, now):
        rows = self._con().execute(
            "SELECT * FROM threads WHERE expires_at > ? ORDER BY created_at, id", (_ts(now),)
        )
        return [_thread(r) for r in rows]

    def inactive_threads(self, *, before, now, limit=500):
        rows = self._con().execute(
            "SELECT * FROM threads WHERE state = ? AND last_activity_at < ? AND expires_at > ?"
            " ORDER BY last_activity_at, id LIMIT ?",
            (str(ThreadState.OPEN), _ts(before), _ts(now), limit),
        )
        return [_thread(r) for r in rows]

    def mentee_threads(self, mentee_key, *, now):
        rows = self._con().execute(
            "SELECT * FROM threads WHERE mentee_key = ? AND expires_at > ? AND state != ?"
            " ORDER BY created_at DESC, id DESC",
            (mentee_key, _ts(now), str(ThreadState.ERASED)),
        )
        return [_thread(r) for r in rows]

    def count_open_threads(self, mentor, *, now):
        return (
            self._con()
            .execute(
                "SELECT COUNT(DISTINCT t.id) FROM threads t JOIN messages m ON m.thread_id = t.id"
                " WHERE t.mentor = ? AND t.state = ? AND t.expires_at > ? AND m.status != ?",
                (mentor, str(ThreadState.OPEN), _ts(now), str(Status.RECEIVED)),
            )
            .fetchone()[0]
        )

    def open_thread_counts(self, mentors, *, now):
        counts = dict.fromkeys(mentors, 0)
        rows = self._con().execute(
            "SELECT t.mentor, COUNT(DISTINCT t.id) FROM threads t JOIN messages m"
            " ON m.thread_id = t.id WHERE t.state = ? AND t.expires_at > ? AND m.status != ?"
            " GROUP BY t.mentor",
            (str(ThreadState.OPEN), _ts(now), str(Status.RECEIVED)),
        )
        for mentor, count in rows:
            if mentor in counts:
                counts[mentor] = count
        return counts

    # --- delivery outbox -------------------------------------------------------------------

    def claim_jobs(self, *, owner, now, lease, limit=10):
        with self._tx() as con:
            rows = con.execute(
                "SELECT * FROM jobs WHERE state = ? AND next_attempt_at <= ? AND expires_at > ?"
                " AND (lease_until IS NULL OR lease_until <= ?)"
                " ORDER BY next_attempt_at, id LIMIT ?",
                (str(JobState.QUEUED), _ts(now), _ts(now), _ts(now), limit),
            ).fetchall()
            claimed = []
            for row in rows:
                job = replace(
                    _job(row),
                    lease_owner=owner,
                    lease_until=now + lease,
                    attempts=row["attempts"] + 1,
                )
                con.execute(
                    "UPDATE jobs SET lease_owner = ?, lease_until = ?, attempts = ? WHERE id = ?",
                    (owner, _ts(job.lease_until), job.attempts, job.id),
                )
                claimed.append(job)
        return claimed

    def _leased(self, con: sqlite3.Connection, job_id: str, owner: str, now: datetime):
        row = con.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise NotFound(f"no job {job_id}")
        job = _job(row)
        check_held(job, owner, now)
        return job

    def complete_job(self, job_id, *, owner, event, now):
        with self._tx() as con:
            job = self._leased(con, job_id, owner, now)
            if job.kind == JobKind.MESSAGE:  # the e-mail that carries it: the message is delivered
                message = self._live_message(con, job.message_id, now)
                self._write(con, message, apply_changes(message, Status.DELIVERED, None, now))
            con.execute(
                "UPDATE jobs SET state = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?",
                (str(JobState.SENT), job_id),
            )
            self._insert_event(con, event)
        return replace(job, state=JobState.SENT, lease_owner=None, lease_until=None)

    def fail_job(self, job_id, *, owner, error, retry_at, event, now, permanent=False):
        with self._tx() as con:
            job = self._leased(con, job_id, owner, now)
            state = JobState.QUEUED if retry_at is not None else JobState.FAILED
            updated = replace(
                job,
                state=state,
                lease_owner=None,
                lease_until=None,
                last_error=error,
                next_attempt_at=retry_at or now,  # a job that failed for good: when it did
                permanent=permanent and state == JobState.FAILED,
            )
            con.execute(
                "UPDATE jobs SET state = ?, lease_owner = NULL, lease_until = NULL,"
                " last_error = ?, next_attempt_at = ?, permanent = ? WHERE id = ?",
                (str(state), error, _ts(updated.next_attempt_at), int(updated.permanent), job_id),
            )
            self._insert_event(con, event)
        return updated

    def set_job_state(self, job_id, *, expected, new, events, now):
        with self._tx() as con:
            row = con.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                raise NotFound(f"no job {job_id}")
            job = _job(row)
            updated = moved(job, expected=expected, new=new, now=now)
            con.execute(
                "UPDATE jobs SET state = ?, next_attempt_at = ?, lease_owner = NULL,"
                " lease_until = NULL, permanent = ? WHERE id = ?",
                (str(updated.state), _ts(now), int(updated.permanent), job_id),
            )
            for event in events:
                self._insert_event(con, event)
        return updated

    def enqueue(self, job, event, *, now):
        with self._tx() as con:
            self._live_thread(con, job.thread_id, now)
            self._insert_job(con, job)
            self._insert_event(con, event)

    def get_job(self, job_id):
        row = self._con().execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise NotFound(f"no job {job_id}")
        return _job(row)

    def jobs_of(self, thread_id):
        rows = self._con().execute(
            "SELECT * FROM jobs WHERE thread_id = ? ORDER BY created_at, id", (thread_id,)
        )
        return [_job(r) for r in rows]

    def troubled_jobs(self, *, now, stuck_after, limit=200):
        rows = self._con().execute(
            "SELECT * FROM jobs WHERE expires_at > ?"
            " AND (state = ? OR (state = ? AND attempts >= ?))"
            " ORDER BY next_attempt_at DESC, id DESC LIMIT ?",
            (_ts(now), str(JobState.FAILED), str(JobState.QUEUED), stuck_after, limit),
        )
        return [_job(r) for r in rows]

    # --- rate limits -----------------------------------------------------------------------

    def hit(self, bucket, key_hash, *, window, now):
        return self.hits([(bucket, key_hash, window)], now=now)[0]

    def hits(self, counters, *, now):
        keys, ends = [], {}
        for bucket, key_hash, window in counters:
            start = window_start(now, window)
            keys.append((bucket, key_hash, _ts(start)))
            ends[keys[-1]] = _ts(start + window)
        if not keys:
            return []
        times = Counter(keys)  # a counter named twice counts twice, as two calls would
        rows = [(*key, times[key], ends[key]) for key in times]
        with self._tx() as con:  # every counter in one statement; RETURNING comes in any order
            total = {
                (bucket, key_hash, start): count
                for bucket, key_hash, start, count in con.execute(
                    f"INSERT INTO counters VALUES {', '.join(['(?, ?, ?, ?, ?)'] * len(rows))}"  # noqa: S608 - placeholders only
                    " ON CONFLICT (bucket, key_hash, window_start) DO UPDATE SET count = count"
                    " + excluded.count RETURNING bucket, key_hash, window_start, count",
                    [value for row in rows for value in row],
                )
            }
        counts, before = [], Counter()
        for key in keys:  # the count each hit saw, in the order given
            before[key] += 1
            counts.append(total[key] - times[key] + before[key])
        return counts

    # --- mentors' private contacts ---------------------------------------------------------

    def set_mentor_contact(self, contact):
        with self._tx() as con:
            con.execute(
                "INSERT OR REPLACE INTO mentor_contacts VALUES (?, ?, ?, ?)",
                (contact.slug, contact.email, int(contact.paused), _ts(contact.updated_at)),
            )

    def get_mentor_contact(self, slug):
        row = (
            self._con().execute("SELECT * FROM mentor_contacts WHERE slug = ?", (slug,)).fetchone()
        )
        if row is None:
            raise NotFound(f"no contact for mentor {slug}")
        return MentorContact(
            slug=row["slug"],
            email=row["email"],
            paused=bool(row["paused"]),
            updated_at=_dt(row["updated_at"]),
        )

    def mentor_pauses(self, mentors):
        wanted = set(mentors)
        rows = self._con().execute("SELECT slug, paused FROM mentor_contacts")
        return {slug: bool(paused) for slug, paused in rows if slug in wanted}

    def remove_mentor_contact(self, slug):
        with self._tx() as con:
            if con.execute("DELETE FROM mentor_contacts WHERE slug = ?", (slug,)).rowcount == 0:
                raise NotFound(f"no contact for mentor {slug}")

    def set_mentor_paused(self, slug, paused, *, now, events=()):
        with self._tx() as con:
            cur = con.execute(
                "UPDATE mentor_contacts SET paused = ?, updated_at = ? WHERE slug = ?",
                (int(paused), _ts(now), slug),
            )
            if cur.rowcount == 0:
                raise NotFound(f"no contact for mentor {slug}")
            for event in events:
                self._insert_event(con, event)
        return self.get_mentor_contact(slug)

    # --- applications to become a mentor --------------------------------------------------

    def create_application(self, application, *, jobs=(), now):
        marks = ", ".join("?" * len(APPLICATION_COLUMNS))
        with self._tx() as con:
            con.execute(
                f"INSERT INTO applications ({', '.join(APPLICATION_COLUMNS)}) VALUES ({marks})",  # noqa: S608 - fixed names
                _application_values(application),
            )
            for job in jobs:
                self._insert_job(con, job)

    @staticmethod
    def _live_application(con, application_id: str, now: datetime) -> Application:
        row = con.execute("SELECT * FROM applications WHERE id = ?", (application_id,)).fetchone()
        if row is None:
            raise NotFound(f"no application {application_id}")
        found = _application(row)
        if found.expires_at <= now:
            raise Expired(f"application {application_id} has expired")
        return found

    def get_application(self, application_id, *, now):
        return self._live_application(self._con(), application_id, now)

    def list_applications(self, *, now):
        rows = self._con().execute(
            "SELECT * FROM applications WHERE expires_at > ? ORDER BY created_at, id", (_ts(now),)
        )
        return [_application(r) for r in rows]

    def update_application(self, application, *, expected, now, contact=None):
        sets = ", ".join(f"{c} = ?" for c in APPLICATION_COLUMNS[1:])
        with self._tx() as con:
            current = self._live_application(con, application.id, now)
            if current.state != expected:
                raise Conflict(f"application {application.id} is {current.state}, not {expected}")
            if contact is not None:
                taken = con.execute(
                    "SELECT 1 FROM mentor_contacts WHERE slug = ?", (contact.slug,)
                ).fetchone()
                if taken:
                    raise Conflict(f"mentor {contact.slug} already has a contact")
                con.execute(
                    "INSERT INTO mentor_contacts VALUES (?, ?, ?, ?)",
                    (contact.slug, contact.email, int(contact.paused), _ts(contact.updated_at)),
                )
            con.execute(
                f"UPDATE applications SET {sets} WHERE id = ?",  # noqa: S608 - fixed names
                (*_application_values(application)[1:], application.id),
            )
        return application

    # --- addresses that bounced or complained ----------------------------------------------

    def mark_undeliverable(self, address_key, *, reason, expires_at, now):
        with self._tx() as con:
            con.execute(
                "INSERT OR REPLACE INTO undeliverable VALUES (?, ?, ?, ?)",
                (address_key, reason, _ts(now), _ts(expires_at)),
            )

    def undeliverable_reason(self, address_key, *, now):
        row = (
            self._con()
            .execute(
                "SELECT reason FROM undeliverable WHERE address_key = ? AND expires_at > ?",
                (address_key, _ts(now)),
            )
            .fetchone()
        )
        return row["reason"] if row else None

    # --- housekeeping ----------------------------------------------------------------------

    def purge(self, *, now):
        stamp = _ts(now)
        removed = 0
        with self._tx() as con:
            for table in (
                "messages",
                "threads",
                "jobs",
                "idempotency",
                "counters",
                "events",
                "undeliverable",
                "applications",
            ):
                removed += con.execute(
                    f"DELETE FROM {table} WHERE expires_at <= ?",  # noqa: S608 - fixed names
                    (stamp,),
                ).rowcount
        return removed
