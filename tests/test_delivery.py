"""The delivery worker on both stores: retries with backoff, crashes, outages, refusals, e-mails."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from relay.domain import Conflict, JobKind, JobState, Side, Status, policies
from relay.services.delivery import Delivery, Report
from relay.services.postman import message_id_for


def approve(services, **ask):
    message = services.ask(**ask)
    services.moderation.approve(message.id, version=message.version, actor="mod:a")
    return message


def reader_view(mails) -> list[str]:
    """What a mail program shows: one message per Message-ID."""
    return sorted({str(m["Message-ID"]) for m in mails})


def test_mailer_down_for_a_while_then_back_every_message_arrives_once(services):
    texts = [f"Question numéro {n} : comment choisir un programme au cégep?" for n in range(3)]
    messages = [approve(services, text=t) for t in texts]
    services.mailer.failures = 4  # the outage: the next four sends fail
    for _ in range(6):
        if services.delivery.run_once() == Report():
            break
        services.now += timedelta(minutes=5)  # past every backoff so far
    to_mentor = services.mail_to("marie-tremblay@example.org")
    assert len(to_mentor) == 3 and len(reader_view(to_mentor)) == 3
    bodies = [m.get_body(("plain",)).get_content() for m in to_mentor]
    assert sorted(next(t for t in texts if t in b) for b in bodies) == sorted(texts)
    for message in messages:
        stored = services.store.get_message(message.id, now=services.now)
        assert stored.status == Status.DELIVERED
        actions = [e.action for e in services.store.events(message.thread_id)]
        assert actions.count("delivered") == 1
    failures = [
        e for m in messages for e in services.store.events(m.thread_id)
        if e.action == "delivery_failed"
    ]  # fmt: skip
    assert len(failures) == 4 and not any(e.detail["gave_up"] for e in failures)


def test_a_failed_send_waits_an_exponential_backoff(local_services):
    services = local_services
    services.delivery.rand = lambda: 0.5  # no jitter: the middle of each window
    approve(services)  # two e-mails: the question to the mentor, the notice to the mentee
    services.mailer.failures = 4
    assert services.delivery.run_once().retried == 2
    assert services.delivery.run_once().retried == 0  # not due yet
    services.now += timedelta(seconds=30)
    assert services.delivery.run_once().retried == 2
    services.now += timedelta(seconds=30)
    assert services.delivery.run_once().sent == 0  # the second wait is twice as long
    services.now += timedelta(seconds=30)
    assert services.delivery.run_once().sent == 2


class CrashAfterSend(Exception):
    pass


def test_a_crash_between_decision_and_send_loses_nothing(services):
    message = approve(services)
    # The process that decided died before any worker ran: the job was stored with the decision.
    fresh = Delivery(services.store, services.mailer, services.relay.postman, lambda: services.now)
    assert fresh.drain().sent == 2  # the question, and the mentee's "passed on" notice
    assert services.store.get_message(message.id, now=services.now).status == Status.DELIVERED
    assert len(services.mail_to("marie-tremblay@example.org")) == 1


def test_a_crash_after_sending_is_resent_detected_and_shown_once(services, monkeypatch):
    message = approve(services)
    crashing = Delivery(
        services.store, services.mailer, services.relay.postman, lambda: services.now,
        owner="worker-a",
    )  # fmt: skip
    complete = services.store.complete_job

    def crash(job_id, **kwargs):  # the process dies right after sending the question
        if services.store.get_job(job_id).kind == JobKind.MESSAGE:
            raise CrashAfterSend
        return complete(job_id, **kwargs)

    monkeypatch.setattr(services.store, "complete_job", crash)
    with pytest.raises(CrashAfterSend):
        crashing.run_once()
    monkeypatch.undo()
    assert len(services.mail_to("marie-tremblay@example.org")) == 1  # it did go out
    assert services.delivery.run_once().sent == 0  # leased by the dead worker
    services.now += policies.JOB_LEASE + timedelta(seconds=1)
    report = services.delivery.run_once()
    assert report.sent >= 1 and report.resent_after_crash >= 1
    mails = services.mail_to("marie-tremblay@example.org")
    assert len(mails) == 2 and len(reader_view(mails)) == 1  # same Message-ID: shown once
    [delivered] = [e for e in services.store.events(message.thread_id) if e.action == "delivered"]
    assert delivered.detail["repeat_after_crash"] is True
    assert reader_view(mails) == [message_id_for(services.store.get_job(delivered.detail["job"]))]
    view = services.conversations.view(_token(mails[-1]))
    assert [m.id for m in view.messages] == [message.id]


def test_a_worker_that_lost_its_lease_cannot_mark_the_job(services):
    approve(services)
    job, _notice = services.store.claim_jobs(
        owner="slow", now=services.now, lease=timedelta(seconds=30)
    )
    services.now += timedelta(minutes=1)
    assert services.delivery.run_once().sent == 2  # the question and the mentee's notice
    with pytest.raises(Conflict):  # LeaseLost, or "already sent": either way it is refused
        services.store.complete_job(job.id, owner="slow", event=_event(job), now=services.now)
    assert len(services.mail_to("marie-tremblay@example.org")) == 1


def test_mail_down_past_the_old_give_up_window_then_back_delivers_everything_once(services):
    """Fault: the mail service is down for a day; nothing is given up, all goes out once after."""
    asked = [services.ask(text=f"Question {n} : quel cégep pour le génie civil?")
             for n in range(3)]  # fmt: skip
    services.mailer.failures = 10**6
    messages = [services.moderation.approve(m.id, version=m.version, actor="mod:a").message
                for m in asked]  # fmt: skip
    for _ in range(2 * policies.STUCK_AFTER):  # far past the six tries that used to give up
        services.delivery.run_once()
        services.now += policies.JOB_BACKOFF_CAP + timedelta(seconds=1)
    failures = [e for m in messages for e in services.store.events(m.thread_id)
                if e.action == "delivery_failed"]  # fmt: skip
    assert failures and not any(e.detail["gave_up"] for e in failures)
    alerts = services.moderation.undeliverable()  # moderators see what keeps failing
    assert len(alerts) == 6 and {a.state for a in alerts} == {"queued"}
    assert all(a.attempts >= policies.STUCK_AFTER and not a.permanent for a in alerts)
    assert services.mail_to("marie-tremblay@example.org") == []
    services.mailer.failures = 0  # back
    services.now += policies.JOB_BACKOFF_CAP + timedelta(seconds=1)
    assert services.delivery.drain().sent == 6
    to_mentor = services.mail_to("marie-tremblay@example.org")
    assert len(to_mentor) == 3 and len(reader_view(to_mentor)) == 3
    for message in messages:
        assert services.store.get_message(message.id, now=services.now).status == Status.DELIVERED
    assert services.moderation.undeliverable() == []
    services.now += timedelta(days=1)
    assert services.delivery.drain() == Report()  # nothing sent twice


def test_a_refused_address_is_recorded_as_permanent_shown_and_can_be_resent(services):
    message = approve(services)
    services.mailer.refuse = {"marie-tremblay@example.org"}  # e.g. a bounce, a bad address
    report = services.delivery.drain()
    assert report.failed == 1 and report.sent == 1  # the mentee's notice went
    [alert] = services.moderation.undeliverable()
    assert alert.permanent and alert.state == "failed" and alert.error == "MessageRejected"
    assert alert.job.kind == JobKind.MESSAGE and alert.job.recipient == Side.MENTOR
    services.delivery.drain()
    assert services.mail_to("marie-tremblay@example.org") == []  # never retried by itself
    services.mailer.refuse = set()  # the operator fixed the mentor's address
    services.moderation.resend(alert.job.id, actor="moderator:bob")
    assert services.delivery.drain().sent == 1
    assert len(services.mail_to("marie-tremblay@example.org")) == 1
    assert services.store.get_message(message.id, now=services.now).status == Status.DELIVERED
    actions = [e.action for e in services.store.events(message.thread_id)]
    assert "delivery_resent" in actions and actions.count("delivered") == 1
    with pytest.raises(Conflict):  # sent: nothing left to resend
        services.moderation.resend(alert.job.id, actor="moderator:bob")


def test_moderators_close_an_e_mail_that_cannot_go(services):
    approve(services)
    services.mailer.refuse = {"marie-tremblay@example.org"}
    services.delivery.drain()
    [alert] = services.moderation.undeliverable()
    closed = services.moderation.close(alert.job.id, actor="moderator:alice")
    assert closed.state == JobState.CANCELLED
    assert services.moderation.undeliverable() == []
    [event] = [e for e in services.store.events(alert.thread_id) if e.action == "delivery_closed"]
    assert event.actor == "moderator:alice" and event.detail["before"] == "failed"


def test_the_mentor_email_has_who_asks_the_masked_text_and_two_signed_links(local_services):
    services = local_services
    approve(
        services, mentor="jordan-lee", text="How do I become a pilot? Write me: sam@example.net"
    )
    services.delivery.drain()
    [mail] = services.mail_to("jordan-lee@example.org")
    assert mail["Content-Language"] == "en" and mail["Subject"].startswith("A new question")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Alex (aged 14 to 17, region: " in text and "minor" in text
    assert "sam@example.net" not in mail.as_string() and "contact hidden" in text
    assert "alex.mentee@example.org" not in mail.as_string()
    assert re.search(r"/api/conversation\?token=\S+", text)
    assert re.search(r"/api/mentors/pause\?token=\S+", text)
    assert 'href="http://127.0.0.1:8000/api/conversation?token=' in html


def test_an_answer_reaches_the_mentee_in_their_language_with_the_conversation_link(local_services):
    services = local_services
    question = approve(services)
    services.delivery.drain()
    token = _token(services.mail_to("marie-tremblay@example.org")[0])
    reply = services.conversations.reply(token, "Bonjour Alex! Il faut un DEC puis un bac.")
    assert reply.status == Status.PENDING and reply.author == Side.MENTOR
    services.moderation.approve(reply.id, version=reply.version, actor="mod:b")
    assert services.delivery.drain().sent == 1
    [answer] = services.mail_to("alex.mentee@example.org")[-1:]
    assert answer["Content-Language"] == "fr" and "Marie Tremblay" in str(answer)
    text = answer.get_body(("plain",)).get_content()
    assert "Il faut un DEC puis un bac." in text
    view = services.conversations.view(_token(answer))
    assert [m.id for m in view.messages] == [question.id, reply.id]


def _token(mail) -> str:
    text = mail.get_body(("plain",)).get_content()
    return re.search(r"/api/conversation\?token=(\S+)", text).group(1)


def _event(job):
    from relay.domain import Event

    return Event(thread_id=job.thread_id, action="delivered", actor="slow", at=job.created_at)
