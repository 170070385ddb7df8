"""Store on one DynamoDB table (single-table design), the relay's store on AWS.

Items (pk / sk):

    THREAD#<thread>  THREAD          the thread (GSI1: MENTOR#<slug> / created#id, for capacity)
    THREAD#<thread>  MSG#<message>   a message (GSI1 while pending: QUEUE / priority#created#id)
    THREAD#<thread>  EVT#<seq>#<id>  an audit event, in write order
    THREAD#<thread>  ACTIVITY        while the thread is open (GSI1: OPEN / last_activity#id)
    THREAD#<thread>  MENTEE          the mentee's salted address key (GSI1: MENTEE#<key> /
                                     created#id), as long as the thread lives, until erasure
    MSG#<message>    MSG             where a message lives (its thread), to find it by id
    JOB#<job>        JOB             a delivery job (GSI1 while queued: JOBS / due#id;
                                     once given up: FAILED / due#id)
    IDEM#<key>       IDEM            an idempotency record
    RATE#<bucket>#<hash>#<window>  RATE   a rate-limit counter
    MENTOR#<slug>    CONTACT         a mentor's private address
    ADDR#<key>       UNDELIVERABLE   an address that bounced or complained (key: a salted hash)
    APPLICATION#<id> APPLICATION     an application to become a mentor (GSI1: APPLICATIONS /
                                     created#id)

Messages live in their thread's partition so a thread reads back with one
strongly consistent query; the GSI (eventually consistent) only serves the
moderation queue, due and failed jobs, capacity counts and the inactivity
sweep (whose candidates are checked against the thread item itself). The
ACTIVITY row is written in the same transaction as every change of its
thread's state, last activity or expiry. Every row with a lifetime
carries `expires_at` (epoch seconds, the table's TTL attribute); reads filter
on it, `purge` deletes what DynamoDB's TTL has not yet removed. Every state
change is a conditional write, and a change with its audit events (and jobs)
is one TransactWriteItems. The rules (state machine, message changes, leases,
windows, idempotency) come from `relay.domain`; this module reads and writes.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import random
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

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
    MessageChanges,
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
from .base import epoch as _epoch
from .base import from_epoch as _from_epoch
from .base import ts as _ts

# --- table shape (template.yaml declares the same; tests/test_template.py checks it) -----------

GSI = "gsi1"
KEY_SCHEMA = [
    {"AttributeName": "pk", "KeyType": "HASH"},
    {"AttributeName": "sk", "KeyType": "RANGE"},
]
GSI_KEY_SCHEMA = [
    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
]
ATTRIBUTES = [
    {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "gsi1pk", "gsi1sk")
]
TTL_ATTRIBUTE = "expires_at"

QUEUE = "QUEUE"
JOBS = "JOBS"
FAILED = "FAILED"
OPEN = "OPEN"
ACTIVITY = "ACTIVITY"
MENTEE = "MENTEE"
APPLICATIONS = "APPLICATIONS"
MAX_TRANSACTION = 100
PRIORITY_SPAN = 1_000_000
#: Concurrent writers of one item (two replays of one key) retry this many times, with jitter.
ROUNDS = 8
_ser = TypeSerializer()
_de = TypeDeserializer()


def create_table(client, name: str) -> None:
    """Create the relay's table (tests and local tries; on AWS, template.yaml does it)."""
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=KEY_SCHEMA,
        AttributeDefinitions=ATTRIBUTES,
        GlobalSecondaryIndexes=[
            {"IndexName": GSI, "KeySchema": GSI_KEY_SCHEMA, "Projection": {"ProjectionType": "ALL"}}
        ],
    )
    client.get_waiter("table_exists").wait(TableName=name)
    client.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )


# --- values --------------------------------------------------------------------------------------


def _av(value: Any) -> dict:
    return _ser.serialize(value)


def _item(fields: dict[str, Any]) -> dict[str, dict]:
    """A DynamoDB item from plain values; None means "absent"."""
    return {k: _ser.serialize(v) for k, v in fields.items() if v is not None}


def _plain(item: dict[str, dict]) -> dict[str, Any]:
    return {k: _de.deserialize(v) for k, v in item.items()}


_seq_lock = threading.Lock()
_seq_last = 0


def _sequence() -> int:
    """Write-ordered, unique within a process: events sort in the order they were stored."""
    global _seq_last
    with _seq_lock:
        _seq_last = max(time.time_ns(), _seq_last + 1)
        return _seq_last


def _queue_sk(priority: int, created_at: datetime, message_id: str) -> str:
    """Highest priority first, then oldest first, in one ascending sort key."""
    rank = PRIORITY_SPAN - max(min(priority, PRIORITY_SPAN - 1), -(PRIORITY_SPAN - 1))
    return f"{rank:07d}#{_ts(created_at)}#{message_id}"


# --- keys ----------------------------------------------------------------------------------------


def _thread_key(thread_id: str) -> dict:
    return {"pk": {"S": f"THREAD#{thread_id}"}, "sk": {"S": "THREAD"}}


def _message_key(thread_id: str, message_id: str) -> dict:
    return {"pk": {"S": f"THREAD#{thread_id}"}, "sk": {"S": f"MSG#{message_id}"}}


def _activity_key(thread_id: str) -> dict:
    return {"pk": {"S": f"THREAD#{thread_id}"}, "sk": {"S": ACTIVITY}}


def _ref_key(message_id: str) -> dict:
    return {"pk": {"S": f"MSG#{message_id}"}, "sk": {"S": "MSG"}}


def _mentee_key(thread_id: str) -> dict:
    return {"pk": {"S": f"THREAD#{thread_id}"}, "sk": {"S": MENTEE}}


def _application_key(application_id: str) -> dict:
    return {"pk": {"S": f"APPLICATION#{application_id}"}, "sk": {"S": "APPLICATION"}}


def _job_key(job_id: str) -> dict:
    return {"pk": {"S": f"JOB#{job_id}"}, "sk": {"S": "JOB"}}


def _idem_key(key: str) -> dict:
    return {"pk": {"S": f"IDEM#{key}"}, "sk": {"S": "IDEM"}}


def _contact_key(slug: str) -> dict:
    return {"pk": {"S": f"MENTOR#{slug}"}, "sk": {"S": "CONTACT"}}


