"""Relay security, part 2: links per side, tokens, moderator credentials, escaping, leaks."""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

import pytest
from relay.config import Limits
from relay.domain import tokens
from relay.services.links import CONVERSATION, PAUSE, Links

from tests.conftest import MODERATOR_TOKENS
from tests.test_conversation import approve_all, link, mails_to, page, post
from tests.test_moderation import api, pending_question
from tests.test_relay_api import fields

MENTEE_ADDRESS = "alex.mentee@example.org"
SCRIPT = "<script>alert('x')</script><img src=x onerror=alert(1)>"
HOSTILE = f"Bonjour! {SCRIPT} Quelles études pour devenir pilote d'avion au Québec?"


def signed(flow, thread_id: str, side: str, purpose: str = CONVERSATION, **shift) -> str:
    from datetime import timedelta

    links = Links(flow.settings)
    now = flow.questions.clock() + timedelta(**shift)
    return links.token(thread_id, side, purpose, now)


def thread_id_of(flow) -> str:
    return flow.store._con().execute("SELECT id FROM threads").fetchone()[0]


@pytest.fixture
def delivered(flow):
    """A hostile question approved and delivered to the mentor; returns the mentor's link."""
    flow.post_form(fields(question=HOSTILE), json_reply=True)
    from tests.test_relay_api import confirm_link

    form = {"Content-Type": "application/x-www-form-urlencoded", "Origin": flow.SITE_URL}
    flow.request("POST", "/api/questions/confirm", f"token={confirm_link(flow)}".encode(), form)
    approve_all(flow)
    return link(mails_to(flow, "marie-tremblay@example.org")[0])


def test_each_link_works_for_its_own_side_only(flow, delivered):
    thread_id = thread_id_of(flow)
    mentee = signed(flow, thread_id, "mentee")
    status, _, html = page(flow, delivered)
    assert status == 200 and "Effacer" not in html  # the mentor cannot erase
    status, _, _ = post(flow, "/api/conversation/erase", {"token": delivered, "confirm": "yes"})
    assert status == 400
    assert flow.store.get_thread(thread_id, now=flow.questions.clock()).mentee_email
    status, _, _ = page(flow, mentee, "/api/mentors/pause")  # the mentee cannot pause the mentor
    assert status == 400
    pause = link(mails_to(flow, "marie-tremblay@example.org")[0], "pause")
    status, _, _ = page(flow, pause)  # a pause link does not open the conversation
    assert status == 400
    # A reply through the mentor's link is the mentor's, whatever the form says.
    post(flow, "/api/conversation/reply",
         {"token": delivered, "text": "Réponse de la mentore, pas de l'élève."})  # fmt: skip
    status, queue = api(flow, "GET", "/api/moderation/queue")
    assert [i["message"]["author"] for i in queue["items"]] == ["mentor"]
    status, _, html = page(flow, mentee)
    assert "Réponse de la mentore" not in html  # not passed on yet: the mentee cannot see it


@pytest.mark.parametrize("kind", ["forged", "expired", "tampered", "truncated", "empty"])
def test_forged_expired_or_tampered_tokens_are_refused_everywhere(flow, delivered, kind):
    thread_id = thread_id_of(flow)
    good = signed(flow, thread_id, "mentee")
    bad = {
        "forged": tokens.issue("another-secret", thread_id=thread_id, side="mentee",
                               purpose=CONVERSATION, now=flow.questions.clock(),
                               ttl=Limits().link_ttl),
        "expired": signed(flow, thread_id, "mentee", days=-31),
        "tampered": good.replace(good.split(".")[0], tokens._b64(
            tokens._unb64(good.split(".")[0]).replace(b'"mentee"', b'"mentor"'))),
        "truncated": good[:-3],
        "empty": "",
    }[kind]  # fmt: skip
    assert page(flow, bad)[0] == 400
    assert page(flow, bad, "/api/mentors/pause")[0] == 400
    for path, data in (("/api/conversation/reply", {"text": "Une réponse."}),
                       ("/api/conversation/erase", {"confirm": "yes"}),
                       ("/api/mentors/pause", {"action": "pause"})):  # fmt: skip
        status, _, html = post(flow, path, {"token": bad, **data})
        assert status == 400 and "pas valide" in html
    thread = flow.store.get_thread(thread_id, now=flow.questions.clock())
    assert thread.mentee_email and not flow.store.get_mentor_contact("marie-tremblay").paused
    assert len(flow.store.list_messages(thread_id, now=flow.questions.clock())) == 1


def jwt_event_request(flow, claims: dict):
    """As API Gateway sends it after its JWT authorizer accepted a Cognito token."""
    from relay.devserver import RelayWSGI

    environ = {"REQUEST_METHOD": "GET", "QUERY_STRING": "", "REMOTE_ADDR": "203.0.113.9",
               "HTTP_HOST": "api.example.org"}  # fmt: skip
    event = RelayWSGI.event(environ, "/api/moderation/queue", b"")
    event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    result = flow.relay.resolve(event, None)
    return result["statusCode"], result.get("body") or ""


