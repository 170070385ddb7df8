"""One contract for every Store adapter: run against each fixture in conftest.STORE_FIXTURES."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from relay.domain import (
    AgeBand,
    Conflict,
    DeliveryJob,
    Event,
    Expired,
    IdempotencyMismatch,
    InvalidTransition,
    JobKind,
    JobState,
    LeaseLost,
    MentorContact,
    Message,
    MessageChanges,
    NotFound,
    Side,
    Status,
    Thread,
    ThreadState,
    new_id,
)
from relay.domain import applications as application_rules
from relay.domain.applications import Application, ApplicationState

T0 = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def make_thread(mentor="marie-tremblay", expires=T0 + 72 * HOUR, **kw) -> Thread:
    fields = dict(
        id=new_id(),
        mentor=mentor,
        lang="fr",
        pseudonym="Alex",
        age_band=AgeBand.MINOR,
        region="06",
        situation="secondaire",
        mentee_email="alex@example.org",
        created_at=T0,
        expires_at=expires,
    )
    fields.update(kw)
    return Thread(**fields)


def make_message(thread: Thread, at=T0, **kw) -> Message:
    fields = dict(
        id=new_id(),
        thread_id=thread.id,
        author=Side.MENTEE,
        body="Comment devient-on ingénieure civile au Québec?",
        delivered_text="Comment devient-on ingénieure civile au Québec?",
        status=Status.RECEIVED,
        created_at=at,
        updated_at=at,
        expires_at=thread.expires_at,
    )
    fields.update(kw)
    return Message(**fields)


def event(thread_id: str, action: str, message_id: str | None = None, at=T0) -> Event:
    return Event(thread_id=thread_id, action=action, actor="system", at=at, message_id=message_id)


def create(store, key=None, fingerprint="fp-1", **kw):
    thread = make_thread(**kw)
    message = make_message(thread)
    return store.create_thread(
        thread,
        message,
        event(thread.id, "received", message.id),
        idempotency_key=key or new_id(),
        fingerprint=fingerprint,
        now=T0,
    )


def advance(store, message: Message, target: Status, now=T0, **kw) -> Message:
    return store.transition(
        message.id,
        expected_status=message.status,
        expected_version=message.version,
        new_status=target,
        events=[event(message.thread_id, str(target), message.id, at=now)],
        now=now,
        **kw,
    )


def approved_with_job(store):
    thread, message, _ = create(store)
    for target in (Status.CONFIRMED, Status.PENDING):
        message = advance(store, message, target)
    job = DeliveryJob(
        id=new_id(),
        message_id=message.id,
        thread_id=thread.id,
        recipient=Side.MENTOR,
        created_at=T0,
        next_attempt_at=T0,
        expires_at=T0 + 30 * 24 * HOUR,
    )
    message = advance(store, message, Status.APPROVED, jobs=[job])
    return thread, message, job


def test_created_thread_reads_back_with_its_message_and_event(store):
    thread, message, created = create(store)
    assert created
    assert store.get_thread(thread.id, now=T0).mentee_email == "alex@example.org"
    assert store.get_message(message.id, now=T0).body == message.body
    assert [m.id for m in store.list_messages(thread.id, now=T0)] == [message.id]
    assert [e.action for e in store.events(thread.id)] == ["received"]


def test_same_idempotency_key_and_body_stores_one_thread(store):
    first = create(store, key="k-1")
    again = create(store, key="k-1")
    assert again[2] is False
    assert (again[0].id, again[1].id) == (first[0].id, first[1].id)
    with pytest.raises(NotFound):
        store.get_thread(make_thread().id, now=T0)
    assert len(store.events(first[0].id)) == 1


def test_same_idempotency_key_with_another_body_is_refused_and_writes_nothing(store):
    create(store, key="k-2", fingerprint="fp-a")
    thread = make_thread()
    with pytest.raises(IdempotencyMismatch):
        store.create_thread(
            thread,
            make_message(thread),
            event(thread.id, "received"),
            idempotency_key="k-2",
            fingerprint="fp-b",
            now=T0,
        )
    with pytest.raises(NotFound):
        store.get_thread(thread.id, now=T0)


def test_lifecycle_to_delivered_writes_an_event_per_step(store):
    thread, message, job = approved_with_job(store)
    assert message.status == Status.APPROVED and message.version == 4
    [claimed] = store.claim_jobs(owner="w1", now=T0, lease=timedelta(minutes=2))
    assert claimed.id == job.id and claimed.attempts == 1
    assert type(claimed.attempts) is int  # never a Decimal, whatever the adapter reads
    store.complete_job(job.id, owner="w1", event=event(thread.id, "delivered"), now=T0)
    assert store.get_message(message.id, now=T0).status == Status.DELIVERED
    assert store.get_job(job.id).state == JobState.SENT
    actions = [e.action for e in store.events(thread.id)]
    assert actions == ["received", "confirmed", "pending", "approved", "delivered"]
    with pytest.raises(Conflict):
        store.complete_job(job.id, owner="w1", event=event(thread.id, "again"), now=T0)


def test_a_message_is_approved_once_the_loser_gets_conflict(store):
    _, message, _ = create(store)
    message = advance(store, message, Status.CONFIRMED)
    message = advance(store, message, Status.PENDING)
    advance(store, message, Status.APPROVED)
    with pytest.raises(Conflict):
        advance(store, message, Status.REJECTED, changes=MessageChanges(reason="off-topic"))
    stored = store.get_message(message.id, now=T0)
    assert stored.status == Status.APPROVED and stored.reason is None
    assert [e.action for e in store.events(message.thread_id)].count("rejected") == 0


def test_concurrent_approvals_have_exactly_one_winner(store):
    _, message, _ = create(store)
    message = advance(store, message, Status.CONFIRMED)
    message = advance(store, message, Status.PENDING)

    def approve(_):
        try:
            advance(store, message, Status.APPROVED)
            return "won"
        except Conflict:
            return "lost"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(approve, range(8)))
    assert outcomes.count("won") == 1
    assert [e.action for e in store.events(message.thread_id)].count("approved") == 1


def test_state_machine_refuses_skipping_steps(store):
    _, message, _ = create(store)
    with pytest.raises(InvalidTransition):
        advance(store, message, Status.APPROVED)
    assert store.get_message(message.id, now=T0).status == Status.RECEIVED


def test_expired_rows_are_hidden_then_purged(store):
    thread, message, _ = create(store, expires=T0 + HOUR)
    later = T0 + 2 * HOUR
    with pytest.raises(Expired):
        store.get_thread(thread.id, now=later)
    with pytest.raises(Expired):
        store.get_message(message.id, now=later)
    assert store.list_messages(thread.id, now=later) == []
    assert store.purge(now=later) >= 2
    with pytest.raises(NotFound) as gone:
        store.get_thread(thread.id, now=later)
    assert not isinstance(gone.value, Expired)


def test_confirming_extends_the_thread_expiry(store):
    thread, message, _ = create(store, expires=T0 + HOUR)
    advance(store, message, Status.CONFIRMED, thread_expires_at=T0 + 1000 * HOUR)
    later = T0 + 2 * HOUR
    assert store.get_thread(thread.id, now=later).expires_at == T0 + 1000 * HOUR
    assert store.get_message(message.id, now=later).status == Status.CONFIRMED


def test_queue_lists_pending_by_priority_then_age(store):
    ids = {}
    for name, priority, minutes in (("old", 0, 0), ("new", 0, 5), ("urgent", 5, 10)):
        thread = make_thread()
        msg = make_message(thread, at=T0 + timedelta(minutes=minutes))
        store.create_thread(
            thread,
            msg,
            event(thread.id, "received"),
            idempotency_key=name,
            fingerprint=name,
            now=T0,
        )
        msg = advance(store, msg, Status.CONFIRMED)
        advance(store, msg, Status.PENDING, changes=MessageChanges(priority=priority))
        ids[name] = msg.id
    create(store)  # still received: not in the queue
    assert [m.id for m in store.queue(now=T0)] == [ids["urgent"], ids["old"], ids["new"]]


def test_a_leased_job_is_not_claimed_twice_until_the_lease_ends(store):
    thread, _, job = approved_with_job(store)
    lease = timedelta(minutes=2)
    assert [j.id for j in store.claim_jobs(owner="a", now=T0, lease=lease)] == [job.id]
    assert store.claim_jobs(owner="b", now=T0 + timedelta(minutes=1), lease=lease) == []
    late = T0 + timedelta(minutes=3)
    [taken] = store.claim_jobs(owner="b", now=late, lease=lease)
    assert taken.attempts == 2
    with pytest.raises(LeaseLost):
        store.complete_job(job.id, owner="a", event=event(thread.id, "delivered"), now=late)
    store.complete_job(job.id, owner="b", event=event(thread.id, "delivered"), now=late)


def test_failed_jobs_retry_after_backoff_then_give_up(store):
    thread, message, job = approved_with_job(store)
    lease = timedelta(minutes=2)
    store.claim_jobs(owner="a", now=T0, lease=lease)
    retry = T0 + timedelta(minutes=10)
    failed = store.fail_job(
        job.id, owner="a", error="smtp_4xx", retry_at=retry, event=event(thread.id, "x"), now=T0
    )
    assert failed.state == JobState.QUEUED and failed.last_error == "smtp_4xx"
    assert store.claim_jobs(owner="a", now=retry - timedelta(seconds=1), lease=lease) == []
    assert len(store.claim_jobs(owner="a", now=retry, lease=lease)) == 1
    store.fail_job(
        job.id, owner="a", error="smtp_5xx", retry_at=None, event=event(thread.id, "x"), now=retry
    )
    assert store.get_job(job.id).state == JobState.FAILED
    assert store.claim_jobs(owner="a", now=retry + 100 * HOUR, lease=lease) == []
    assert store.get_message(message.id, now=retry).status == Status.APPROVED


def test_rate_counters_count_per_fixed_window_and_key(store):
    window = timedelta(hours=1)
    counts = [
        store.hit("client", "h1", window=window, now=T0 + timedelta(minutes=m)) for m in (0, 10, 59)
    ]
    assert counts == [1, 2, 3]
    assert store.hit("client", "h2", window=window, now=T0) == 1
    assert store.hit("email", "h1", window=window, now=T0) == 1
    assert store.hit("client", "h1", window=window, now=T0 + window) == 1


def test_writes_in_one_transaction_are_all_kept_and_replays_still_replay(store):
    thread = make_thread()
    message = make_message(thread)
    event = Event(thread_id=thread.id, action="received", actor="mentee", at=T0)
    with store.transaction():  # what a submission does: its counts, then its thread
        counts = store.hits([("client", "h1", HOUR), ("email", "h2", HOUR)], now=T0)
        _, _, created = store.create_thread(
            thread, message, event, idempotency_key="k", fingerprint="f", now=T0
        )
    assert counts == [1, 1] and created
    with store.transaction():
        assert store.hits([("client", "h1", HOUR)], now=T0) == [2]
        again = store.create_thread(
            make_thread(), make_message(thread), event, idempotency_key="k", fingerprint="f",
            now=T0,
        )  # fmt: skip
    assert again[0].id == thread.id and not again[2]
    assert [m.id for m in store.list_messages(thread.id, now=T0)] == [message.id]
    assert store.hit("client", "h1", window=HOUR, now=T0) == 3


def test_hits_count_each_counter_as_separate_calls_would(store):
    day = timedelta(days=1)
    store.hit("client", "h1", window=HOUR, now=T0)
    counters = [("client", "h1", HOUR), ("client", "h1", day), ("client", "h1", HOUR)]
    assert store.hits(counters, now=T0) == [2, 1, 3]  # a counter named twice counts twice
    assert store.hits([("email", "h2", HOUR), ("client", "h1", HOUR)], now=T0) == [1, 4]
    assert store.hits([], now=T0) == []


def test_an_expired_idempotency_key_can_be_used_again(store):
    from relay.domain.policies import IDEMPOTENCY_TTL

    first, later = make_thread(), make_thread(created_at=T0 + IDEMPOTENCY_TTL + HOUR)
    for thread, at, fingerprint in ((first, T0, "f1"), (later, later.created_at, "f2")):
        event = Event(thread_id=thread.id, action="received", actor="mentee", at=at)
        _, _, created = store.create_thread(
            thread, make_message(thread, at=at), event, idempotency_key="k",
            fingerprint=fingerprint, now=at,
        )  # fmt: skip
        assert created
    record = store.find_idempotent("k", now=later.created_at)
    assert record.thread_id == later.id and record.fingerprint == "f2"


def test_mentor_contacts_set_pause_remove(store):
    with pytest.raises(NotFound):
        store.get_mentor_contact("nobody")
    store.set_mentor_contact(MentorContact(slug="marie-tremblay", email="marie@example.org"))
    assert store.get_mentor_contact("marie-tremblay").email == "marie@example.org"
    assert store.set_mentor_paused("marie-tremblay", True, now=T0).paused
    assert store.get_mentor_contact("marie-tremblay").updated_at == T0
    store.set_mentor_contact(MentorContact(slug="marie-tremblay", email="m2@example.org"))
    assert store.get_mentor_contact("marie-tremblay").email == "m2@example.org"
    store.remove_mentor_contact("marie-tremblay")
    with pytest.raises(NotFound):
        store.remove_mentor_contact("marie-tremblay")
    with pytest.raises(NotFound):
        store.set_mentor_paused("marie-tremblay", False, now=T0)


def test_erasure_removes_bodies_and_address_keeps_audit_and_cancels_jobs(store):
    thread, message, job = approved_with_job(store)
    erased = store.erase_thread(thread.id, events=[event(thread.id, "erased")], now=T0)
    assert erased.state == ThreadState.ERASED
    assert erased.mentee_email is None and erased.pseudonym is None
    stored = store.get_message(message.id, now=T0)
    assert stored.body is None and stored.delivered_text is None
    assert stored.status == Status.APPROVED
    assert store.get_job(job.id).state == JobState.CANCELLED
    assert store.claim_jobs(owner="a", now=T0, lease=timedelta(minutes=2)) == []
    assert [e.action for e in store.events(thread.id)][-1] == "erased"
    store.erase_thread(thread.id, events=[event(thread.id, "erased")], now=T0)
    with pytest.raises(NotFound):
        store.erase_thread("missing", events=[], now=T0)


def test_append_message_is_idempotent_and_needs_an_open_thread(store):
    thread, _, _ = create(store)
    reply = make_message(thread, author=Side.MENTOR, at=T0 + HOUR)
    ev = event(thread.id, "replied", reply.id)
    _, created = store.append_message(reply, ev, idempotency_key="r1", fingerprint="f", now=T0)
    again, created_again = store.append_message(
        reply, ev, idempotency_key="r1", fingerprint="f", now=T0
    )
    assert created and not created_again and again.id == reply.id
    assert len(store.list_messages(thread.id, now=T0)) == 2
    store.set_thread_state(
        thread.id, expected="open", new="closed", events=[event(thread.id, "closed")], now=T0
    )
    with pytest.raises(Conflict):
        store.set_thread_state(thread.id, expected="open", new="closed", events=[], now=T0)
    late = make_message(thread, at=T0 + 2 * HOUR)
    with pytest.raises(Conflict):
        store.append_message(late, ev, idempotency_key="r2", fingerprint="g", now=T0)


def test_revise_message_is_compare_and_set_on_version(store):
    _, message, _ = create(store)
    revised = store.revise_message(
        message.id,
        expected_version=message.version,
        changes=MessageChanges(escalated=True, priority=9),
        events=[event(message.thread_id, "escalated")],
        now=T0,
    )
    assert revised.escalated and revised.priority == 9 and revised.status == Status.RECEIVED
    with pytest.raises(Conflict):
        store.revise_message(
            message.id,
            expected_version=message.version,
            changes=MessageChanges(),
            events=[],
            now=T0,
        )


def test_open_threads_count_only_confirmed_ones(store):
    _, message, _ = create(store, mentor="luc")
    create(store, mentor="luc")
    create(store, mentor="other")
    advance(store, message, Status.CONFIRMED)
    assert store.count_open_threads("luc", now=T0) == 1


def test_pausing_a_mentor_writes_its_audit_events_in_the_same_change(store):
    thread, _, _ = create(store)
    store.set_mentor_contact(MentorContact(slug="marie-tremblay", email="marie@example.org"))
    paused = store.set_mentor_paused(
        "marie-tremblay", True, now=T0 + HOUR, events=[event(thread.id, "mentor_paused")]
    )
    assert paused.paused and paused.updated_at == T0 + HOUR
    resumed = store.set_mentor_paused(
        "marie-tremblay", False, now=T0 + 2 * HOUR, events=[event(thread.id, "mentor_resumed")]
    )
    assert not resumed.paused
    assert [e.action for e in store.events(thread.id)] == [
        "received",
        "mentor_paused",
        "mentor_resumed",
    ]
    with pytest.raises(NotFound):
        store.set_mentor_paused("nobody", True, now=T0, events=[event(thread.id, "mentor_paused")])
    assert [e.action for e in store.events(thread.id)].count("mentor_paused") == 1


def test_inactive_threads_are_open_unexpired_and_idle_since_before_oldest_first(store):
    idle, idle_msg, _ = create(store)
    later, _, _ = create(store)
    reply = make_message(later, author=Side.MENTOR, at=T0 + 2 * HOUR)
    store.append_message(
        reply, event(later.id, "replied"), idempotency_key="r", fingerprint="r", now=T0 + 2 * HOUR
    )
    closed, _, _ = create(store)
    store.set_thread_state(closed.id, expected="open", new="closed", events=[], now=T0)
    erased, _, _ = create(store)
    store.erase_thread(erased.id, events=[], now=T0)
    create(store, expires=T0 + 3 * HOUR)  # gone by the time of the sweep

    def ids(before, now, limit=500):
        return [t.id for t in store.inactive_threads(before=before, now=now, limit=limit)]

    now = T0 + 4 * HOUR
    assert ids(T0 + 3 * HOUR, now) == [idle.id, later.id]
    assert ids(T0 + 3 * HOUR, now, limit=1) == [idle.id]
    assert ids(T0 + 2 * HOUR, now) == [idle.id]  # strictly before
    assert ids(T0, now) == []
    [found] = store.inactive_threads(before=T0 + HOUR, now=now)
    assert found.state == ThreadState.OPEN and found.last_activity_at == T0
    advance(store, idle_msg, Status.CONFIRMED, now=T0 + 5 * HOUR)  # activity moves it
    assert ids(T0 + 5 * HOUR, T0 + 6 * HOUR) == [later.id]
    assert ids(T0 + 6 * HOUR, T0 + 6 * HOUR) == [later.id, idle.id]
    store.set_thread_state(later.id, expected="open", new="closed", events=[], now=T0 + 6 * HOUR)
    assert ids(T0 + 6 * HOUR, T0 + 6 * HOUR) == [idle.id]
    assert ids(T0 + 6 * HOUR, T0 + 100 * HOUR) == []  # expired threads are never listed


def test_troubled_jobs_lists_failed_and_stuck_jobs_newest_first(store):
    lease = timedelta(minutes=2)
    thread, message, job = approved_with_job(store)
    sent_thread, _, sent = approved_with_job(store)
    assert store.troubled_jobs(now=T0, stuck_after=3) == []
    store.claim_jobs(owner="a", now=T0, lease=lease)
    retry = T0 + HOUR
    store.fail_job(
        job.id, owner="a", error="smtp_4xx", retry_at=retry, event=event(thread.id, "x"), now=T0
    )
    store.complete_job(sent.id, owner="a", event=event(sent_thread.id, "delivered"), now=T0)
    assert store.troubled_jobs(now=T0, stuck_after=3) == []  # one retry is not trouble
    assert [j.id for j in store.troubled_jobs(now=T0, stuck_after=1)] == [job.id]  # stuck
    store.claim_jobs(owner="a", now=retry, lease=lease)
    store.fail_job(
        job.id, owner="a", error="MessageRejected", retry_at=None, event=event(thread.id, "x"),
        now=retry, permanent=True,
    )  # fmt: skip
    [failed] = store.troubled_jobs(now=retry, stuck_after=3)
    assert (failed.id, failed.message_id, failed.thread_id) == (job.id, message.id, thread.id)
    assert failed.state == JobState.FAILED and failed.last_error == "MessageRejected"
    assert failed.permanent is True
    assert failed.attempts == 2 and type(failed.attempts) is int
    assert failed.next_attempt_at == retry
    other_thread, _, other = approved_with_job(store)
    later = retry + HOUR
    store.claim_jobs(owner="b", now=later, lease=lease)
    store.fail_job(
        other.id, owner="b", error="x", retry_at=None, event=event(other_thread.id, "x"), now=later
    )
    assert store.get_job(other.id).permanent is False
    assert [j.id for j in store.troubled_jobs(now=later, stuck_after=3)] == [other.id, job.id]
    assert [j.id for j in store.troubled_jobs(now=later, stuck_after=3, limit=1)] == [other.id]
    assert store.troubled_jobs(now=job.expires_at, stuck_after=3) == []  # expired with its thread


def confirmation_job(thread: Thread, message: Message, **kw) -> DeliveryJob:
    fields = dict(
        id=new_id(), message_id=message.id, thread_id=thread.id, recipient=Side.MENTEE,
        created_at=T0, next_attempt_at=T0, expires_at=thread.expires_at,
        kind=JobKind.CONFIRMATION,
    )  # fmt: skip
    fields.update(kw)
    return DeliveryJob(**fields)


def create_with_job(store, key=None):
    thread = make_thread()
    message = make_message(thread)
    job = confirmation_job(thread, message)
    stored = store.create_thread(
        thread, message, event(thread.id, "received", message.id),
        idempotency_key=key or new_id(), fingerprint="fp-1", now=T0, jobs=[job],
    )  # fmt: skip
    return (*stored, job)


def test_a_new_thread_stores_its_outbox_jobs_in_the_same_transaction(store):
    thread, message, created, job = create_with_job(store)
    assert created
    stored = store.get_job(job.id)
    assert (stored.kind, stored.recipient, stored.state) == (
        JobKind.CONFIRMATION, Side.MENTEE, JobState.QUEUED,
    )  # fmt: skip
    assert [j.id for j in store.jobs_of(thread.id)] == [job.id]
    [claimed] = store.claim_jobs(owner="w", now=T0, lease=timedelta(minutes=2))
    assert claimed.id == job.id and claimed.kind == JobKind.CONFIRMATION


def test_completing_a_notice_job_leaves_its_message_as_it_is(store):
    thread, message, _, job = create_with_job(store)
    store.claim_jobs(owner="w", now=T0, lease=timedelta(minutes=2))
    store.complete_job(job.id, owner="w", event=event(thread.id, "confirmation_sent"), now=T0)
    assert store.get_job(job.id).state == JobState.SENT
    again = store.get_message(message.id, now=T0)
    assert (again.status, again.version) == (Status.RECEIVED, 1)


def test_a_replay_writes_no_second_job(store):
    first = create_with_job(store, key="k-jobs")
    again = create_with_job(store, key="k-jobs")
    assert again[2] is False and again[0].id == first[0].id
    assert [j.id for j in store.jobs_of(first[0].id)] == [first[3].id]
    with pytest.raises(NotFound):
        store.get_job(again[3].id)


def test_find_idempotent_reads_the_record_until_it_expires(store):
    assert store.find_idempotent("k-find", now=T0) is None
    thread, message, _ = create(store, key="k-find", fingerprint="fp-z")
    record = store.find_idempotent("k-find", now=T0)
    assert (record.thread_id, record.message_id, record.fingerprint) == (
        thread.id, message.id, "fp-z",
    )  # fmt: skip
    assert store.find_idempotent("k-find", now=record.expires_at) is None


def test_concurrent_first_uses_of_one_key_store_one_thread(store):
    def attempt(_):
        return create_with_job(store, key="k-race")

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(attempt, range(4)))
    assert sum(1 for r in results if r[2]) == 1
    assert len({r[0].id for r in results}) == 1
    assert len(store.jobs_of(results[0][0].id)) == 1


def test_moderators_resend_or_close_a_job(store):
    lease = timedelta(minutes=2)
    thread, message, job = approved_with_job(store)
    store.claim_jobs(owner="a", now=T0, lease=lease)
    with pytest.raises(Conflict):  # a live lease: a worker is sending it now
        store.set_job_state(job.id, expected=JobState.QUEUED, new=JobState.CANCELLED, events=[],
                            now=T0)  # fmt: skip
    store.fail_job(job.id, owner="a", error="MessageRejected", retry_at=None,
                   event=event(thread.id, "x"), now=T0, permanent=True)  # fmt: skip
    later = T0 + HOUR
    resent = store.set_job_state(
        job.id, expected=JobState.FAILED, new=JobState.QUEUED,
        events=[event(thread.id, "delivery_resent", at=later)], now=later,
    )  # fmt: skip
    assert resent.state == JobState.QUEUED and resent.next_attempt_at == later
    assert store.get_job(job.id).permanent is False
    assert store.events(thread.id)[-1].action == "delivery_resent"
    with pytest.raises(Conflict):  # it is queued now, not failed
        store.set_job_state(job.id, expected=JobState.FAILED, new=JobState.QUEUED, events=[],
                            now=later)  # fmt: skip
    [claimed] = store.claim_jobs(owner="b", now=later, lease=lease)
    assert claimed.id == job.id
    store.fail_job(job.id, owner="b", error="x", retry_at=later + HOUR,
                   event=event(thread.id, "x"), now=later)  # fmt: skip
    closed = store.set_job_state(job.id, expected=JobState.QUEUED, new=JobState.CANCELLED,
                                 events=[], now=later)  # fmt: skip
    assert closed.state == JobState.CANCELLED
    assert store.claim_jobs(owner="c", now=later + 2 * HOUR, lease=lease) == []
    assert store.get_message(message.id, now=later).status == Status.APPROVED
    with pytest.raises(NotFound):
        store.set_job_state("nope", expected=JobState.FAILED, new=JobState.QUEUED, events=[],
                            now=later)  # fmt: skip


def test_a_longer_thread_expiry_carries_its_jobs(store):
    thread, message, _, job = create_with_job(store)
    longer = T0 + 400 * 24 * HOUR
    advance(store, message, Status.CONFIRMED, thread_expires_at=longer)
    assert store.get_job(job.id).expires_at == longer


def test_erasure_cancels_queued_notice_jobs_too(store):
    thread, _, _, job = create_with_job(store)
    store.erase_thread(thread.id, events=[], now=T0)
    assert store.get_job(job.id).state == JobState.CANCELLED
    assert store.claim_jobs(owner="w", now=T0, lease=timedelta(minutes=2)) == []


def test_open_threads_count_what_domain_capacity_counts(store):
    from relay.domain import PolicyRefusal, capacity

    _, unconfirmed, _ = create(store)
    assert store.count_open_threads("marie-tremblay", now=T0) == 0
    capacity.check_room(0, 1, 3)  # room
    confirmed_thread, confirmed, _ = create(store)
    advance(store, confirmed, Status.CONFIRMED)
    assert store.count_open_threads("marie-tremblay", now=T0) == 1
    with pytest.raises(PolicyRefusal):
        capacity.check_room(1, 1, 3)
    store.set_thread_state(confirmed_thread.id, expected="open", new="closed", events=[], now=T0)
    assert store.count_open_threads("marie-tremblay", now=T0) == 0
    assert store.count_open_threads("jordan-lee", now=T0) == 0


def test_open_thread_counts_match_count_open_threads_for_each_mentor(store):
    _, first, _ = create(store)
    advance(store, first, Status.CONFIRMED)
    _, second, _ = create(store)
    advance(store, second, Status.CONFIRMED)
    create(store)  # unconfirmed: takes no place
    closed_thread, closed, _ = create(store, mentor="jordan-lee")
    advance(store, closed, Status.CONFIRMED)
    store.set_thread_state(closed_thread.id, expected="open", new="closed", events=[], now=T0)
    _, luc, _ = create(store, mentor="luc", expires=T0 + HOUR)
    advance(store, luc, Status.CONFIRMED)
    asked = ["marie-tremblay", "jordan-lee", "luc", "nobody"]
    assert store.open_thread_counts(asked, now=T0) == {
        "marie-tremblay": 2, "jordan-lee": 0, "luc": 1, "nobody": 0,
    }  # fmt: skip
    later = store.open_thread_counts(asked, now=T0 + 2 * HOUR)  # luc's thread has expired
    assert later == {m: store.count_open_threads(m, now=T0 + 2 * HOUR) for m in asked}
    assert later["luc"] == 0 and later["marie-tremblay"] == 2
    assert store.open_thread_counts(["luc"], now=T0) == {"luc": 1}


def test_mentor_pauses_read_the_flag_of_those_with_a_contact(store):
    store.set_mentor_contact(MentorContact(slug="marie-tremblay", email="marie@example.org"))
    store.set_mentor_contact(MentorContact(slug="jordan-lee", email="jordan@example.org"))
    store.set_mentor_paused("jordan-lee", True, now=T0)
    assert store.mentor_pauses(["marie-tremblay", "jordan-lee", "luc"]) == {
        "marie-tremblay": False, "jordan-lee": True,
    }  # fmt: skip
    assert store.mentor_pauses(["jordan-lee"]) == {"jordan-lee": True}
    assert store.mentor_pauses([]) == {}


def test_stored_times_read_back_as_aware_utc(store):
    thread, message, _ = create(store, created_at=T0 + timedelta(microseconds=7))
    stored = store.get_thread(thread.id, now=T0)
    assert stored.created_at == T0 + timedelta(microseconds=7)
    assert stored.created_at.utcoffset() == timedelta(0)
    assert store.get_message(message.id, now=T0).updated_at.tzinfo is not None


def test_sqlite_adds_the_new_job_columns_to_an_older_file(tmp_path):
    import sqlite3

    from relay.store.sqlite import SqliteStore

    path = tmp_path / "relay.sqlite3"
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE jobs (id TEXT PRIMARY KEY, message_id TEXT NOT NULL, thread_id TEXT NOT"
        " NULL, recipient TEXT NOT NULL, created_at TEXT NOT NULL, next_attempt_at TEXT NOT NULL,"
        " expires_at TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,"
        " lease_owner TEXT, lease_until TEXT, last_error TEXT)"
    )
    con.execute(
        "INSERT INTO jobs VALUES ('j1', 'm1', 't1', 'mentor', ?, ?, ?, 'queued', 0, NULL, NULL,"
        " NULL)", ("2026-11-28T12:00:00.000000Z",) * 2 + ("2027-11-28T12:00:00.000000Z",),
    )  # fmt: skip
    con.commit()
    con.close()
    store = SqliteStore(path)
    job = store.get_job("j1")
    assert (job.kind, job.permanent) == (JobKind.MESSAGE, False)
    store.close()


def test_sqlite_files_are_private_and_erasure_leaves_no_copy(tmp_path):
    import stat

    from relay.store.sqlite import SqliteStore

    path = tmp_path / "relay.sqlite3"
    store = SqliteStore(path)
    secret = "phrase-unique-à-effacer-" + new_id()
    thread = make_thread(mentee_email=f"{new_id()}@example.org")
    message = make_message(thread, body=secret, delivered_text=secret)
    store.create_thread(thread, message, event(thread.id, "received"), idempotency_key="k",
                        fingerprint="fp", now=T0)  # fmt: skip
    for name in ("relay.sqlite3", "relay.sqlite3-wal", "relay.sqlite3-shm", "relay.sqlite3-lock"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))
    store.erase_thread(thread.id, events=[], now=T0)
    for name in ("relay.sqlite3", "relay.sqlite3-wal"):
        data = (tmp_path / name).read_bytes() if (tmp_path / name).exists() else b""
        assert secret.encode() not in data, name
        assert thread.mentee_email.encode() not in data, name
    store.close()


def test_sqlite_processes_opening_a_new_file_at_once_all_get_a_store(tmp_path):
    import os
    import subprocess
    import sys

    code = (
        "import sys; from relay.store.sqlite import SqliteStore; SqliteStore(sys.argv[1]).close()"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    for attempt in range(5):  # the server's workers start together on a fresh file
        path = tmp_path / f"relay-{attempt}.sqlite3"
        starts = [
            subprocess.Popen([sys.executable, "-c", code, str(path)], env=env,
                             stderr=subprocess.PIPE, text=True)
            for _ in range(4)
        ]  # fmt: skip
        errors = [p.communicate(timeout=60)[1] for p in starts]
        assert [p.returncode for p in starts] == [0] * 4, errors


def test_sqlite_wal_is_folded_back_off_the_writers_path_and_stays_bounded(tmp_path, monkeypatch):
    import time

    from relay.store import sqlite

    monkeypatch.setattr(sqlite, "WAL_LIMIT", 64 * 1024)
    monkeypatch.setattr(sqlite, "CHECKPOINT_EVERY", 0.01)
    store = sqlite.SqliteStore(tmp_path / "relay.sqlite3")
    wal = tmp_path / "relay.sqlite3-wal"
    assert store._con().execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0

    def write(n):
        for _ in range(n):
            create(store)

    with ThreadPoolExecutor(2) as pool:  # two writers, as the server's workers
        list(pool.map(write, [150, 150]))
    grown = wal.stat().st_size
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the checkpointer folds it back, then a write restarts it
        create(store)
        if wal.stat().st_size <= sqlite.WAL_LIMIT:
            break
        time.sleep(0.02)
    assert grown > sqlite.WAL_LIMIT and wal.stat().st_size <= sqlite.WAL_LIMIT
    count = store._con().execute("SELECT COUNT(*) FROM threads").fetchone()[0]
    assert count >= 301  # nothing lost on the way
    store.close()


# --- addresses that bounced or complained ----------------------------------------------


def test_an_address_marked_undeliverable_is_known_until_it_expires(store):
    key, other = new_id(), new_id()  # stand-ins for salted hashes
    assert store.undeliverable_reason(key, now=T0) is None
    store.mark_undeliverable(key, reason="bounce", expires_at=T0 + 24 * HOUR, now=T0)
    assert store.undeliverable_reason(key, now=T0 + HOUR) == "bounce"
    assert store.undeliverable_reason(other, now=T0 + HOUR) is None
    assert store.undeliverable_reason(key, now=T0 + 24 * HOUR) is None


def test_marking_again_renews_and_keeps_the_latest_reason(store):
    key = new_id()
    store.mark_undeliverable(key, reason="bounce", expires_at=T0 + HOUR, now=T0)
    store.mark_undeliverable(key, reason="complaint", expires_at=T0 + 48 * HOUR, now=T0 + HOUR / 2)
    assert store.undeliverable_reason(key, now=T0 + 2 * HOUR) == "complaint"


def test_an_expired_mark_is_purged(store):
    key = new_id()
    store.mark_undeliverable(key, reason="bounce", expires_at=T0 + HOUR, now=T0)
    assert store.purge(now=T0 + 2 * HOUR) >= 1
    assert store.undeliverable_reason(key, now=T0) is None  # the row itself is gone


# --- issue 14: a mentee's threads by salted key, one more job, applications to mentor --------


def test_threads_are_found_by_their_mentee_key_newest_first_until_erased(store):
    older, first, _ = create(store, mentee_key="k-alex")
    newer, _, _ = create(store, mentee_key="k-alex", created_at=T0 + HOUR)
    create(store, mentee_key="k-sam")
    create(store)  # a thread made before keys existed is found by nobody
    assert [t.id for t in store.mentee_threads("k-alex", now=T0 + HOUR)] == [newer.id, older.id]
    assert store.mentee_threads("k-nobody", now=T0) == []
    store.erase_thread(newer.id, events=[event(newer.id, "erased")], now=T0 + HOUR)
    assert store.get_thread(newer.id, now=T0 + HOUR).mentee_key is None
    assert [t.id for t in store.mentee_threads("k-alex", now=T0 + HOUR)] == [older.id]


def test_a_mentee_key_follows_its_thread_s_expiry(store):
    thread, message, _ = create(store, mentee_key="k-alex")
    assert store.mentee_threads("k-alex", now=T0 + 73 * HOUR) == []  # unconfirmed: gone at 72 h
    advance(store, message, Status.CONFIRMED, thread_expires_at=T0 + 400 * 24 * HOUR)
    later = T0 + 100 * 24 * HOUR
    store.purge(now=later)  # whatever indexes the key lives as long as the thread
    assert [t.id for t in store.mentee_threads("k-alex", now=later)] == [thread.id]
    store.purge(now=T0 + 401 * 24 * HOUR)
    assert store.mentee_threads("k-alex", now=T0 + 401 * 24 * HOUR) == []


def _threads_job(thread, message, **kw) -> DeliveryJob:
    fields = dict(
        id=new_id(), message_id=message.id, thread_id=thread.id, recipient=Side.MENTEE,
        created_at=T0, next_attempt_at=T0, expires_at=T0 + 24 * HOUR, kind=JobKind.THREADS_LINK,
    )  # fmt: skip
    fields.update(kw)
    return DeliveryJob(**fields)


def test_enqueue_adds_a_job_to_a_thread_with_its_event(store):
    thread, message, _ = create(store)
    job = _threads_job(thread, message)
    store.enqueue(job, event(thread.id, "threads_link_requested"), now=T0)
    assert [j.id for j in store.jobs_of(thread.id)] == [job.id]
    assert store.get_job(job.id).kind == JobKind.THREADS_LINK
    assert [e.action for e in store.events(thread.id)][-1] == "threads_link_requested"
    [claimed] = store.claim_jobs(owner="w1", now=T0, lease=HOUR)
    assert claimed.id == job.id


def test_enqueue_on_a_thread_that_is_gone_writes_nothing(store):
    thread, message, _ = create(store)
    with pytest.raises(NotFound):
        store.enqueue(_threads_job(thread, message), event(thread.id, "x"), now=T0 + 73 * HOUR)
    ghost = make_thread()
    with pytest.raises(NotFound):
        store.enqueue(_threads_job(ghost, make_message(ghost)), event(ghost.id, "x"), now=T0)
    assert store.jobs_of(thread.id) == []
    assert store.claim_jobs(owner="w1", now=T0, lease=HOUR) == []


def make_application(**kw) -> Application:
    fields = dict(
        id=new_id(), lang="fr", name="Rosalie Demo", occupation="Soudeuse",
        sector="soudage-usinage", region="06", languages=("fr", "en"), years_experience=6,
        topics=("DEP en soudage", "Travailler en chantier"),
        bio="Exemple inventé : je soude depuis six ans et j'aime expliquer mon métier.",
        email="rosalie.demo@example.org", created_at=T0,
        expires_at=T0 + application_rules.UNCONFIRMED_TTL, flags=("risk:money",),
    )  # fmt: skip
    fields.update(kw)
    return Application(**fields)


def _application_job(application: Application) -> DeliveryJob:
    return DeliveryJob(
        id=new_id(), message_id=application.id, thread_id=application.id, recipient=Side.MENTOR,
        created_at=T0, next_attempt_at=T0, expires_at=application.expires_at,
        kind=JobKind.APPLICATION,
    )  # fmt: skip


def test_an_application_reads_back_as_stored_with_its_job(store):
    application = make_application()
    job = _application_job(application)
    store.create_application(application, jobs=[job], now=T0)
    assert store.get_application(application.id, now=T0) == application
    assert store.list_applications(now=T0) == [application]
    assert store.get_job(job.id).kind == JobKind.APPLICATION
    with pytest.raises(NotFound):
        store.get_application("nope", now=T0)


def test_applications_list_oldest_first_and_expire(store):
    first = make_application()
    second = make_application(created_at=T0 + HOUR, expires_at=T0 + 200 * HOUR)
    for a in (second, first):
        store.create_application(a, now=T0)
    assert [a.id for a in store.list_applications(now=T0 + HOUR)] == [first.id, second.id]
    later = T0 + application_rules.UNCONFIRMED_TTL
    assert [a.id for a in store.list_applications(now=later)] == [second.id]
    with pytest.raises(Expired):
        store.get_application(first.id, now=later)
    assert store.purge(now=later) >= 1
    with pytest.raises(NotFound):
        store.get_application(first.id, now=T0)


def test_taking_an_application_stores_the_contact_in_the_same_write(store):
    application = make_application()
    store.create_application(application, now=T0)
    waiting = application_rules.confirmed(application, T0)
    store.update_application(waiting, expected=ApplicationState.UNCONFIRMED, now=T0)
    taken = application_rules.taken(waiting, slug="rosalie-demo", by="editor", now=T0)
    contact = MentorContact(slug="rosalie-demo", email=application.email, updated_at=T0)
    store.update_application(taken, expected=ApplicationState.WAITING, now=T0, contact=contact)
    stored = store.get_application(application.id, now=T0)
    assert stored.state == ApplicationState.TAKEN and stored.slug == "rosalie-demo"
    assert stored.email is None and stored.bio is None
    assert store.get_mentor_contact("rosalie-demo").email == "rosalie.demo@example.org"


def test_a_stale_or_clashing_decision_writes_nothing(store):
    application = make_application()
    store.create_application(application, now=T0)
    waiting = application_rules.confirmed(application, T0)
    with pytest.raises(Conflict):  # the stored one is still unconfirmed
        store.update_application(
            application_rules.taken(waiting, slug="x", by="e", now=T0),
            expected=ApplicationState.WAITING, now=T0,
            contact=MentorContact(slug="x", email="rosalie.demo@example.org"),
        )  # fmt: skip
    with pytest.raises(NotFound):
        store.get_mentor_contact("x")
    store.update_application(waiting, expected=ApplicationState.UNCONFIRMED, now=T0)
    store.set_mentor_contact(MentorContact(slug="marie-tremblay", email="m@example.org"))
    with pytest.raises(Conflict):  # that mentor already has an address: keep it
        store.update_application(
            application_rules.taken(waiting, slug="marie-tremblay", by="e", now=T0),
            expected=ApplicationState.WAITING, now=T0,
            contact=MentorContact(slug="marie-tremblay", email="rosalie.demo@example.org"),
        )  # fmt: skip
    assert store.get_mentor_contact("marie-tremblay").email == "m@example.org"
    assert store.get_application(application.id, now=T0).state == ApplicationState.WAITING
    with pytest.raises(NotFound):  # gone
        store.update_application(
            waiting, expected=ApplicationState.WAITING, now=T0 + 200 * 24 * HOUR
        )