# --- rows <-> domain ---------------------------------------------------------------------------


def _thread_fields(t: Thread, engaged: bool) -> dict[str, Any]:
    return {
        "pk": f"THREAD#{t.id}",
        "sk": "THREAD",
        "kind": "thread",
        "id": t.id,
        "mentor": t.mentor,
        "lang": t.lang,
        "pseudonym": t.pseudonym,
        "age_band": str(t.age_band),
        "region": t.region,
        "situation": t.situation,
        "mentee_email": t.mentee_email,
        "created_at": _ts(t.created_at),
        "expires_at": _epoch(t.expires_at),
        "state": str(t.state),
        "last_activity_at": _ts(t.last_activity_at or t.created_at),
        "engaged": engaged,
        "mentee_key": t.mentee_key,
        "gsi1pk": f"MENTOR#{t.mentor}",
        "gsi1sk": f"{_ts(t.created_at)}#{t.id}",
    }


def _activity_fields(thread_id: str, last: datetime, expires_at: datetime) -> dict[str, Any]:
    """The open thread's entry in the inactivity index (ids and times only)."""
    return {
        "pk": f"THREAD#{thread_id}",
        "sk": ACTIVITY,
        "kind": "thread_activity",
        "thread_id": thread_id,
        "last_activity_at": _ts(last),
        "expires_at": _epoch(expires_at),
        "gsi1pk": OPEN,
        "gsi1sk": f"{_ts(last)}#{thread_id}",
    }


def _mentee_fields(t: Thread) -> dict[str, Any]:
    """The thread's entry in the index by mentee (the salted key, ids and times only)."""
    return {
        "pk": f"THREAD#{t.id}",
        "sk": MENTEE,
        "kind": "thread_mentee",
        "thread_id": t.id,
        "expires_at": _epoch(t.expires_at),
        "gsi1pk": f"MENTEE#{t.mentee_key}",
        "gsi1sk": f"{_ts(t.created_at)}#{t.id}",
    }


def _application_fields(a: Application) -> dict[str, Any]:
    return {
        "pk": f"APPLICATION#{a.id}",
        "sk": "APPLICATION",
        "kind": "application",
        "id": a.id,
        "lang": a.lang,
        "name": a.name,
        "occupation": a.occupation,
        "sector": a.sector,
        "region": a.region,
        "languages": list(a.languages),
        "years_experience": a.years_experience,
        "topics": list(a.topics),
        "bio": a.bio,
        "email": a.email,
        "created_at": _ts(a.created_at),
        "expires_at": _epoch(a.expires_at),
        "state": str(a.state),
        "flags": list(a.flags),
        "decided_at": _ts(a.decided_at),
        "decided_by": a.decided_by,
        "reason": a.reason,
        "slug": a.slug,
        "gsi1pk": APPLICATIONS,
        "gsi1sk": f"{_ts(a.created_at)}#{a.id}",
    }


def _application(f: dict[str, Any]) -> Application:
    return Application(
        id=f["id"], lang=f["lang"], name=f["name"], occupation=f["occupation"],
        sector=f["sector"], region=f["region"], languages=tuple(f.get("languages", ())),
        years_experience=int(f["years_experience"]), topics=tuple(f.get("topics", ())),
        bio=f.get("bio"), email=f.get("email"), created_at=_dt(f["created_at"]),
        expires_at=_from_epoch(f["expires_at"]), state=ApplicationState(f["state"]),
        flags=tuple(f.get("flags", ())), decided_at=_dt(f.get("decided_at")),
        decided_by=f.get("decided_by"), reason=f.get("reason"), slug=f.get("slug"),
    )  # fmt: skip


def _contact_fields(contact: MentorContact) -> dict[str, Any]:
    return {
        "pk": f"MENTOR#{contact.slug}",
        "sk": "CONTACT",
        "kind": "mentor_contact",
        "slug": contact.slug,
        "email": contact.email,
        "paused": contact.paused,
        "updated_at": _ts(contact.updated_at),
    }


def _thread(f: dict[str, Any]) -> Thread:
    return Thread(
        id=f["id"],
        mentor=f["mentor"],
        lang=f["lang"],
        pseudonym=f.get("pseudonym"),
        age_band=AgeBand(f["age_band"]),
        region=f["region"],
        situation=f["situation"],
        mentee_email=f.get("mentee_email"),
        created_at=_dt(f["created_at"]),
        expires_at=_from_epoch(f["expires_at"]),
        state=ThreadState(f["state"]),
        last_activity_at=_dt(f.get("last_activity_at")),
        mentee_key=f.get("mentee_key"),
    )


def _message_fields(m: Message) -> dict[str, Any]:
    fields = {
        "pk": f"THREAD#{m.thread_id}",
        "sk": f"MSG#{m.id}",
        "kind": "message",
        "id": m.id,
        "thread_id": m.thread_id,
        "author": str(m.author),
        "body": m.body,
        "delivered_text": m.delivered_text,
        "status": str(m.status),
        "created_at": _ts(m.created_at),
        "updated_at": _ts(m.updated_at),
        "expires_at": _epoch(m.expires_at),
        "flags": list(m.flags),
        "priority": m.priority,
        "version": m.version,
        "reason": m.reason,
        "escalated": m.escalated,
    }
    if m.status == Status.PENDING:
        fields["gsi1pk"] = QUEUE
        fields["gsi1sk"] = _queue_sk(m.priority, m.created_at, m.id)
    return fields


def _message(f: dict[str, Any]) -> Message:
    return Message(
        id=f["id"],
        thread_id=f["thread_id"],
        author=Side(f["author"]),
        body=f.get("body"),
        delivered_text=f.get("delivered_text"),
        status=Status(f["status"]),
        created_at=_dt(f["created_at"]),
        updated_at=_dt(f["updated_at"]),
        expires_at=_from_epoch(f["expires_at"]),
        flags=tuple(f.get("flags", ())),
        priority=int(f["priority"]),
        version=int(f["version"]),
        reason=f.get("reason"),
        escalated=bool(f.get("escalated", False)),
    )


def _ref_fields(m: Message) -> dict[str, Any]:
    return {
        "pk": f"MSG#{m.id}",
        "sk": "MSG",
        "kind": "message_ref",
        "thread_id": m.thread_id,
        "expires_at": _epoch(m.expires_at),
    }


