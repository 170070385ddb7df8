"""What the DynamoDB store leaves in its table, read raw (the port-level contract is shared)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from relay.domain import MentorContact, Status
from relay.store.dynamodb import TTL_ATTRIBUTE

from tests.test_store_contract import T0, advance, approved_with_job, create, event

pytestmark = pytest.mark.aws


def raw_items(store) -> list[dict]:
    items = []
    for page in store.client.get_paginator("scan").paginate(TableName=store.table):
        items.extend(page["Items"])
    return items


def test_table_expires_rows_on_the_attribute_the_store_writes(dynamodb_store):
    ttl = dynamodb_store.client.describe_time_to_live(TableName=dynamodb_store.table)
    description = ttl["TimeToLiveDescription"]
    assert description["AttributeName"] == TTL_ATTRIBUTE
    assert description["TimeToLiveStatus"] == "ENABLED"


def test_every_row_but_a_mentor_contact_carries_a_numeric_ttl(dynamodb_store):
    store = dynamodb_store
    thread, _, job = approved_with_job(store)
    store.claim_jobs(owner="w", now=T0, lease=timedelta(minutes=2))
    store.complete_job(job.id, owner="w", event=event(thread.id, "delivered"), now=T0)
    store.hit("client", "h", window=timedelta(hours=1), now=T0)
    store.set_mentor_contact(MentorContact(slug="marie-tremblay", email="marie@example.org"))

    items = raw_items(store)
    kinds = {i["kind"]["S"] for i in items}
    assert kinds == {
        "thread",
        "thread_activity",
        "message",
        "message_ref",
        "event",
        "job",
        "idempotency",
        "counter",
        "mentor_contact",
    }
    for item in items:
        if item["kind"]["S"] != "mentor_contact":
            assert "N" in item[TTL_ATTRIBUTE], item["kind"]


def test_only_pending_messages_open_threads_and_live_jobs_sit_in_the_index(dynamodb_store):
    store = dynamodb_store
    _, pending, _ = create(store)
    pending = advance(store, advance(store, pending, Status.CONFIRMED), Status.PENDING)
    thread, approved, job = approved_with_job(store)

    indexed = {i["sk"]["S"]: i["gsi1pk"]["S"] for i in raw_items(store) if "gsi1pk" in i}
    assert indexed[f"MSG#{pending.id}"] == "QUEUE"
    assert f"MSG#{approved.id}" not in indexed
    assert indexed["JOB"] == "JOBS"

    store.claim_jobs(owner="w", now=T0, lease=timedelta(minutes=2))
    store.complete_job(job.id, owner="w", event=event(thread.id, "delivered"), now=T0)
    indexed = {i["sk"]["S"] for i in raw_items(store) if i.get("gsi1pk", {}).get("S") == "JOBS"}
    assert indexed == set()
    opened = {i["pk"]["S"] for i in raw_items(store) if i.get("gsi1pk", {}).get("S") == "OPEN"}
    assert f"THREAD#{thread.id}" in opened
    store.set_thread_state(thread.id, expected="open", new="closed", events=[], now=T0)
    opened = {i["pk"]["S"] for i in raw_items(store) if i.get("gsi1pk", {}).get("S") == "OPEN"}
    assert f"THREAD#{thread.id}" not in opened


def test_a_job_that_gave_up_moves_to_the_failed_partition_of_the_index(dynamodb_store):
    store = dynamodb_store
    thread, _, job = approved_with_job(store)
    store.claim_jobs(owner="w", now=T0, lease=timedelta(minutes=2))
    store.fail_job(
        job.id, owner="w", error="x", retry_at=None, event=event(thread.id, "failed"), now=T0
    )
    [row] = [i for i in raw_items(store) if i["pk"]["S"] == f"JOB#{job.id}"]
    assert row["gsi1pk"]["S"] == "FAILED"


def test_erasure_leaves_no_personal_data_anywhere_in_the_table(dynamodb_store):
    store = dynamodb_store
    thread, message, _ = approved_with_job(store)
    store.erase_thread(thread.id, events=[event(thread.id, "erased")], now=T0)

    dump = json.dumps(raw_items(store), ensure_ascii=False)
    for personal in (thread.mentee_email, thread.pseudonym, message.body):
        assert personal not in dump
    assert message.id in dump  # ids, statuses and the audit log stay
