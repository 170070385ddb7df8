"""Fault tests: mail down during a submission, concurrent replays of one key on both stores,
the local server killed with SIGKILL under load. (Mail down past the old give-up window and a
crash between decision and send are in test_delivery.py.)"""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

from relay.services.questions import Question

from tests.test_relay_api import fields

QUESTION = Question(
    mentor="marie-tremblay", lang="fr", pseudonym="Alex", age=16, region="06",
    situation="secondaire", email="alex.mentee@example.org",
    question="Quelles études faut-il pour devenir ingénieure civile au Québec?",
)  # fmt: skip


class Down:
    """A mail service that refuses every connection."""

    def __init__(self):
        self.tries = 0

    def send(self, message):
        self.tries += 1
        raise ConnectionError("mail service down")

    def forget(self, thread_id):
        pass


def test_mail_down_during_a_submission_answers_202_and_confirms_once_later(relay):
    working, down = relay.relay.delivery.mailer, Down()
    relay.relay.delivery.mailer = down
    status, _, body = relay.post_form(fields(), json_reply=True)
    assert status == 202 and '"received"' in body  # stored, confirmation queued
    assert relay.threads() == 1
    assert relay.relay.delivery.drain().retried == 1 and down.tries == 1
    relay.relay.delivery.mailer = working  # mail is back: the worker sends it, once
    [job] = relay.store.jobs_of(relay.store.list_threads(now=relay.relay.clock())[0].id)
    relay.relay.delivery.clock = lambda: job.next_attempt_at + timedelta(hours=2)
    assert relay.relay.delivery.drain().sent == 1
    assert relay.relay.delivery.drain().sent == 0
    assert len(relay.emails()) == 1
    status, _, _ = relay.post_form(fields(), json_reply=True)  # the same post again
    assert status == 202 and relay.threads() == 1 and len(relay.emails()) == 1


def test_concurrent_replays_of_one_key_store_one_thread_and_answer_alike(services):
    barrier = threading.Barrier(8)

    def submit(_):
        barrier.wait()
        return services.questions.submit(QUESTION, client="203.0.113.7", idempotency_key="same")

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(submit, range(8)))
    assert len({a.thread_id for a in answers}) == 1  # no exception: none became a 500
    assert sum(1 for a in answers if a.created) == 1
    assert len(services.store.list_threads(now=services.now)) == 1
    assert len(services.store.jobs_of(answers[0].thread_id)) == 1
    services.delivery.drain()
    assert len(services.mail_to(QUESTION.email)) == 1  # one confirmation, not eight


def test_replays_never_count_against_the_rate_limits(services):
    limit = services.limits.rate("email").limit
    for _ in range(limit * 3):  # far more than the address may post: replays are free
        received = services.questions.submit(
            QUESTION, client="203.0.113.7", idempotency_key="retry-me"
        )
    assert not received.created
    for n in range(limit - 1):  # the address still has all its other questions
        services.questions.submit(
            replace(QUESTION, question=f"{QUESTION.question} ({n})"),
            client="203.0.113.7", idempotency_key=f"k-{n}",
        )  # fmt: skip
    services.delivery.drain()
    assert len(services.mail_to(QUESTION.email)) == limit


def test_every_acknowledged_submission_survives_a_kill_9_under_load(tmp_path):
    from relay import container
    from relay.devserver import serve, stop

    from bench import load
    from bench.relay import _settings, workers_of
    from tests.conftest import free_port

    port = free_port()
    settings = _settings(tmp_path, f"http://127.0.0.1:{port}")
    server = serve(tmp_path, settings, "127.0.0.1", port, workers=2, maintenance=False)
    outcome: list = []
    sender = threading.Thread(target=lambda: outcome.append(load.submit(
        "127.0.0.1", port, settings.site_url, total=3000, clients=8, per_address=50,
        mentors=1000, timeout=10,
    )))  # fmt: skip
    sender.start()
    relay = container.build(settings)
    try:
        for _ in range(200):  # wait (bounded) until some submissions are stored
            if relay.store._con().execute("SELECT COUNT(*) FROM threads").fetchone()[0] >= 50:
                break
            threading.Event().wait(0.05)
        for pid in [*workers_of(server), server.pid]:  # no shutdown, no flush: all just die
            os.kill(pid, signal.SIGKILL)
        sender.join(timeout=60)
        server.join(timeout=10)
        [result] = outcome
        acknowledged = result.accepted_keys
        assert 0 < len(acknowledged) < 3000 and result.errors > 0  # it did die mid-load
    finally:
        stop(server)
        relay.close()
    restarted = container.build(settings)  # a fresh process would open the file like this
    try:
        now = restarted.clock()
        missing = [k for k in acknowledged if restarted.store.find_idempotent(k, now=now) is None]
        assert missing == []
        for key in acknowledged[:: max(1, len(acknowledged) // 20)]:
            record = restarted.store.find_idempotent(key, now=now)
            assert restarted.store.get_thread(record.thread_id, now=now).mentor.startswith(
                "mentor-"
            )
            assert len(restarted.store.jobs_of(record.thread_id)) == 1  # its confirmation too
    finally:
        restarted.close()
