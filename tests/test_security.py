"""Relay security, part 2: links per side, tokens, moderator credentials, escaping, leaks."""

from __future__ import annotations

import json
import logging
import re
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
    assert "<script>" not in page_html and "<img" not in page_html  # the site's own have a src
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page_html
    mentee = signed(flow, thread_id_of(flow), "mentee")
    status, _, page_html = page(flow, mentee)
    assert "<script>" not in page_html and "&lt;img src=x" in page_html
    status, _, form_again = post(flow, "/api/conversation/reply",
                                 {"token": delivered, "text": SCRIPT + "\x00"})  # fmt: skip
    assert status == 422 and "<script>" not in form_again


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
    """Every relay logger on, at DEBUG, into one handler (a library may have disabled some).

    Every relay module is imported first: Powertools sets its logger up when a module first
    makes one, which must not happen after the handler is in place (alone, this test would
    see only the lines of the modules imported before it)."""
    import importlib
    import pkgutil

    import relay

    for module in pkgutil.walk_packages(relay.__path__, "relay."):
        if not module.name.startswith("relay.aws"):  # boto3's side, not the relay's own lines
            importlib.import_module(module.name)
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
    secret_text = "Mon mot secret de dossier est kiwiplume, quelles études choisir?"
    flow.post_form(fields(question=secret_text), json_reply=True)
    from tests.test_relay_api import confirm_link

    form = {"Content-Type": "application/x-www-form-urlencoded", "Origin": flow.SITE_URL}
    flow.request("POST", "/api/questions/confirm", f"token={confirm_link(flow)}".encode(), form)
    approve_all(flow)
    mentor = link(mails_to(flow, "marie-tremblay@example.org")[0])
    reply = "Réponse confidentielle de la mentore, mot mangouste."
    post(flow, "/api/conversation/reply", {"token": mentor, "text": reply})
    flow.relay.delivery.mailer, real = _Broken(), flow.relay.delivery.mailer
    approve_all(flow)  # the send fails: the failure is logged too
    flow.relay.delivery.mailer = real
    status, _, _ = post(flow, "/api/conversation/erase", {"token": quote(mentor)})
    logged = "\n".join(all_logs)
    for action in ("question_received", "delivery_failed", "approved", "reply_queued"):
        assert action in logged  # the capture did see the relay's log lines
    # Words that no id, token or hash can hold by chance (none is hexadecimal).
    for private in (MENTEE_ADDRESS, "marie-tremblay@example.org", "kiwiplume", "mangouste", "Alex"):
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


# --- hardened input (issue 10): each refused with a clear 4xx, nothing stored ----------------

JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


def post_json(flow, raw: str | bytes, headers: dict | None = None):
    data = raw.encode() if isinstance(raw, str) else raw
    status, _, body = flow.request(
        "POST", "/api/questions", data, {**JSON_HEADERS, **(headers or {})}
    )
    return status, json.loads(body)


def nothing_stored(flow) -> bool:
    con = flow.store._con()
    counts = [con.execute("SELECT COUNT(*) FROM threads").fetchone()[0],
              con.execute("SELECT COUNT(*) FROM messages").fetchone()[0],
              con.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]]  # fmt: skip
    return counts == [0, 0, 0]


BAD_PATHS = ["/%00", "/mentors/%00/", "/a%00b.html", "/%ff", "/theme/%c3%28"]


def test_a_nul_or_bytes_that_are_not_utf8_in_a_static_path_are_400_not_500(tmp_path):
    import http.client

    from relay.devserver import serve, stop

    from tests.conftest import free_port, relay_settings

    site = tmp_path / "site"
    (site / "relay").mkdir(parents=True)
    (site / "relay" / "mentors.json").write_text('{"mentors": {}}', encoding="utf-8")
    (site / "index.html").write_text("<h1>Accueil</h1>", encoding="utf-8")
    port = free_port()
    settings = relay_settings(tmp_path / "var", site / "relay" / "mentors.json",
                              f"http://127.0.0.1:{port}")  # fmt: skip
    process = serve(site, settings, "127.0.0.1", port, workers=1, maintenance=False)
    try:
        for path in BAD_PATHS:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path)
            response = conn.getresponse()
            assert (response.status, response.read()) == (400, b"Bad path"), path
            conn.request("GET", "/")
            assert conn.getresponse().read() == b"<h1>Accueil</h1>"  # still serving
            conn.close()
    finally:
        stop(process)


@pytest.mark.parametrize("host", ["localhost.evil.example", "127.0.0.1.evil.example:8000"])
def test_a_dns_rebinding_post_is_refused_whatever_the_host_header_says(flow, host):
    """A page of evil.example whose name now points at 127.0.0.1: its Origin and the Host
    header agree with each other, never with the settings."""
    origin = f"http://{host}"
    headers = {"Host": host, "Origin": origin}
    status, _, body = flow.post_form(fields(), json_reply=True, headers=headers)
    assert (status, json.loads(body)["error"]) == (403, "forbidden_origin")
    token = "not-even-a-token"
    for path, data in (("/api/questions/confirm", {"token": token}),
                       ("/api/conversation/reply", {"token": token, "text": "Bonjour!"}),
                       ("/api/conversation/erase", {"token": token, "confirm": "yes"}),
                       ("/api/mentors/pause", {"token": token, "action": "pause"})):  # fmt: skip
        from urllib.parse import urlencode

        form = {"Content-Type": "application/x-www-form-urlencoded", **headers}
        status, _, _ = flow.request("POST", path, urlencode(data).encode(), form)
        assert status == 403, path
    assert nothing_stored(flow)


