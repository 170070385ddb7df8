"""Logs, metrics and traces on Lambda (Powertools), fed by what the relay already records.

Metrics follow the audit log: every event a store write carries is counted
once that write succeeded, so a figure cannot drift from what happened, and no
service has to know about CloudWatch. Metric values never hold personal data.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from ..domain import Event

SERVICE = "passerelle-relay"
NAMESPACE = "Passerelle"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
tracer = Tracer(service=SERVICE)

# audit action -> metric (the alarm on `Undeliverable` also counts bounces and complaints)
COUNTED = {
    "received": "QuestionsReceived",
    "address_confirmed": "QuestionsConfirmed",
    "approved": "MessagesApproved",
    "delivered": "MessagesDelivered",
    "undeliverable": "Undeliverable",
}


def _events(values: Iterable) -> Iterable[Event]:
    for value in values:
        if isinstance(value, Event):
            yield value
        elif isinstance(value, list | tuple):
            yield from (v for v in value if isinstance(v, Event))


def _created(result) -> bool:
    """create_thread / append_message say `created=False` when they only replayed a retry."""
    return not (isinstance(result, tuple) and result and result[-1] is False)


class MeteredStore:
    """The Store port, counting the audit events of every successful write."""

    def __init__(self, store, count=None):
        self._store = store
        self._count = count or (lambda name: metrics.add_metric(name, MetricUnit.Count, 1))

    def __getattr__(self, name):
        attr = getattr(self._store, name)
        if not callable(attr):
            return attr

        @functools.wraps(attr)
        def call(*args, **kwargs):
            result = attr(*args, **kwargs)
            if name == "mark_undeliverable":
                self._count("Undeliverable")
            elif _created(result):
                for event in _events([*args, *kwargs.values()]):
                    if event.action in COUNTED:
                        self._count(COUNTED[event.action])
                    elif event.action == "delivery_failed" and event.detail.get("gave_up"):
                        self._count("Undeliverable")  # refused for good, or its thread expired
            return result

        return call


def oldest_pending_delivery_seconds(store, now: datetime) -> float:
    """How late the most overdue delivery job is (0 when none is due): the backlog alarm.

    Reads the DynamoDB store's JOBS index (queued jobs by due time), first item only.
    """
    from ..store import dynamodb

    items = store.client.query(
        TableName=store.table,
        IndexName=dynamodb.GSI,
        KeyConditionExpression="gsi1pk = :jobs",
        ExpressionAttributeValues={":jobs": {"S": dynamodb.JOBS}},
        ProjectionExpression="gsi1sk",
        Limit=1,
    ).get("Items", [])
    if not items:
        return 0.0
    due = datetime.fromisoformat(items[0]["gsi1sk"]["S"].split("#", 1)[0])
    return max(0.0, (now - due).total_seconds())