def _event_fields(e: Event, seq: int) -> dict[str, Any]:
    return {
        "pk": f"THREAD#{e.thread_id}",
        "sk": f"EVT#{seq:020d}#{e.id}",
        "kind": "event",
        "id": e.id,
        "thread_id": e.thread_id,
        "message_id": e.message_id,
        "action": e.action,
        "actor": e.actor,
        "at": _ts(e.at),
        "detail": json.dumps(e.detail, sort_keys=True),
        "expires_at": _epoch(e.at + AUDIT_TTL),
    }


def _event(f: dict[str, Any]) -> Event:
    return Event(
        id=f["id"],
        thread_id=f["thread_id"],
        message_id=f.get("message_id"),
        action=f["action"],
        actor=f["actor"],
        at=_dt(f["at"]),
        detail=json.loads(f["detail"]),
    )


def _job_fields(j: DeliveryJob) -> dict[str, Any]:
    fields = {
        "pk": f"JOB#{j.id}",
        "sk": "JOB",
        "kind": "job",
        "id": j.id,
        "message_id": j.message_id,
        "thread_id": j.thread_id,
        "recipient": str(j.recipient),
        "created_at": _ts(j.created_at),
        "next_attempt_at": _ts(j.next_attempt_at),
        "expires_at": _epoch(j.expires_at),
        "state": str(j.state),
        "attempts": j.attempts,
        "lease_owner": j.lease_owner,
        "lease_until": _ts(j.lease_until),
        "last_error": j.last_error,
        "job_kind": str(j.kind),
        "permanent": j.permanent,
    }
    if j.state == JobState.QUEUED:
        fields["gsi1pk"] = JOBS
        fields["gsi1sk"] = f"{_ts(j.next_attempt_at)}#{j.id}"
    return fields


def _job(f: dict[str, Any]) -> DeliveryJob:
    return DeliveryJob(
        id=f["id"],
        message_id=f["message_id"],
        thread_id=f["thread_id"],
        recipient=Side(f["recipient"]),
        created_at=_dt(f["created_at"]),
        next_attempt_at=_dt(f["next_attempt_at"]),
        expires_at=_from_epoch(f["expires_at"]),
        state=JobState(f["state"]),
        attempts=int(f["attempts"]),
        lease_owner=f.get("lease_owner"),
        lease_until=_dt(f.get("lease_until")),
        last_error=f.get("last_error"),
        kind=JobKind(f.get("job_kind", JobKind.MESSAGE)),
        permanent=bool(f.get("permanent", False)),
    )


def _pause(round_: int) -> None:
    """Back off a little, at random, before trying a contended write again."""
    time.sleep(random.uniform(0, 0.01 * (2**round_)))


class _Update:
    """Builds one UpdateItem (or its transaction form) from SET/REMOVE pairs and a condition."""

    def __init__(self, table: str, key: dict):
        self.table, self.key = table, key
        self.sets: dict[str, str] = {}
        self.removes: list[str] = []
        self.names: dict[str, str] = {}
        self.values: dict[str, dict] = {}
        self.condition: str | None = None
        self._n = itertools.count()

    def _name(self, attr: str) -> str:
        ref = f"#{attr}"
        self.names[ref] = attr
        return ref

    def value(self, value: Any) -> str:
        ref = f":v{next(self._n)}"
        self.values[ref] = _av(value)
        return ref

    def set(self, attr: str, value: Any) -> _Update:
        if value is None:
            return self.remove(attr)
        self.sets[attr] = f"{self._name(attr)} = {self.value(value)}"
        return self

    def set_expr(self, attr: str, expression: str) -> _Update:
        self.sets[attr] = f"{self._name(attr)} = {expression}"
        return self

    def remove(self, *attrs: str) -> _Update:
        self.removes.extend(self._name(a) for a in attrs)
        return self

    def where(self, condition: str, **values: Any) -> _Update:
        for name, value in values.items():
            self.values[f":{name}"] = _av(value)
        self.condition = condition
        return self

    def request(self) -> dict:
        parts = []
        if self.sets:
            parts.append("SET " + ", ".join(self.sets.values()))
        if self.removes:
            parts.append("REMOVE " + ", ".join(self.removes))
        req = {"TableName": self.table, "Key": self.key, "UpdateExpression": " ".join(parts)}
        names = dict(self.names)
        if self.condition:
            req["ConditionExpression"] = self.condition
            for token in (
                self.condition.replace("(", " ").replace(")", " ").replace(",", " ").split()
            ):
                if token.startswith("#"):
                    names[token] = token[1:]
        if names:
            req["ExpressionAttributeNames"] = names
        if self.values:
            req["ExpressionAttributeValues"] = self.values
        return req

    def op(self) -> dict:
        return {"Update": self.request()}