def test_the_allowed_origins_come_from_the_settings(tmp_path):
    from relay.config import Settings

    from tests.conftest import RELAY_MENTORS, RelayHarness

    other = "https://passerelle.example.org"
    harness = RelayHarness(tmp_path / "relay", RELAY_MENTORS, allowed_origins=(other,))
    try:
        status, _, _ = harness.post_form(fields(), json_reply=True, headers={"Origin": other})
        assert status == 202
        status, _, _ = harness.post_form(fields(email="b@example.org"), json_reply=True)
        assert status == 403  # the site's own origin is no longer listed
        status, headers, _ = harness.request("OPTIONS", "/api/questions", headers={
            "Origin": other, "Access-Control-Request-Method": "POST"})  # fmt: skip
        assert headers.get("access-control-allow-origin") == other
    finally:
        harness.store.close()
    env = {"PASSERELLE_SECRET": "s", "PASSERELLE_STORE": "dynamodb",
           "PASSERELLE_SITE_URL": "https://site.example.org",
           "PASSERELLE_API_URL": "https://api.example.org"}  # fmt: skip
    assert Settings.from_env(env).origins == ("https://site.example.org", "https://api.example.org")
    env["PASSERELLE_ALLOWED_ORIGINS"] = "https://a.example.org, HTTP://127.0.0.1:8000/"
    assert Settings.from_env(env).origins == ("https://a.example.org", "http://127.0.0.1:8000")
    env["PASSERELLE_ALLOWED_ORIGINS"] = "https://a.example.org/path"
    with pytest.raises(RuntimeError, match="PASSERELLE_ALLOWED_ORIGINS"):
        Settings.from_env(env)


HIDDEN = ["\u202e", "\u0085", "\u200e", "\u200f", "\u2066", "\u2067", "\u2068", "\u2069",
          "\u202a", "\u061c", "\u2028", "\x00", "\x1b", "\x7f"]  # fmt: skip


@pytest.mark.parametrize("char", HIDDEN)
def test_control_and_bidi_characters_are_refused_in_the_question_form(flow, char):
    for field, value in (("pseudonym", f"Alex{char}nimda"), ("question", f"{QUESTION}{char}!")):
        status, out = post_json(flow, json.dumps({**fields(**{field: value}), "age": 16}))
        assert (status, out["error"]) == (422, "invalid_input"), field
        assert field in out["codes"]
        status, _, html = flow.post_form(fields(**{field: value}))
        assert status == 422 and char not in html.split("</h1>", 1)[-1].split("<form")[0]
    assert nothing_stored(flow)


QUESTION = "Quelles études faut-il pour devenir ingénieure civile au Québec?"


@pytest.mark.parametrize("char", ["\u202e", "\u0085", "\u200f", "\u2066"])
def test_control_and_bidi_characters_are_refused_in_replies_edits_and_reasons(
    flow, delivered, char
):
    text = f"Bonne question{char} vraiment."
    status, _, html = post(flow, "/api/conversation/reply", {"token": delivered, "text": text})
    assert status == 422 and "non permis" in html
    status, queue = api(flow, "GET", "/api/moderation/queue")
    assert queue["items"] == []  # the reply was not stored
    thread_id = thread_id_of(flow)
    mentee = signed(flow, thread_id, "mentee")
    post(flow, "/api/conversation/reply", {"token": mentee, "text": "Merci beaucoup pour tout."})
    [item] = api(flow, "GET", "/api/moderation/queue")[1]["items"]
    message = item["message"]
    approve = f"/api/moderation/messages/{message['id']}/approve"
    status, out = api(flow, "POST", approve, {"version": message["version"],
                                              "text": f"Merci{char} beaucoup."})  # fmt: skip
    assert (status, out["error"]) == (422, "invalid_input")
    reject = f"/api/moderation/messages/{message['id']}/reject"
    status, out = api(flow, "POST", reject, {"version": message["version"],
                                             "reason": f"off-topic{char}"})  # fmt: skip
    assert (status, out["error"]) == (422, "invalid_input")
    status, out = api(flow, "GET", f"/api/moderation/messages/{message['id']}")
    assert (out["message"]["status"], out["message"]["version"]) == ("pending", message["version"])