def test_moderator_endpoints_refuse_no_credential_a_wrong_one_and_a_non_moderator(flow):
    item = pending_question(flow)
    approve = f"/api/moderation/messages/{item['message']['id']}/approve"
    for who in (None, "not-a-token", MODERATOR_TOKENS["alice"][:-1], "mentee-link"):
        for method, path in (("GET", "/api/moderation/queue"), ("POST", approve)):
            status, out = api(flow, method, path, {"version": 1}, who=who)
            assert status == 401 and out["error"] == "unauthenticated"
    status, body = jwt_event_request(flow, {"sub": "u-1", "cognito:groups": "[editors]"})
    assert status == 403
    status, body = jwt_event_request(flow, {"sub": "u-1"})
    assert status == 403
    status, body = jwt_event_request(flow, {"sub": "u-2", "cognito:groups": "[moderators]"})
    assert status == 200 and json.loads(body)["items"][0]["message"]["id"] == item["message"]["id"]
    status, out = api(flow, "GET", f"/api/moderation/messages/{item['message']['id']}")
    assert out["message"]["status"] == "pending"  # nothing was decided by the refused calls


def test_html_in_a_message_is_text_in_every_page_and_email(flow, delivered):
    [mail] = mails_to(flow, "marie-tremblay@example.org")
    html = mail.get_body(("html",)).get_content()
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert SCRIPT in mail.get_body(("plain",)).get_content()  # text stays text
    status, _, page_html = page(flow, delivered)
    assert "<script" not in page_html and "<img" not in page_html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page_html
    mentee = signed(flow, thread_id_of(flow), "mentee")
    status, _, page_html = page(flow, mentee)
    assert "<script" not in page_html and "&lt;img src=x" in page_html
    status, _, form_again = post(flow, "/api/conversation/reply",
                                 {"token": delivered, "text": SCRIPT + "\x00"})  # fmt: skip
    assert status == 422 and "<script" not in form_again


def test_nothing_the_mentor_receives_or_opens_holds_the_mentee_address(flow, delivered):
    for mail in mails_to(flow, "marie-tremblay@example.org"):
        assert MENTEE_ADDRESS not in mail.as_string()
    thread_id = thread_id_of(flow)
    pause = signed(flow, thread_id, "mentor", PAUSE)
    for path, token in (("/api/conversation", delivered), ("/api/mentors/pause", pause)):
        status, _, html = page(flow, token, path)
        assert status == 200 and MENTEE_ADDRESS not in html and "alex.mentee" not in html
    post(flow, "/api/conversation/reply", {"token": delivered, "text": "Merci pour ta question!"})
    approve_all(flow)
    answer = mails_to(flow, MENTEE_ADDRESS)[-1]
    assert "marie-tremblay@example.org" not in answer.get_body(("plain",)).get_content()


class Everything(logging.Handler):
    """Keeps every field of every record, extras included (what a JSON log line would hold)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(json.dumps(record.__dict__, default=str, ensure_ascii=False))


@pytest.fixture
def all_logs():
    """Every relay logger on, at DEBUG, into one handler (a library may have disabled some)."""
    handler = Everything()
    names = ["", "passerelle-relay", "relay"] + [
        name for name in logging.root.manager.loggerDict
        if name.startswith(("passerelle-relay.", "relay."))
    ]  # fmt: skip
    loggers = [logging.getLogger(name) for name in names]
    saved = [(lg.level, lg.disabled) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.disabled = False
    for lg in loggers[:2]:  # the root, and Powertools' logger (it does not propagate)
        lg.addHandler(handler)
    yield handler.lines
    for lg in loggers[:2]:
        lg.removeHandler(handler)
    for lg, (level, disabled) in zip(loggers, saved, strict=True):
        lg.setLevel(level)
        lg.disabled = disabled


def test_log_lines_hold_no_address_and_no_message_body(flow, all_logs):
    secret_text = "Mon numéro secret de dossier est le 4242, quelles études choisir?"
    flow.post_form(fields(question=secret_text), json_reply=True)
    from tests.test_relay_api import confirm_link

    form = {"Content-Type": "application/x-www-form-urlencoded", "Origin": flow.SITE_URL}
    flow.request("POST", "/api/questions/confirm", f"token={confirm_link(flow)}".encode(), form)
    approve_all(flow)
    mentor = link(mails_to(flow, "marie-tremblay@example.org")[0])
    reply = "Réponse confidentielle de la mentore numéro 7777."
    post(flow, "/api/conversation/reply", {"token": mentor, "text": reply})
    flow.relay.delivery.mailer, real = _Broken(), flow.relay.delivery.mailer
    approve_all(flow)  # the send fails: the failure is logged too
    flow.relay.delivery.mailer = real
    status, _, _ = post(flow, "/api/conversation/erase", {"token": quote(mentor)})
    logged = "\n".join(all_logs)
    for action in ("question_received", "delivery_failed", "approved", "reply_queued"):
        assert action in logged  # the capture did see the relay's log lines
    for private in (MENTEE_ADDRESS, "marie-tremblay@example.org", "4242", "7777", "Alex"):
        assert private not in logged


class _Broken:
    def send(self, message):
        raise ConnectionError("down")


def test_moderator_tokens_are_configured_as_hashes_and_a_bad_entry_is_a_clear_error():
    from relay.auth import Authenticator, Unauthenticated, hash_token

    digest = hash_token("a-local-token")
    auth = Authenticator(f"{digest}, carol={hash_token('carol-token')}")
    assert auth.from_bearer("Bearer a-local-token").actor == f"moderator:token-{digest[:8]}"
    assert auth.from_bearer("bearer carol-token").actor == "moderator:carol"
    assert "a-local-token" not in repr(auth.tokens)  # only digests are kept
    with pytest.raises(Unauthenticated):
        auth.from_bearer(f"Bearer {digest}")  # the digest itself is not a credential
    with pytest.raises(ValueError, match="entry 2"):
        Authenticator(f"alice={digest},bob=not-a-digest")
