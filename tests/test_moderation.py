"""Moderators' decisions on both stores, and the moderation API through the real resolver."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
import yaml
from relay.domain import Conflict, InvalidInput, JobKind, Side, Status, ThreadState, policies
from relay.services.moderation import reasons

from tests.conftest import MODERATOR_TOKENS, ROOT
from tests.test_relay_api import fields

REASONS = yaml.safe_load((ROOT / "data" / "rejection_reasons.yaml").read_text("utf-8"))


def test_approve_stores_the_delivery_job_and_an_audit_event_together(services):
    message = services.ask()
    decision = services.moderation.approve(message.id, version=message.version, actor="mod:a")
    assert decision.message.status == Status.APPROVED
    [event] = [e for e in services.store.events(message.thread_id) if e.action == "approved"]
    assert event.actor == "mod:a" and event.at == services.now
    assert event.detail["before"] == "pending" and event.detail["after"] == "approved"
    assert event.detail["edited"] is False
    jobs = services.store.claim_jobs(owner="w", now=services.now, lease=services.delivery.lease)
    by_kind = {j.kind: j for j in jobs}
    assert set(by_kind) == {JobKind.MESSAGE, JobKind.PASSED_ON}  # with the mentee's notice
    job = by_kind[JobKind.MESSAGE]
    assert job.message_id == message.id and job.recipient == Side.MENTOR
    assert job.id == event.detail["job"] and sorted(event.detail["jobs"]) == sorted(
        j.id for j in jobs
    )
    assert by_kind[JobKind.PASSED_ON].recipient == Side.MENTEE


def test_an_edited_approval_delivers_the_edit_and_records_that_it_was_edited(services):
    message = services.ask(text="Bonjour! Comment devient-on ingénieure civile? Merci beaucoup.")
    edit = "Comment devient-on ingénieure civile au Québec?"
    services.moderation.approve(message.id, version=message.version, actor="mod:a", text=edit)
    stored = services.store.get_message(message.id, now=services.now)
    assert stored.delivered_text == edit and stored.body.startswith("Bonjour!")
    [event] = [e for e in services.store.events(message.thread_id) if e.action == "approved"]
    assert event.detail["edited"] is True and event.detail["length_after"] == len(edit)
    assert edit not in json.dumps(event.detail)  # the audit log keeps facts, not texts
    assert services.delivery.drain().sent == 2  # the edit to the mentor, the mentee's notice
    [mail] = services.mail_to("marie-tremblay@example.org")
    text = mail.get_body(("plain",)).get_content()
    assert edit in text and "Merci beaucoup" not in text


def test_rejection_tells_the_author_the_template_reason_never_who_decided(services):
    message = services.ask()
    decision = services.moderation.reject(
        message.id, version=message.version, actor="moderator:alice", reason="off-topic"
    )
    assert decision.message.status == Status.REJECTED and decision.notified is True
    assert services.delivery.drain().sent == 1  # the reason goes through the outbox
    [notice] = services.mail_to("alex.mentee@example.org")[-1:]
    text = notice.get_body(("plain",)).get_content()
    expected = next(r for r in REASONS if r["code"] == "off-topic")["fr"]
    assert " ".join(expected.split()) in " ".join(text.split())
    assert "alice" not in notice.as_string().lower()
    assert services.mail_to("marie-tremblay@example.org") == []  # nothing reached the mentor
    thread = services.store.get_thread(message.thread_id, now=services.now)
    assert thread.state == ThreadState.CLOSED  # a refused first question frees the capacity
    assert services.store.count_open_threads("marie-tremblay", now=services.now) == 0
    actions = [e.action for e in services.store.events(message.thread_id)]
    assert actions[-3:] == ["rejected", "closed", "rejection_sent"]


def test_a_reason_outside_the_templates_is_refused_and_changes_nothing(services):
    message = services.ask()
    with pytest.raises(InvalidInput):
        services.moderation.reject(message.id, version=message.version, actor="m", reason="rude")
    assert services.store.get_message(message.id, now=services.now).status == Status.PENDING


def test_escalation_keeps_it_pending_and_moves_it_to_the_top(services):
    first = services.ask()
    second = services.ask(text="Est-ce que le métier d'ingénieure civile demande beaucoup de math?")
    services.moderation.escalate(second.id, version=second.version, actor="mod:a")
    queue = services.moderation.queue()
    assert [r.message.id for r in queue] == [second.id, first.id]
    assert queue[0].message.escalated and queue[0].message.status == Status.PENDING


def test_a_failed_rejection_notice_keeps_the_decision_and_is_retried(local_services):
    services = local_services
    message = services.ask()
    services.mailer.failures = 1
    decision = services.moderation.reject(
        message.id, version=message.version, actor="m", reason="too-vague"
    )
    assert decision.notified is True  # queued with the decision
    assert services.delivery.run_once().retried == 1
    assert services.store.get_message(message.id, now=services.now).status == Status.REJECTED
    services.now += policies.JOB_BACKOFF_CAP
    assert services.delivery.run_once().sent == 1
    actions = [e.action for e in services.store.events(message.thread_id)]
    assert actions.count("delivery_failed") == 1 and actions.count("rejection_sent") == 1


def test_two_moderators_deciding_at_once_exactly_one_wins(services):
    message = services.ask()
    barrier = threading.Barrier(2)

    def decide(kind: str):
        barrier.wait()
        try:
            if kind == "approve":
                services.moderation.approve(message.id, version=message.version, actor="mod:a")
            else:
                services.moderation.reject(
                    message.id, version=message.version, actor="mod:b", reason="off-topic"
                )
            return "won"
        except Conflict:
            return "lost"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(decide, ["approve", "reject"]))
    assert outcomes == ["lost", "won"]
    decisions = [
        e for e in services.store.events(message.thread_id) if e.action in ("approved", "rejected")
    ]
    assert len(decisions) == 1
    final = services.store.get_message(message.id, now=services.now)
    jobs = services.store.claim_jobs(owner="w", now=services.now, lease=services.delivery.lease)
    kinds = sorted(j.kind for j in jobs)
    if final.status == Status.APPROVED:
        assert kinds == [JobKind.MESSAGE, JobKind.PASSED_ON]
    else:
        assert kinds == [JobKind.REJECTION]


def test_reason_templates_come_from_the_data_file_in_both_languages():
    assert [r["code"] for r in reasons()] == [r["code"] for r in REASONS]
    assert all(r["fr"] and r["en"] and r["fr"] != r["en"] for r in reasons())


# --- the API -------------------------------------------------------------------------------------


def api(flow, method, path, payload=None, who="alice"):
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if who:
        headers["Authorization"] = f"Bearer {MODERATOR_TOKENS.get(who, who)}"
    body = json.dumps(payload).encode() if payload is not None else b""
    status, _, text = flow.request(method, path, body, headers)
    return status, json.loads(text) if text else None


def pending_question(flow) -> dict:
    from tests.test_relay_api import confirm_link

    flow.post_form(fields(), json_reply=True)
    form = {"Content-Type": "application/x-www-form-urlencoded", "Origin": flow.SITE_URL}
    token = confirm_link(flow)
    status, _, _ = flow.request("POST", "/api/questions/confirm", f"token={token}".encode(), form)
    assert status == 200
    status, queue = api(flow, "GET", "/api/moderation/queue")
    assert status == 200
    [item] = queue["items"]
    return item


def test_the_api_lists_the_queue_without_the_mentee_address(flow):
    item = pending_question(flow)
    assert item["message"]["status"] == "pending" and item["thread"]["minor"] is True
    assert item["thread"]["pseudonym"] == "Alex" and item["thread"]["region_name"]
    assert "example.org" not in json.dumps(item)


@pytest.mark.parametrize("limit", ["\u00b2", "\u0663", "-1", "x", ""])
def test_a_queue_limit_that_is_not_a_plain_number_lists_the_default(flow, limit):
    """A digit int() cannot read (superscript two) once answered 500."""
    pending_question(flow)
    auth = {"Authorization": f"Bearer {MODERATOR_TOKENS['alice']}"}
    status, _, text = flow.request(
        "GET", "/api/moderation/queue", headers=auth, query=f"limit={quote(limit)}"
    )
    assert status == 200 and len(json.loads(text)["items"]) == 1


def test_the_api_approves_once_and_tells_the_second_moderator(flow):
    item = pending_question(flow)
    path = f"/api/moderation/messages/{item['message']['id']}"
    version = item["message"]["version"]
    status, out = api(flow, "POST", f"{path}/approve", {"version": version})
    assert status == 200 and out["status"] == "approved"
    status, out = api(flow, "POST", f"{path}/reject", {"version": version, "reason": "unsafe"},
                      who="bob")  # fmt: skip
    assert status == 409 and out["error"] == "already_decided" and out["status"] == "approved"
    status, log = api(flow, "GET", f"/api/moderation/threads/{item['message']['thread_id']}/events")
    approved = [e for e in log["events"] if e["action"] == "approved"]
    assert [e["actor"] for e in approved] == ["moderator:alice"]


@pytest.mark.parametrize(
    ("action", "payload", "field"),
    [
        ("reject", {"version": 1, "reason": "not-a-reason"}, "reason"),
        ("approve", {"version": 1, "text": "   "}, "text"),
        ("approve", {"version": "x"}, "version"),
        ("approve", {"version": 1, "extra": 1}, "extra"),
    ],
)
def test_the_api_refuses_bad_decisions_with_the_field_and_changes_nothing(
    flow, action, payload, field
):
    item = pending_question(flow)
    message_id = item["message"]["id"]
    payload = (
        {**payload, "version": item["message"]["version"]} if payload["version"] == 1 else payload
    )
    status, out = api(flow, "POST", f"/api/moderation/messages/{message_id}/{action}", payload)
    assert status == 422 and field in out["fields"]
    status, again = api(flow, "GET", f"/api/moderation/messages/{message_id}")
    assert again["message"]["status"] == "pending"


def test_the_api_serves_reasons_and_an_unknown_message_is_404(flow):
    status, out = api(flow, "GET", "/api/moderation/reasons")
    assert status == 200 and [r["code"] for r in out["reasons"]] == [r["code"] for r in REASONS]
    status, out = api(flow, "POST", "/api/moderation/messages/nope/approve", {"version": 1})
    assert status == 404