@pytest.mark.parametrize("rendered_at", ["", "future", "now"])
def test_an_empty_or_future_page_time_does_not_skip_the_too_fast_check(flow, rendered_at):
    import time

    now_ms = int(time.time() * 1000)
    value = {"": "", "future": str(now_ms + 3_600_000), "now": str(now_ms)}[rendered_at]
    status, _, body = flow.post_form(fields(rendered_at=value), json_reply=True)
    assert (status, json.loads(body)["error"]) == (422, "too_fast")
    status, out = post_json(flow, json.dumps({k: v for k, v in fields(rendered_at=None).items()}
                                             | {"age": 16}))  # fmt: skip
    assert (status, out["error"]) == (422, "too_fast")  # no page time at all
    assert nothing_stored(flow)


def test_without_javascript_the_form_again_carries_the_time_it_was_shown(flow):
    from datetime import timedelta

    status, _, html = flow.post_form(fields(rendered_at=""))
    assert status == 422 and "question-form" in html
    shown = re.search(r'name="rendered_at" value="(\d+)"', html).group(1)
    real = flow.questions.clock
    flow.questions.clock = lambda: real() + timedelta(seconds=4)  # a person reads it again
    status, headers, _ = flow.post_form(fields(rendered_at=shown))
    assert status == 303 and headers["location"].endswith("/questions/envoyee/")
    assert flow.threads() == 1


@pytest.mark.parametrize(
    "raw",
    ['{"mentor": "marie-tremblay", "mentor": "jordan-lee"}',
     '{"question": "x", "question": "y"}'],
)  # fmt: skip
def test_json_duplicate_keys_are_refused_like_duplicate_form_fields(flow, raw):
    body = {**fields(), "age": 16}
    first, rest = raw[1:-1].split(", ", 1)
    text = json.dumps(body)[:-1] + ", " + rest + ", " + first + "}"
    status, out = post_json(flow, text)
    assert (status, out["error"]) == (400, "bad_request")
    assert nothing_stored(flow)


@pytest.mark.parametrize("age", [True, False, "16", None, 16.5, [16]])
def test_an_age_in_json_is_a_whole_number_never_a_boolean_or_a_string(flow, age):
    status, out = post_json(flow, json.dumps({**fields(), "age": age}))
    assert (status, out["error"]) == (422, "invalid_input") and out["codes"]["age"]
    assert nothing_stored(flow)
    status, _ = post_json(flow, json.dumps({**fields(), "age": 16.0}))
    assert status == 202  # 16.0 is the integer 16 in JSON


def inline_code(html: str) -> list[str]:
    """Script elements and event-handler attributes of a page, as a browser would parse it."""
    from html.parser import HTMLParser

    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attributes = dict(attrs)
            inline = tag == "script" and not attributes.get("src")  # a file is no inline code
            if inline and attributes.get("type") != "application/ld+json":  # data, never run
                found.append(tag)
            found.extend(name for name, _ in attrs if name.startswith("on"))

    Parser().feed(html)
    return found


CSP_DIRECTIVES = ("default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'")


def check_security_headers(headers: dict, body: str = "") -> None:
    csp = headers["content-security-policy"]
    for directive in CSP_DIRECTIVES:
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    script = next(d for d in csp.split("; ") if d.startswith("script-src"))
    assert "sha256" not in script and "nonce" not in script  # no inline script, ever
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    if "<html" in body:
        import base64
        import hashlib

        assert inline_code(body) == []
        for style in re.findall(r"<style>(.*?)</style>", body, re.S):
            digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in csp  # the relay's own inline style, by its hash


def test_every_relay_answer_carries_the_security_headers(flow, delivered):
    answers = [
        flow.post_form(fields(), json_reply=True),  # 202 JSON
        flow.post_form(fields(email="bad")),  # 422 HTML page
        flow.request("GET", "/api/conversation", query=f"token={quote(delivered)}"),  # page
        flow.request("GET", "/api/conversation", query="token=forged"),  # 400 page
        flow.request("GET", "/api/health"),
        flow.request("GET", "/api/openapi.json"),
        flow.request("GET", "/api/availability.json"),
        flow.request("GET", "/api/nothing"),  # 404
        flow.request("DELETE", "/api/questions"),  # 405
        flow.request("GET", "/api/moderation/queue"),  # 401
        flow.request("GET", "/api/questions/confirm", query="token=" + "x" * 3000),
    ]
    statuses = [status for status, _, _ in answers]
    assert {202, 422, 200, 400, 404, 405, 401} <= set(statuses)
    for _, headers, body in answers:
        check_security_headers(headers, body)


def test_the_question_service_refuses_hidden_characters_whoever_calls_it(local_services):
    from relay.domain import InvalidInput
    from relay.services.questions import Question

    for pseudonym, question in (("Al\u202eex", QUESTION), ("Alex", QUESTION + "\u2066")):
        with pytest.raises(InvalidInput) as refused:
            local_services.questions.submit(
                Question(mentor="marie-tremblay", lang="fr", pseudonym=pseudonym, age=16,
                         region="06", situation="secondaire", email="a@example.org",
                         question=question),
                client="203.0.113.7", idempotency_key=None,
            )  # fmt: skip
        assert set(refused.value.errors.values()) == {"invalid"}
    assert local_services.store.queue(now=local_services.now) == []