class DynamoDBStore:
    """relay.ports.Store on DynamoDB (boto3 honours AWS_ENDPOINT_URL; tests use moto server)."""

    def __init__(self, table: str, client=None):
        self.table = table
        self.client = client or boto3.client("dynamodb")

    # --- low-level helpers ------------------------------------------------------------------

    def _get(self, key: dict) -> dict[str, Any] | None:
        item = self.client.get_item(TableName=self.table, Key=key, ConsistentRead=True).get("Item")
        return _plain(item) if item else None

    def _put(self, fields: dict[str, Any], condition: str | None = None) -> dict:
        op = {"TableName": self.table, "Item": _item(fields)}
        if condition:
            op["ConditionExpression"] = condition
        return {"Put": op}

    def _transact(self, ops: list[dict]) -> list[str] | None:
        """Run one transaction; None on success, else each item's cancellation code."""
        try:
            self.client.transact_write_items(TransactItems=ops)
            return None
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = exc.response.get("CancellationReasons") or []
            return [r.get("Code", "None") for r in reasons] or ["Unknown"]

    def _query(self, **kwargs) -> Iterator[dict[str, Any]]:
        kwargs.setdefault("TableName", self.table)
        for page in self.client.get_paginator("query").paginate(**kwargs):
            for item in page.get("Items", []):
                yield _plain(item)

    def _partition(self, thread_id: str, prefix: str) -> Iterator[dict[str, Any]]:
        return self._query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={
                ":pk": {"S": f"THREAD#{thread_id}"},
                ":prefix": {"S": prefix},
            },
            ConsistentRead=True,
        )

    def _events_ops(self, events: Iterable[Event]) -> list[dict]:
        return [
            self._put(_event_fields(e, _sequence()), "attribute_not_exists(pk)") for e in events
        ]

    def _activity_op(
        self, thread_id: str, now: datetime, *, expiry: datetime | None, fallback: datetime
    ) -> dict:
        """Move an open thread in the inactivity index (creates the row if it is missing)."""
        up = _Update(self.table, _activity_key(thread_id))
        up.set("kind", "thread_activity").set("thread_id", thread_id)
        up.set("last_activity_at", _ts(now))
        up.set("gsi1pk", OPEN).set("gsi1sk", f"{_ts(now)}#{thread_id}")
        if expiry is not None:
            up.set("expires_at", _epoch(expiry))
        else:
            up.set_expr("expires_at", f"if_not_exists(expires_at, {up.value(_epoch(fallback))})")
        return up.op()

    def _activity_delete(self, thread_id: str) -> dict:
        return {"Delete": {"TableName": self.table, "Key": _activity_key(thread_id)}}

    def _thread_row(self, thread_id: str, now: datetime | None) -> dict[str, Any]:
        row = self._get(_thread_key(thread_id))
        if row is None:
            raise NotFound(f"no thread {thread_id}")
        if now is not None and row["expires_at"] <= _epoch(now):
            raise Expired(f"thread {thread_id} has expired")
        return row

    def _message_row(self, message_id: str, now: datetime | None) -> dict[str, Any]:
        ref = self._get(_ref_key(message_id))
        row = self._get(_message_key(ref["thread_id"], message_id)) if ref else None
        if row is None:
            raise NotFound(f"no message {message_id}")
        if now is not None and row["expires_at"] <= _epoch(now):
            raise Expired(f"message {message_id} has expired")
        return row

    # --- threads and messages -------------------------------------------------------------

    def find_idempotent(self, key, *, now):
        row = self._get(_idem_key(key))
        if row is None or row["expires_at"] <= _epoch(now):
            return None
        return IdempotencyRecord(
            key=key, fingerprint=row["fingerprint"], thread_id=row["thread_id"],
            message_id=row["message_id"], expires_at=_from_epoch(row["expires_at"]),
        )  # fmt: skip

    def _idem_op(self, key, fingerprint, thread_id, message_id, now) -> dict:
        fields = {
            "pk": f"IDEM#{key}",
            "sk": "IDEM",
            "kind": "idempotency",
            "fingerprint": fingerprint,
            "thread_id": thread_id,
            "message_id": message_id,
            "expires_at": _epoch(now + IDEMPOTENCY_TTL),
        }
        op = self._put(fields, "attribute_not_exists(pk) OR expires_at <= :now")
        op["Put"]["ExpressionAttributeValues"] = {":now": _av(_epoch(now))}
        return op

    def create_thread(self, thread, message, event, *, idempotency_key, fingerprint, now, jobs=()):
        for round_ in range(ROUNDS):
            seen = replay(self.find_idempotent(idempotency_key, now=now), fingerprint)
            if seen is not None:
                t = self._get(_thread_key(seen.thread_id))
                m = self._get(_message_key(seen.thread_id, seen.message_id))
                if t is None or m is None:
                    raise NotFound("the thread of this idempotency key is gone")
                return _thread(t), _message(m), False
            stored = replace(thread, last_activity_at=thread.last_activity_at or thread.created_at)
            engaged = message.status != Status.RECEIVED
            fields = _message_fields(message)
            if jobs:
                fields["job_ids"] = [j.id for j in jobs]
            ops = [
                self._idem_op(idempotency_key, fingerprint, thread.id, message.id, now),
                self._put(_thread_fields(stored, engaged), "attribute_not_exists(pk)"),
                self._put(fields, "attribute_not_exists(pk)"),
                self._put(_ref_fields(message), "attribute_not_exists(pk)"),
                *self._events_ops([event]),
                *(self._put(_job_fields(j), "attribute_not_exists(pk)") for j in jobs),
            ]
            if stored.state == ThreadState.OPEN:
                activity = _activity_fields(thread.id, stored.last_activity_at, thread.expires_at)
                ops.append(self._put(activity, "attribute_not_exists(pk)"))
            if thread.mentee_key:
                ops.append(self._put(_mentee_fields(thread), "attribute_not_exists(pk)"))
            reasons = self._transact(ops)
            if reasons is None:
                return stored, message, True
            if reasons[0] != "ConditionalCheckFailed" and "ConditionalCheckFailed" in reasons:
                raise Conflict(f"thread {thread.id} or message {message.id} already exists")
            # The key was taken meanwhile (read it back next round) or a concurrent
            # transaction held an item (TransactionConflict): wait a little, then look again.
            _pause(round_)
        raise Conflict("this submission is being stored concurrently; try again")

    def append_message(self, message, event, *, idempotency_key, fingerprint, now):
        for round_ in range(ROUNDS):
            seen = replay(self.find_idempotent(idempotency_key, now=now), fingerprint)
            if seen is not None:
                m = self._get(_message_key(seen.thread_id, seen.message_id))
                if m is None:
                    raise NotFound("the message of this idempotency key is gone")
                return _message(m), False
            touch = _Update(self.table, _thread_key(message.thread_id)).set(
                "last_activity_at", _ts(now)
            )
            if message.status != Status.RECEIVED:
                touch.set("engaged", True)
            touch.where(
                "attribute_exists(pk) AND #state = :open AND expires_at > :now",
                open=str(ThreadState.OPEN),
                now=_epoch(now),
            )
            ops = [
                self._idem_op(idempotency_key, fingerprint, message.thread_id, message.id, now),
                touch.op(),
                self._put(_message_fields(message), "attribute_not_exists(pk)"),
                self._put(_ref_fields(message), "attribute_not_exists(pk)"),
                *self._events_ops([event]),
                self._activity_op(message.thread_id, now, expiry=None, fallback=message.expires_at),
            ]
            reasons = self._transact(ops)
            if reasons is None:
                return message, True
            if reasons[1] == "ConditionalCheckFailed":
                thread = _thread(self._thread_row(message.thread_id, now))
                raise Conflict(f"thread is {thread.state}")
            _pause(round_)
        raise Conflict("this message is being stored concurrently; try again")

    def get_thread(self, thread_id, *, now):
        return _thread(self._thread_row(thread_id, now))

    def get_message(self, message_id, *, now):
        return _message(self._message_row(message_id, now))

    def list_messages(self, thread_id, *, now):
        limit = _epoch(now)
        rows = [r for r in self._partition(thread_id, "MSG#") if r["expires_at"] > limit]
        return sorted((_message(r) for r in rows), key=lambda m: (m.created_at, m.id))

    def _change(
        self,
        current: Message,
        status: Status,
        changes: MessageChanges | None,
        now: datetime,
        condition: str,
        values: dict[str, Any],
    ) -> tuple[Message, _Update]:
        """The updated message (domain.changes) and the conditional update that stores it."""
        c = changes or MessageChanges()
        updated = apply_changes(current, status, changes, now)
        up = _Update(self.table, _message_key(current.thread_id, current.id))
        up.set("status", str(status)).set("version", updated.version).set("updated_at", _ts(now))
        if c.delivered_text is not None:
            up.set("delivered_text", c.delivered_text)
        if c.flags is not None:
            up.set("flags", list(c.flags))
        if c.priority is not None:
            up.set("priority", c.priority)
        if c.reason is not None:
            up.set("reason", c.reason)
        if c.escalated is not None:
            up.set("escalated", c.escalated)
        if c.expires_at is not None:
            up.set("expires_at", _epoch(c.expires_at))
        if status == Status.PENDING:
            up.set("gsi1pk", QUEUE).set(
                "gsi1sk", _queue_sk(updated.priority, updated.created_at, updated.id)
            )
        elif current.status == Status.PENDING:
            up.remove("gsi1pk", "gsi1sk")
        up.where(condition, **values)
        return updated, up

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
        for round_ in range(ROUNDS):
            current = _message(self._message_row(message_id, now))
            check_expected(current, Status(expected_status), expected_version)
            updated, up = self._change(
                current,
                Status(new_status),
                changes,
                now,
                "#status = :expected AND #version = :ver AND expires_at > :now",
                {"expected": str(expected_status), "ver": expected_version, "now": _epoch(now)},
            )
            if jobs:
                up.set_expr(
                    "job_ids",
                    f"list_append(if_not_exists(job_ids, {up.value([])}),"
                    f" {up.value([j.id for j in jobs])})",
                )
            thread_row = self._get(_thread_key(current.thread_id)) or {}
            state = thread_row.get("state", "")
            touch = _Update(self.table, _thread_key(current.thread_id))
            # Conditional on the state read, so the ACTIVITY row follows the thread exactly.
            touch.set("last_activity_at", _ts(now)).where("#state = :state", state=state)
            if Status(new_status) != Status.RECEIVED:
                touch.set("engaged", True)
            ops: list[dict] = []
            if state == str(ThreadState.OPEN):
                fallback = _from_epoch(thread_row["expires_at"])
                ops.append(
                    self._activity_op(
                        current.thread_id, now, expiry=thread_expires_at, fallback=fallback
                    )
                )
            if thread_expires_at is not None:
                expiry = _epoch(thread_expires_at)
                up.set("expires_at", expiry)
                touch.set("expires_at", expiry)
                ops.append(_Update(self.table, _ref_key(current.id)).set("expires_at", expiry).op())
                if thread_row.get("mentee_key"):  # the index by mentee lives as long
                    ops.append(
                        _Update(self.table, _mentee_key(current.thread_id))
                        .set("expires_at", expiry)
                        .op()
                    )
                for row in self._partition(current.thread_id, "MSG#"):
                    keys = [_job_key(j) for j in row.get("job_ids", [])]  # the outbox lives as long
                    if row["id"] != current.id:
                        keys += [_message_key(current.thread_id, row["id"]), _ref_key(row["id"])]
                    for key in keys:
                        ops.append(_Update(self.table, key).set("expires_at", expiry).op())
                updated = replace(updated, expires_at=thread_expires_at)
            ops = [up.op(), *ops, touch.op()]
            ops += [self._put(_job_fields(j), "attribute_not_exists(pk)") for j in jobs]
            ops += self._events_ops(events)
            reasons = self._transact(ops)
            if reasons is None:
                return updated
            if reasons[0] == "ConditionalCheckFailed":
                raise Conflict(f"message {message_id} changed meanwhile")
            _pause(round_)
        raise Conflict(f"message {message_id} is busy; try again")

    def revise_message(self, message_id, *, expected_version, changes, events, now):
        current = _message(self._message_row(message_id, now))
        check_expected(current, None, expected_version)
        updated, up = self._change(
            current,
            current.status,
            changes,
            now,
            "#version = :ver AND expires_at > :now",
            {"ver": expected_version, "now": _epoch(now)},
        )
        reasons = self._transact([up.op(), *self._events_ops(events)])
        if reasons is not None:
            raise Conflict(f"message {message_id} changed meanwhile")
        return updated

    def set_thread_state(self, thread_id, *, expected, new, events, now):
        thread = _thread(self._thread_row(thread_id, now))
        if thread.state != expected:
            raise Conflict(f"thread {thread_id} is {thread.state}, not {expected}")
        up = _Update(self.table, _thread_key(thread_id))
        up.set("state", str(ThreadState(new))).set("last_activity_at", _ts(now))
        up.where("#state = :expected AND expires_at > :now", expected=expected, now=_epoch(now))
        if ThreadState(new) == ThreadState.OPEN:
            activity = self._put(_activity_fields(thread_id, now, thread.expires_at))
        else:
            activity = self._activity_delete(thread_id)
        if self._transact([up.op(), activity, *self._events_ops(events)]) is not None:
            raise Conflict(f"thread {thread_id} changed meanwhile")
        return replace(thread, state=ThreadState(new), last_activity_at=now)

    def erase_thread(self, thread_id, *, events, now):
        for _ in range(3):
            self._thread_row(thread_id, None)
            ops: list[dict] = []
            for row in self._partition(thread_id, "MSG#"):
                up = _Update(self.table, _message_key(thread_id, row["id"]))
                ops.append(up.remove("body", "delivered_text").op())
                for job_id in row.get("job_ids", []):
                    job = self._get(_job_key(job_id))
                    if job and job["state"] == str(JobState.QUEUED):
                        cancel = _Update(self.table, _job_key(job_id))
                        cancel.set("state", str(JobState.CANCELLED))
                        cancel.remove("lease_owner", "lease_until", "gsi1pk", "gsi1sk")
                        cancel.where("#state = :queued", queued=str(JobState.QUEUED))
                        ops.append(cancel.op())
            last = _Update(self.table, _thread_key(thread_id))
            last.set("state", str(ThreadState.ERASED)).set("last_activity_at", _ts(now))
            last.remove("pseudonym", "mentee_email", "mentee_key").where("attribute_exists(pk)")
            final = [
                last.op(),
                self._activity_delete(thread_id),
                {"Delete": {"TableName": self.table, "Key": _mentee_key(thread_id)}},
                *self._events_ops(events),
            ]
            # Bodies go first; the thread turns `erased` with its events in the last batch.
            head = MAX_TRANSACTION - len(final)
            failed = False
            while len(ops) > head:
                batch, ops = ops[:MAX_TRANSACTION], ops[MAX_TRANSACTION:]
                failed = failed or self._transact(batch) is not None
            if not failed and self._transact(ops + final) is None:
                return _thread(self._thread_row(thread_id, None))
        raise Conflict(f"thread {thread_id} changed during erasure; try again")

    def events(self, thread_id):
        return [_event(r) for r in self._partition(thread_id, "EVT#")]

    def queue(self, *, now, limit=50):
        found: list[Message] = []
        for row in self._query(
            IndexName=GSI,
            KeyConditionExpression="gsi1pk = :queue",
            FilterExpression="expires_at > :now AND #status = :pending",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":queue": {"S": QUEUE},
                ":now": _av(_epoch(now)),
                ":pending": {"S": str(Status.PENDING)},
            },
        ):
            found.append(_message(row))
            if len(found) >= limit:
                break
        return found

    def list_threads(self, *, now):
        found: list[Thread] = []
        pages = self.client.get_paginator("scan").paginate(
            TableName=self.table,
            FilterExpression="sk = :thread AND expires_at > :now",
            ExpressionAttributeValues={":thread": {"S": "THREAD"}, ":now": _av(_epoch(now))},
            ConsistentRead=True,
        )
        for page in pages:
            found.extend(_thread(_plain(item)) for item in page.get("Items", []))
        return sorted(found, key=lambda t: (t.created_at, t.id))

    def inactive_threads(self, *, before, now, limit=500):
        found: list[Thread] = []
        candidates = self._query(
            IndexName=GSI,
            KeyConditionExpression="gsi1pk = :open AND gsi1sk < :before",
            FilterExpression="expires_at > :now",
            ExpressionAttributeValues={
                ":open": {"S": OPEN},
                ":before": {"S": f"{_ts(before)}#"},
                ":now": _av(_epoch(now)),
            },
        )
        for row in candidates:
            # The index lags: the thread item (read consistently) has the last word.
            item = self._get(_thread_key(row["thread_id"]))
            if item is None or item["expires_at"] <= _epoch(now):
                continue
            thread = _thread(item)
            last = thread.last_activity_at or thread.created_at
            if thread.state == ThreadState.OPEN and last < before:
                found.append(thread)
                if len(found) >= limit:
                    break
        return found

    def mentee_threads(self, mentee_key, *, now):
        found = []
        for row in self._query(
            IndexName=GSI,
            KeyConditionExpression="gsi1pk = :key",
            ExpressionAttributeValues={":key": {"S": f"MENTEE#{mentee_key}"}},
            ScanIndexForward=False,
        ):
            item = self._get(_thread_key(row["thread_id"]))  # the index lags: read the thread
            if item is None or item["expires_at"] <= _epoch(now):
                continue
            thread = _thread(item)
            if thread.mentee_key == mentee_key and thread.state != ThreadState.ERASED:
                found.append(thread)
        return sorted(found, key=lambda t: (t.created_at, t.id), reverse=True)

    def count_open_threads(self, mentor, *, now):
        total = 0
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table,
            IndexName=GSI,
            KeyConditionExpression="gsi1pk = :mentor",
            FilterExpression="#state = :open AND expires_at > :now AND engaged = :yes",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={
                ":mentor": {"S": f"MENTOR#{mentor}"},
                ":open": {"S": str(ThreadState.OPEN)},
                ":now": _av(_epoch(now)),
                ":yes": {"BOOL": True},
            },
            Select="COUNT",
        )
        for page in pages:
            total += page["Count"]
        return total

    def open_thread_counts(self, mentors, *, now):
        # One COUNT query per mentor on the index (no Scan); the service caches the result.
        return {mentor: self.count_open_threads(mentor, now=now) for mentor in mentors}

    # --- delivery outbox -------------------------------------------------------------------

    def claim_jobs(self, *, owner, now, lease, limit=10):
        claimed: list[DeliveryJob] = []
        due = self._query(
            IndexName=GSI,
            KeyConditionExpression="gsi1pk = :jobs AND gsi1sk <= :due",
            FilterExpression="expires_at > :now AND #state = :queued AND"
            " (attribute_not_exists(lease_until) OR lease_until <= :nowts)",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={
                ":jobs": {"S": JOBS},
                ":due": {"S": f"{_ts(now)}#~"},
                ":now": _av(_epoch(now)),
                ":queued": {"S": str(JobState.QUEUED)},
                ":nowts": {"S": _ts(now)},
            },
        )
        for row in due:
            job = _job(row)  # ints, never the Decimal DynamoDB hands back
            job = replace(
                job, lease_owner=owner, lease_until=now + lease, attempts=job.attempts + 1
            )
            up = _Update(self.table, _job_key(job.id))
            up.set("lease_owner", owner).set("lease_until", _ts(job.lease_until))
            up.set("attempts", job.attempts)
            up.where(
                "#state = :queued AND attempts = :seen AND next_attempt_at <= :nowts AND"
                " (attribute_not_exists(lease_until) OR lease_until <= :nowts)",
                queued=str(JobState.QUEUED),
                seen=int(row["attempts"]),
                nowts=_ts(now),
            )
            try:
                self.client.update_item(**up.request())
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                    continue  # another worker took it first
                raise
            claimed.append(job)
            if len(claimed) >= limit:
                break
        return claimed

    def _leased(self, job_id: str, owner: str, now: datetime) -> DeliveryJob:
        row = self._get(_job_key(job_id))
        if row is None:
            raise NotFound(f"no job {job_id}")
        job = _job(row)
        check_held(job, owner, now)
        return job

    def _lease_condition(self, up: _Update, owner: str, now: datetime) -> None:
        up.where(
            "#state = :queued AND lease_owner = :owner AND lease_until > :nowts",
            queued=str(JobState.QUEUED),
            owner=owner,
            nowts=_ts(now),
        )

    def complete_job(self, job_id, *, owner, event, now):
        job = self._leased(job_id, owner, now)
        ops = []
        if job.kind == JobKind.MESSAGE:  # the e-mail that carries it: the message is delivered
            message = _message(self._message_row(job.message_id, now))
            _, deliver = self._change(
                message,
                Status.DELIVERED,
                None,
                now,
                "#status = :approved AND #version = :ver",
                {"approved": str(Status.APPROVED), "ver": message.version},
            )
            ops.append(deliver.op())
        done = _Update(self.table, _job_key(job_id)).set("state", str(JobState.SENT))
        done.remove("lease_owner", "lease_until", "gsi1pk", "gsi1sk")
        self._lease_condition(done, owner, now)
        reasons = self._transact([done.op(), *ops, *self._events_ops([event])])
        if reasons is not None:
            self._leased(job_id, owner, now)  # raises Conflict / LeaseLost if that is what changed
            raise Conflict(f"message {job.message_id} changed meanwhile")
        return replace(job, state=JobState.SENT, lease_owner=None, lease_until=None)

    def fail_job(self, job_id, *, owner, error, retry_at, event, now, permanent=False):
        job = self._leased(job_id, owner, now)
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
        up = _Update(self.table, _job_key(job_id))
        up.set("state", str(state)).set("last_error", error).set("permanent", updated.permanent)
        up.set("next_attempt_at", _ts(updated.next_attempt_at))
        up.remove("lease_owner", "lease_until")
        up.set("gsi1pk", JOBS if state == JobState.QUEUED else FAILED)
        up.set("gsi1sk", f"{_ts(updated.next_attempt_at)}#{job_id}")
        self._lease_condition(up, owner, now)
        if self._transact([up.op(), *self._events_ops([event])]) is not None:
            self._leased(job_id, owner, now)
            raise Conflict(f"job {job_id} changed meanwhile")
        return updated

    def enqueue(self, job, event, *, now):
        live = {"ConditionCheck": {
            "TableName": self.table, "Key": _thread_key(job.thread_id),
            "ConditionExpression": "attribute_exists(pk) AND expires_at > :now",
            "ExpressionAttributeValues": {":now": _av(_epoch(now))},
        }}  # fmt: skip
        listed = _Update(self.table, _message_key(job.thread_id, job.message_id))
        listed.set_expr(
            "job_ids", f"list_append(if_not_exists(job_ids, {listed.value([])}), "
            f"{listed.value([job.id])})",
        ).where("attribute_exists(pk)")  # fmt: skip
        ops = [
            live,
            listed.op(),
            self._put(_job_fields(job), "attribute_not_exists(pk)"),
            *self._events_ops([event]),
        ]
        if self._transact(ops) is not None:
            self._thread_row(job.thread_id, now)  # NotFound / Expired when that is what failed
            self._message_row(job.message_id, now)
            raise Conflict(f"job {job.id} could not be stored; try again")

    def get_job(self, job_id):
        row = self._get(_job_key(job_id))
        if row is None:
            raise NotFound(f"no job {job_id}")
        return _job(row)

    def set_job_state(self, job_id, *, expected, new, events, now):
        job = self.get_job(job_id)
        updated = moved(job, expected=expected, new=new, now=now)
        up = _Update(self.table, _job_key(job_id))
        up.set("state", str(updated.state)).set("next_attempt_at", _ts(now))
        up.set("permanent", updated.permanent).remove("lease_owner", "lease_until")
        if updated.state == JobState.QUEUED:
            up.set("gsi1pk", JOBS).set("gsi1sk", f"{_ts(now)}#{job_id}")
        else:
            up.remove("gsi1pk", "gsi1sk")
        up.where(
            "#state = :expected AND attempts = :seen AND"
            " (attribute_not_exists(lease_until) OR lease_until <= :nowts)",
            expected=str(expected), seen=job.attempts, nowts=_ts(now),
        )  # fmt: skip
        if self._transact([up.op(), *self._events_ops(events)]) is not None:
            raise Conflict(f"job {job_id} changed meanwhile")
        return updated

    def jobs_of(self, thread_id):
        ids = [i for row in self._partition(thread_id, "MSG#") for i in row.get("job_ids", [])]
        found = [self._get(_job_key(i)) for i in ids]
        return sorted(
            (_job(f) for f in found if f and "id" in f), key=lambda j: (j.created_at, j.id)
        )

    def troubled_jobs(self, *, now, stuck_after, limit=200):
        found: list[DeliveryJob] = []
        for partition, state, extra in (
            (FAILED, JobState.FAILED, ""),
            (JOBS, JobState.QUEUED, " AND attempts >= :stuck"),
        ):
            values = {":p": {"S": partition}, ":now": _av(_epoch(now)), ":state": {"S": str(state)}}
            if extra:
                values[":stuck"] = _av(stuck_after)
            for row in self._query(
                IndexName=GSI,
                KeyConditionExpression="gsi1pk = :p",
                FilterExpression="expires_at > :now AND #state = :state" + extra,
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=values,
            ):
                found.append(_job(row))
        found.sort(key=lambda j: (j.next_attempt_at, j.id), reverse=True)
        return found[:limit]

    # --- rate limits -----------------------------------------------------------------------

    def hit(self, bucket, key_hash, *, window, now):
        start = window_start(now, window)
        key = {"pk": {"S": f"RATE#{bucket}#{key_hash}#{_ts(start)}"}, "sk": {"S": "RATE"}}
        response = self.client.update_item(
            TableName=self.table,
            Key=key,
            UpdateExpression="ADD hits :one SET expires_at = :end, kind = :kind",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":end": _av(_epoch(start + window)),
                ":kind": {"S": "counter"},
            },
            ReturnValues="UPDATED_NEW",
        )
        return int(_de.deserialize(response["Attributes"]["hits"]))

    def transaction(self):
        """Each write here is atomic on its own (a transaction spans one call): nothing to join."""
        return contextlib.nullcontext()

    def hits(self, counters, *, now):
        return [self.hit(b, k, window=w, now=now) for b, k, w in counters]

    # --- mentors' private contacts ---------------------------------------------------------

    def set_mentor_contact(self, contact):
        self.client.put_item(TableName=self.table, Item=_item(_contact_fields(contact)))

    @staticmethod
    def _contact(f: dict[str, Any]) -> MentorContact:
        return MentorContact(
            slug=f["slug"],
            email=f["email"],
            paused=bool(f.get("paused", False)),
            updated_at=_dt(f.get("updated_at")),
        )

    def get_mentor_contact(self, slug):
        row = self._get(_contact_key(slug))
        if row is None:
            raise NotFound(f"no contact for mentor {slug}")
        return self._contact(row)

    def mentor_pauses(self, mentors):
        found: dict[str, bool] = {}
        slugs = list(dict.fromkeys(mentors))
        for start in range(0, len(slugs), 100):  # BatchGetItem takes 100 keys at most
            keys = [_contact_key(slug) for slug in slugs[start : start + 100]]
            request = {self.table: {"Keys": keys, "ProjectionExpression": "slug, paused",
                                    "ConsistentRead": True}}  # fmt: skip
            while request:
                response = self.client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self.table, []):
                    row = _plain(item)
                    found[row["slug"]] = bool(row.get("paused", False))
                request = response.get("UnprocessedKeys") or {}
        return found

    def remove_mentor_contact(self, slug):
        try:
            self.client.delete_item(
                TableName=self.table,
                Key=_contact_key(slug),
                ConditionExpression="attribute_exists(pk)",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise NotFound(f"no contact for mentor {slug}") from None
            raise

    def set_mentor_paused(self, slug, paused, *, now, events=()):
        up = _Update(self.table, _contact_key(slug))
        up.set("paused", paused).set("updated_at", _ts(now)).where("attribute_exists(pk)")
        reasons = self._transact([up.op(), *self._events_ops(events)])
        if reasons is not None:
            if reasons[0] == "ConditionalCheckFailed":
                raise NotFound(f"no contact for mentor {slug}")
            raise Conflict(f"the pause of mentor {slug} changed meanwhile; try again")
        return self.get_mentor_contact(slug)

    # --- applications to become a mentor --------------------------------------------------

    def create_application(self, application, *, jobs=(), now):
        ops = [
            self._put(_application_fields(application), "attribute_not_exists(pk)"),
            *(self._put(_job_fields(j), "attribute_not_exists(pk)") for j in jobs),
        ]
        if self._transact(ops) is not None:
            raise Conflict(f"application {application.id} already exists")

    def get_application(self, application_id, *, now):
        row = self._get(_application_key(application_id))
        if row is None:
            raise NotFound(f"no application {application_id}")
        if row["expires_at"] <= _epoch(now):
            raise Expired(f"application {application_id} has expired")
        return _application(row)

    def list_applications(self, *, now):
        rows = self._query(
            IndexName=GSI,
            KeyConditionExpression="gsi1pk = :apps",
            FilterExpression="expires_at > :now",
            ExpressionAttributeValues={":apps": {"S": APPLICATIONS}, ":now": _av(_epoch(now))},
        )
        return [_application(r) for r in rows]

    def update_application(self, application, *, expected, now, contact=None):
        put = self._put(
            _application_fields(application), "#state = :expected AND expires_at > :now"
        )
        put["Put"]["ExpressionAttributeNames"] = {"#state": "state"}
        put["Put"]["ExpressionAttributeValues"] = {
            ":expected": _av(str(expected)), ":now": _av(_epoch(now)),
        }  # fmt: skip
        ops = [put]
        if contact is not None:
            ops.append(self._put(_contact_fields(contact), "attribute_not_exists(pk)"))
        reasons = self._transact(ops)
        if reasons is None:
            return application
        current = self.get_application(application.id, now=now)  # NotFound / Expired
        if current.state != expected:
            raise Conflict(f"application {application.id} is {current.state}, not {expected}")
        if contact is not None and reasons[1:2] == ["ConditionalCheckFailed"]:
            raise Conflict(f"mentor {contact.slug} already has a contact")
        raise Conflict(f"application {application.id} changed meanwhile; try again")

    # --- addresses that bounced or complained ----------------------------------------------

    def mark_undeliverable(self, address_key, *, reason, expires_at, now):
        fields = {
            "pk": f"ADDR#{address_key}",
            "sk": "UNDELIVERABLE",
            "kind": "undeliverable",
            "reason": reason,
            "at": _ts(now),
            "expires_at": _epoch(expires_at),
        }
        self.client.put_item(TableName=self.table, Item=_item(fields))

    def undeliverable_reason(self, address_key, *, now):
        row = self._get({"pk": {"S": f"ADDR#{address_key}"}, "sk": {"S": "UNDELIVERABLE"}})
        if row is None or _from_epoch(row["expires_at"]) <= now:
            return None
        return row["reason"]

    # --- housekeeping ----------------------------------------------------------------------

    def purge(self, *, now):
        """Delete what has expired and DynamoDB's TTL (which lags) has not removed yet."""
        expired: list[dict] = []
        pages = self.client.get_paginator("scan").paginate(
            TableName=self.table,
            FilterExpression="expires_at <= :now",
            ExpressionAttributeValues={":now": _av(_epoch(now))},
            ProjectionExpression="pk, sk",
        )
        for page in pages:
            expired.extend(page.get("Items", []))
        for batch in _chunks(expired, 25):
            requests = [{"DeleteRequest": {"Key": key}} for key in batch]
            while requests:
                response = self.client.batch_write_item(RequestItems={self.table: requests})
                requests = response.get("UnprocessedItems", {}).get(self.table, [])
        return len(expired)


def _chunks(items: Sequence[dict], size: int) -> Iterator[Sequence[dict]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
