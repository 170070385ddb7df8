"""Conversations: each side by its link, moderated replies, erasure, pause, capacity, closing."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy
from urllib.parse import unquote, urlencode

import pytest
from relay.config import Limits
from relay.domain import (
    Conflict,
    InvalidInput,
    JobState,
    NotFound,
    PolicyRefusal,
    Status,
    ThreadState,
)
from relay.domain.tokens import BadToken
from relay.services.links import CONVERSATION, PAUSE, Links

from tests.test_moderation import api, pending_question
from tests.test_relay_api import fields

FORM = "application/x-www-form-urlencoded"


def mails_to(flow, address: str) -> list:
    found = []
    for path in flow.emails():
        mail = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if mail["To"] == address:
            found.append(mail)
    return found


def link(mail, kind: str = "conversation") -> str:
    text = mail.get_body(("plain",)).get_content()
    path = {"conversation": r"/api/conversation", "pause": r"/api/mentors/pause"}[kind]
    return unquote(re.search(path + r"\?token=(\S+)", text).group(1))


def post(flow, path: str, data: dict):
    headers = {"Content-Type": FORM, "Origin": flow.SITE_URL}
    return flow.request("POST", path, urlencode(data).encode(), headers)


def page(flow, token: str, path: str = "/api/conversation"):
    return flow.request("GET", path, query=urlencode({"token": token}))


def approve_all(flow) -> None:
    status, queue = api(flow, "GET", "/api/moderation/queue")
    for item in queue["items"]:
        message = item["message"]
        status, _ = api(flow, "POST", f"/api/moderation/messages/{message['id']}/approve",
                        {"version": message["version"]})  # fmt: skip
        assert status == 200
    flow.relay.maintenance.run(purge=False)


def test_a_conversation_goes_both_ways_through_the_pages_and_moderation(flow):
    pending_question(flow)
    approve_all(flow)
    [to_mentor] = mails_to(flow, "marie-tremblay@example.org")
    mentor = link(to_mentor)
    status, _, html = page(flow, mentor)
    assert status == 200 and "Quelles études faut-il" in html and "Alex" in html
    assert 'action="/api/conversation/erase"' not in html  # only the mentee erases
    status, headers, _ = post(flow, "/api/conversation/reply",
                              {"token": mentor, "text": "Bonjour Alex, il faut un DEC puis un bac.",
                               "idempotency_key": "k1"})  # fmt: skip
    assert status == 303 and "sent=1" in headers["location"]
    status, _, html = page(flow, mentor)
    assert "En attente de modération" in html
    confirmation, passed_on, *later = mails_to(flow, "alex.mentee@example.org")
    assert passed_on["Subject"] == "Ton message a été transmis"  # told it went through
    assert "Quelles études" not in passed_on.get_body(("plain",)).get_content()
    assert later == []  # the mentor's reply: nothing before a moderator
    approve_all(flow)
    answer = mails_to(flow, "alex.mentee@example.org")[-1]
    mentee = link(answer)
    status, _, html = page(flow, mentee)
    assert html.index("Quelles études") < html.index("il faut un DEC puis un bac")
    assert 'action="/api/conversation/erase"' in html
    follow_up = {"token": mentee, "text": "Merci! Et le cégep, lequel choisir?"}
    status, _, _ = post(flow, "/api/conversation/reply", follow_up)
    assert status == 303
    status, queue = api(flow, "GET", "/api/moderation/queue")
    [item] = queue["items"]
    assert item["message"]["author"] == "mentee" and item["message"]["status"] == "pending"


def test_every_reply_is_moderated_even_between_adults(local_services):
    services = local_services
    question = services.ask(age=25)
    services.moderation.approve(question.id, version=question.version, actor="mod:a")
    services.delivery.drain()
    token = link(services.mail_to("marie-tremblay@example.org")[0])
    reply = services.conversations.reply(token, "Une réponse à relire avant l'envoi, merci.")
    assert reply.status == Status.PENDING
    assert services.delivery.drain().sent == 0
    assert reply.id in [r.message.id for r in services.moderation.queue()]


def test_a_reply_is_checked_and_a_retry_stores_it_once(local_services):
    services = local_services
    question = services.ask()
    services.moderation.approve(question.id, version=question.version, actor="mod:a")
    services.delivery.drain()
    token = link(services.mail_to("marie-tremblay@example.org")[0])
    for bad, code in (("", "required"), ("x", "reply_too_short"), ("a" * 2001, "reply_too_long"),
                      ("bonjour\x00", "invalid")):  # fmt: skip
        with pytest.raises(InvalidInput) as refused:
            services.conversations.reply(token, bad)
        assert refused.value.errors == {"text": code}
    first = services.conversations.reply(token, "Voici ma réponse.", "same-key")
    again = services.conversations.reply(token, "Voici ma réponse.", "same-key")
    assert first.id == again.id
    assert len(services.store.list_messages(question.thread_id, now=services.now)) == 2


def test_a_mentor_at_capacity_takes_no_new_question_until_one_closes(services):
    first = services.ask(mentor="jordan-lee")  # jordan-lee's capacity is 1
    with pytest.raises(PolicyRefusal) as refused:
        services.ask(mentor="jordan-lee", email="other.mentee@example.org")
    assert refused.value.code == "not_accepting"
    services.moderation.reject(first.id, version=first.version, actor="m", reason="too-vague")
    services.ask(mentor="jordan-lee", email="other.mentee@example.org")  # room again


def test_the_relay_refuses_at_once_when_the_default_capacity_is_reached(tmp_path):
    from dataclasses import replace

    from tests.conftest import RELAY_MENTORS, RelayHarness, moderator_entries

    flow = RelayHarness(tmp_path / "r", RELAY_MENTORS, moderator_tokens=moderator_entries(),
                        limits=replace(Limits(), default_capacity=1))  # fmt: skip
    pending_question(flow)
    status, _, body = flow.post_form(fields(email="sam@example.org"), json_reply=True)
    assert status == 409 and '"not_accepting"' in body
    assert flow.threads() == 1
    flow.store.close()


def test_the_pause_link_pauses_and_resumes_the_mentor_at_once(flow):
    pending_question(flow)
    approve_all(flow)
    token = link(mails_to(flow, "marie-tremblay@example.org")[0], "pause")
    status, _, html = page(flow, token, "/api/mentors/pause")
    assert status == 200 and 'value="pause"' in html
    assert not flow.store.get_mentor_contact("marie-tremblay").paused  # GET changes nothing
    status, _, html = post(flow, "/api/mentors/pause", {"token": token, "action": "pause"})
    assert status == 200 and flow.store.get_mentor_contact("marie-tremblay").paused
    status, _, body = flow.post_form(fields(email="sam@example.org"), json_reply=True)
    assert status == 409 and '"not_accepting"' in body
    post(flow, "/api/mentors/pause", {"token": token, "action": "resume"})
    status, _, _ = flow.post_form(fields(email="sam@example.org"), json_reply=True)
    assert status == 202


def test_pause_and_resume_are_in_the_audit_log_of_the_thread_whose_link_was_used(services):
    question = services.ask()
    services.moderation.approve(question.id, version=question.version, actor="mod:a")
    token = services.conversations.links.token(question.thread_id, "mentor", PAUSE, services.now)
    contact, _ = services.conversations.set_paused(token, True)
    assert contact.paused
    contact, _ = services.conversations.set_paused(token, False)
    assert not contact.paused
    events = [e for e in services.store.events(question.thread_id) if "mentor_" in e.action]
    assert [(e.action, e.actor) for e in events] == [
        ("mentor_paused", "mentor"),
        ("mentor_resumed", "mentor"),
    ]
    assert events[0].detail == {
        "mentor": "marie-tremblay", "before": {"paused": False}, "after": {"paused": True}
    }  # fmt: skip


def test_the_mentee_erases_the_thread_bodies_and_address_go_audit_stays(services):
    question = services.ask()
    services.moderation.approve(question.id, version=question.version, actor="mod:a")
    services.delivery.drain()
    mentor = link(services.mail_to("marie-tremblay@example.org")[0])
    reply = services.conversations.reply(mentor, "Une réponse qui ne partira jamais.")
    services.moderation.approve(reply.id, version=reply.version, actor="mod:a")  # job queued
    links = services.conversations.links
    mentee = links.token(question.thread_id, "mentee", CONVERSATION, services.now)
    pending = services.conversations.reply(mentee, "Une dernière question avant d'effacer?")
    with pytest.raises(BadToken):
        services.conversations.erase(mentor)  # the mentor's link cannot erase
    before = [e.action for e in services.store.events(question.thread_id)]
    thread = services.conversations.erase(mentee)
    assert thread.state == ThreadState.ERASED and thread.mentee_email is None
    assert thread.pseudonym is None
    for message in services.store.list_messages(question.thread_id, now=services.now):
        assert message.body is None and message.delivered_text is None
    after = [e.action for e in services.store.events(question.thread_id)]
    assert after[: len(before)] == before and after[-1] == "erased"
    assert services.delivery.drain().sent == 0
    job_id = next(e.detail["job"] for e in services.store.events(question.thread_id)
                  if e.action == "approved" and e.message_id == reply.id)  # fmt: skip
    assert services.store.get_job(job_id).state == JobState.CANCELLED
    assert services.conversations.view(mentor).messages == []
    assert pending.id not in [r.message.id for r in services.moderation.queue()]
    with pytest.raises(Conflict):  # nothing left to approve
        services.moderation.approve(pending.id, version=pending.version, actor="mod:a")
    with pytest.raises(Conflict):
        services.conversations.reply(mentor, "Encore une réponse?")
    services.conversations.erase(mentee)  # twice is not an error
    assert services.mailer.forgotten == [question.thread_id] * 2  # local copies: forgotten


def test_ninety_days_without_activity_close_the_thread_then_retention_purges_it(services):
    question = services.ask()
    services.moderation.approve(question.id, version=question.version, actor="mod:a")
    services.delivery.drain()
    services.now += timedelta(days=89)
    assert services.maintenance.close_inactive() == 0
    services.now += timedelta(days=2)
    assert services.maintenance.close_inactive() == 1
    assert services.maintenance.close_inactive() == 0  # closed once
    thread = services.store.get_thread(question.thread_id, now=services.now)
    assert thread.state == ThreadState.CLOSED
    assert services.store.count_open_threads("marie-tremblay", now=services.now) == 0
    services.now += timedelta(days=1)  # links last 30 days: issue a fresh one to try
    fresh = services.conversations.links.token(thread.id, "mentor", CONVERSATION, services.now)
    with pytest.raises(Conflict):
        services.conversations.reply(fresh, "Une réponse bien tardive.")
    assert "closed" in [e.action for e in services.store.events(thread.id)]
    services.now += services.limits.retention
    assert services.store.purge(now=services.now) > 0
    with pytest.raises(NotFound):
        services.store.get_thread(thread.id, now=services.now)
    latest = services.conversations.links.token(thread.id, "mentee", CONVERSATION, services.now)
    with pytest.raises(NotFound):
        services.conversations.view(latest)  # even a valid link finds nothing left


def test_erasing_from_the_page_needs_the_box_ticked(flow):
    pending_question(flow)
    approve_all(flow)
    status, _, html = page(flow, link(mails_to(flow, "marie-tremblay@example.org")[0]))
    thread_id = flow.store._con().execute("SELECT id FROM threads").fetchone()[0]
    # The mentee's link comes with the mentor's answer; sign one here the same way.
    q = flow.questions
    mentee = Links(q.settings).token(thread_id, "mentee", CONVERSATION, q.clock())
    status, _, html = post(flow, "/api/conversation/erase", {"token": mentee})
    assert status == 422 and "Coche la case" in html
    status, _, html = post(flow, "/api/conversation/erase", {"token": mentee, "confirm": "yes"})
    assert status == 200 and "effacée" in html
    assert flow.store.get_thread(thread_id, now=flow.questions.clock()).mentee_email is None


def test_erasing_removes_the_threads_e_mails_from_the_outbox_folder(flow):
    pending_question(flow)
    approve_all(flow)
    [to_mentor] = mails_to(flow, "marie-tremblay@example.org")
    mentee_mails = mails_to(flow, "alex.mentee@example.org")
    assert mentee_mails  # the confirmation and the "passed on" notice are in the outbox
    other = fields(email="sam.autre@example.org", question="Quel cégep choisir pour la chimie?")
    flow.post_form(other, json_reply=True)  # another thread's mail must stay
    mentee = link(mentee_mails[-1])
    status, _, _ = post(flow, "/api/conversation/erase", {"token": mentee, "confirm": "yes"})
    assert status in (200, 303)
    left = b"".join(p.read_bytes() for p in flow.emails())
    assert b"alex.mentee@example.org" not in left and b"Quelles \xc3\xa9tudes" not in left
    assert b"sam.autre@example.org" in left
    assert to_mentor["X-Passerelle-Thread"] not in " ".join(p.name for p in flow.emails())
