"""The question endpoint through the real resolver, SQLite store and outbox folder."""

from __future__ import annotations

import email
import json
import re
import time
from datetime import timedelta
from email import policy
from urllib.parse import unquote

import pytest
from relay.domain import AgeBand, Status

QUESTION = "Quelles études faut-il pour devenir ingénieure civile au Québec?"


def fields(**overrides) -> dict:
    base = {
        "mentor": "marie-tremblay",
        "lang": "fr",
        "pseudonym": "Alex",
        "age": "16",
        "region": "06",
        "situation": "secondaire",
        "email": "alex.mentee@example.org",
        "question": QUESTION,
        "consent": "yes",
        "website": "",
        "rendered_at": str(int(time.time() * 1000) - 30_000),
        "idempotency_key": "",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def read_email(path):
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def confirm_link(relay) -> str:
    [path] = relay.emails()
    text = read_email(path).get_body(("plain",)).get_content()
    return re.search(r"https?://\S+/api/questions/confirm\?token=(\S+)", text).group(1)


def only_message(relay):
    con = relay.store._con()
    thread_id = con.execute("SELECT id FROM threads").fetchone()[0]
    thread = relay.store.get_thread(thread_id, now=relay.questions.clock())
    [message] = relay.store.list_messages(thread_id, now=relay.questions.clock())
    return thread, message


def test_json_submission_is_stored_received_and_asks_to_confirm(relay):
    status, headers, body = relay.post_form(fields(), json_reply=True)
    assert status == 202, body
    assert json.loads(body)["status"] == "received"
    assert relay.threads() == 1
    thread, message = only_message(relay)
    assert message.status == Status.RECEIVED
    assert thread.age_band == AgeBand.MINOR
    assert thread.expires_at - thread.created_at == timedelta(hours=72)
    mail = read_email(relay.emails()[0])
    assert mail["To"] == "alex.mentee@example.org"
    assert "Alex" not in str(mail["Subject"]) + str(mail["From"]) + str(mail["To"])
    assert mail["Content-Language"] == "fr"
    assert mail.get_body(("html",)) is not None


def test_plain_form_post_lands_on_the_question_sent_page(relay):
    status, headers, _ = relay.post_form(fields())
    assert status == 303
    assert headers["location"] == relay.SITE_URL + "/questions/envoyee/"
    status, headers, _ = relay.post_form(
        fields(mentor="jordan-lee", lang="en", email="sam@example.org")
    )
    assert headers["location"] == relay.SITE_URL + "/en/questions/sent/"


def test_confirmation_link_shows_a_button_and_the_post_makes_it_pending(relay):
    relay.post_form(fields(), json_reply=True)
    token = unquote(confirm_link(relay))
    status, _, page = relay.request("GET", "/api/questions/confirm", query=f"token={token}")
    assert status == 200 and 'name="token"' in page and 'lang="fr"' in page
    assert (
        only_message(relay)[1].status == Status.RECEIVED
    )  # a prefetching scanner confirms nothing
    form = {"Content-Type": "application/x-www-form-urlencoded", "Origin": relay.SITE_URL}
    status, _, page = relay.request(
        "POST", "/api/questions/confirm", f"token={token}".encode(), form
    )
    assert status == 200 and "Adresse confirmée" in page
    thread, message = only_message(relay)
    assert message.status == Status.PENDING
    assert [m.id for m in relay.store.queue(now=relay.questions.clock())] == [message.id]
    assert thread.expires_at - thread.created_at > timedelta(days=30)
    actions = [e.action for e in relay.store.events(thread.id)]
    assert actions == ["received", "confirmation_sent", "address_confirmed", "queued"]
    status, _, page = relay.request(
        "POST", "/api/questions/confirm", f"token={token}".encode(), form
    )
    assert status == 200 and "déjà confirmée" in page
    assert len(relay.store.events(thread.id)) == 4


def test_unconfirmed_question_expires_after_72_hours(relay):
    relay.post_form(fields(), json_reply=True)
    token = unquote(confirm_link(relay))
    real = relay.questions.clock
    relay.questions.clock = lambda: real() + timedelta(hours=72, minutes=1)
    form = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    status, _, body = relay.request(
        "POST", "/api/questions/confirm", f"token={token}".encode(), form
    )
    assert status in (400, 410)
    assert relay.store.queue(now=relay.questions.clock()) == []


def test_forged_or_foreign_tokens_are_refused(relay):
    relay.post_form(fields(), json_reply=True)
    token = unquote(confirm_link(relay))
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for bad in (token[:-2] + "AA", "x.y", "", token + "." + token):
        status, _, page = relay.request(
            "POST", "/api/questions/confirm", f"token={bad}".encode(), form
        )
        assert status == 400 and "pas valide" in page
    assert only_message(relay)[1].status == Status.RECEIVED


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"pseudonym": ""}, "pseudonym", "required"),
        ({"pseudonym": "x" * 41}, "pseudonym", "pseudonym_too_long"),
        ({"pseudonym": "alex@gmail.com"}, "pseudonym", "pseudonym_contact"),
        ({"pseudonym": "@alex_insta"}, "pseudonym", "pseudonym_contact"),
        ({"age": "seize"}, "age", "not_a_number"),
        ({"age": "13"}, "age", "too_young"),
        ({"age": "31"}, "age", "too_old"),
        ({"region": "99"}, "region", "invalid_choice"),
        ({"situation": "astronaute"}, "situation", "invalid_choice"),
        ({"email": "alex@"}, "email", "invalid_email"),
        ({"email": "a@example.org\r\nBcc: x@example.org"}, "email", "invalid_email"),
        ({"question": "Trop court"}, "question", "question_too_short"),
        ({"question": "x" * 2001}, "question", "question_too_long"),
        ({"consent": None}, "consent", "consent_required"),
        ({"consent": "no"}, "consent", "consent_required"),
    ],
)
def test_field_errors_name_the_field_and_store_nothing(relay, overrides, field, code):
    status, _, body = relay.post_form(fields(**overrides), json_reply=True)
    assert status == 422, body
    reply = json.loads(body)
    assert reply["codes"][field] == code
    assert reply["fields"][field]
    assert relay.threads() == 0 and relay.emails() == []


def test_refusal_below_14_points_to_resources_for_younger_people(relay):
    _, _, body = relay.post_form(fields(age="12"), json_reply=True)
    assert "Tel-jeunes" in json.loads(body)["fields"]["age"]
    _, _, body = relay.post_form(fields(age="12", lang="en"), json_reply=True)
    assert "Kids Help Phone" in json.loads(body)["fields"]["age"]


def test_adult_is_not_marked_minor(relay):
    relay.post_form(fields(age="30"), json_reply=True)
    assert only_message(relay)[0].age_band == AgeBand.ADULT


def test_without_javascript_errors_come_back_in_the_form_with_what_was_typed(relay):
    typed = fields(lang="en", mentor="jordan-lee", age="abc", question="Hard? <script>")
    status, headers, page = relay.post_form(typed)
    assert status == 422 and headers["content-type"].startswith("text/html")
    assert 'lang="en"' in page
    assert re.search(r'id="age-error">Enter your age as a number', page)
    assert re.search(r'id="question-error">Your question must be at least 20', page)
    assert 'value="Alex"' in page and 'value="alex.mentee@example.org"' in page
    assert "Hard? &lt;script&gt;" in page and "<script>" not in page
    assert '<option value="06" selected>' in page
    assert 'aria-invalid="true"' in page


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"mentor": "nobody-here"}, 404, "unknown_mentor"),
        ({"mentor": "../etc/passwd"}, 404, "unknown_mentor"),
        ({"mentor": "paul-ferme"}, 409, "not_accepting"),
    ],
)
def test_mentors_that_do_not_exist_or_do_not_accept_get_a_clear_refusal(
    relay, overrides, status, code
):
    got, _, body = relay.post_form(fields(**overrides), json_reply=True)
    assert (got, json.loads(body)["error"]) == (status, code)
    assert json.loads(body)["message"]
    assert relay.threads() == 0


def test_a_paused_mentor_gets_no_question(relay):
    relay.store.set_mentor_paused("marie-tremblay", True, now=relay.questions.clock())
    status, _, body = relay.post_form(fields(), json_reply=True)
    assert (status, json.loads(body)["error"]) == (409, "not_accepting")
    assert relay.threads() == 0


def test_honeypot_looks_like_success_but_stores_and_sends_nothing(relay):
    status, _, _ = relay.post_form(fields(website="http://spam.example"), json_reply=True)
    assert status == 202
    assert relay.threads() == 0 and relay.emails() == []


def test_a_form_filled_faster_than_a_human_can_is_refused(relay):
    now_ms = str(int(time.time() * 1000))
    status, _, body = relay.post_form(fields(rendered_at=now_ms), json_reply=True)
    assert (status, json.loads(body)["error"]) == (422, "too_fast")
    assert relay.threads() == 0


def test_unknown_fields_are_refused(relay):
    status, _, body = relay.post_form(fields(is_admin="1"), json_reply=True)
    assert (status, json.loads(body)["error"]) == (400, "unknown_field")
    assert relay.threads() == 0


def test_oversized_body_gets_413(relay):
    status, _, _ = relay.post_form(fields(question="x" * 20_000), json_reply=True)
    assert status == 413
    assert relay.threads() == 0


def test_duplicate_fields_and_bad_encodings_are_400(relay):
    h = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    for raw in (b"age=16&age=17", b"pseudonym=%ff%fe", b"\xff\xfe", b"a"):
        status, _, _ = relay.request("POST", "/api/questions", raw, h)
        assert status == 400
    h["Content-Type"] = "application/json"
    for raw in (b"[1, 2]", b"{", b'"text"'):
        assert relay.request("POST", "/api/questions", raw, h)[0] == 400
    h["Content-Type"] = "text/plain"
    assert relay.request("POST", "/api/questions", b"age=16", h)[0] == 415
    assert relay.threads() == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": None, "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_cross_site_posts_are_refused(relay, headers):
    status, _, body = relay.post_form(fields(), json_reply=True, headers=headers)
    assert (status, json.loads(body)["error"]) == (403, "forbidden_origin")
    assert relay.threads() == 0


def test_same_origin_posts_without_origin_header_are_accepted(relay):
    headers = {"Origin": None, "Sec-Fetch-Site": "same-origin"}
    assert relay.post_form(fields(), json_reply=True, headers=headers)[0] == 202


def test_cors_allows_only_the_site_origin(relay):
    pre = {"Origin": relay.SITE_URL, "Access-Control-Request-Method": "POST"}
    status, headers, _ = relay.request("OPTIONS", "/api/questions", headers=pre)
    assert headers.get("access-control-allow-origin") == relay.SITE_URL
    _, headers, _ = relay.post_form(fields(), json_reply=True)
    assert headers.get("access-control-allow-origin") == relay.SITE_URL  # fetch can read it
    pre["Origin"] = "https://evil.example"
    _, headers, _ = relay.request("OPTIONS", "/api/questions", headers=pre)
    assert headers.get("access-control-allow-origin") in (None, relay.SITE_URL)
    assert headers.get("access-control-allow-origin") != "https://evil.example"


def test_same_idempotency_key_stores_one_thread_and_another_body_is_refused(relay):
    first = relay.post_form(fields(idempotency_key="k-123"), json_reply=True)
    again = relay.post_form(fields(idempotency_key="k-123"), json_reply=True)
    assert first[0] == again[0] == 202
    assert relay.threads() == 1
    other = relay.post_form(
        fields(idempotency_key="k-123", question=QUESTION + " Et après?"), json_reply=True
    )
    assert (other[0], json.loads(other[2])["error"]) == (409, "idempotency_mismatch")
    assert relay.threads() == 1


def test_a_double_post_without_javascript_stores_one_thread(relay):
    relay.post_form(fields())
    relay.post_form(fields())
    assert relay.threads() == 1


def test_rate_limit_per_address(relay):
    codes = [
        relay.post_form(
            fields(question=f"{QUESTION} ({n})"), json_reply=True, ip=f"198.51.100.{n}"
        )[0]
        for n in range(6)
    ]
    assert codes == [202] * 5 + [429]
    assert relay.threads() == 5


def test_rate_limit_per_client_lets_a_class_ask_says_when_to_retry_and_keys_are_hashed(relay):
    limit = relay.settings.limits.rate("client").limit
    assert limit >= 30  # a school class behind one address
    replies = [
        relay.post_form(fields(email=f"p{n}@example.org"), json_reply=True)
        for n in range(limit + 1)
    ]
    assert [r[0] for r in replies] == [202] * limit + [429]
    retry = int(replies[-1][1]["retry-after"])
    assert 1 <= retry <= 3600
    body = json.loads(replies[-1][2])
    assert body["retry_after"] == retry and "min" in body["message"]
    con = relay.store._con()
    keys = " ".join(row[0] for row in con.execute("SELECT key_hash FROM counters"))
    assert "203.0.113.7" not in keys and "example.org" not in keys


def test_a_smaller_client_limit_is_a_setting(tmp_path):
    from dataclasses import replace

    from relay.config import Limits, RateLimit

    from tests.conftest import RELAY_MENTORS, RelayHarness

    rates = {**Limits().rates}
    rates["client"] = RateLimit("client", 2, rates["client"].window)
    harness = RelayHarness(tmp_path / "r", RELAY_MENTORS, limits=replace(Limits(), rates=rates))
    codes = [harness.post_form(fields(email=f"q{n}@example.org"), json_reply=True)[0]
             for n in range(3)]  # fmt: skip
    assert codes == [202, 202, 429]
    harness.store.close()


def test_logs_never_contain_the_address_or_the_question(relay, caplog):
    caplog.set_level("INFO", logger="passerelle-relay")
    relay.post_form(fields(), json_reply=True)
    token = unquote(confirm_link(relay))
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    relay.request("POST", "/api/questions/confirm", f"token={token}".encode(), form)
    relay.post_form(fields(age="abc"), json_reply=True)
    logs = " ".join(str(record.__dict__) for record in caplog.records)
    assert "question_received" in logs and "address_confirmed" in logs
    assert "alex.mentee" not in logs and "ingénieure" not in logs and "Alex" not in logs


def test_openapi_document_is_served(relay):
    status, _, body = relay.request("GET", "/api/openapi.json")
    doc = json.loads(body)
    assert status == 200 and doc["openapi"].startswith("3.")
    post = doc["paths"]["/api/questions"]["post"]
    schema = post["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert set(schema["required"]) >= {"mentor", "age", "email", "question", "consent"}
    assert "/api/questions/confirm" in doc["paths"]


def test_unknown_routes_are_404_json(relay):
    status, _, body = relay.request("GET", "/api/nothing")
    assert status == 404 and json.loads(body)["error"] == "not_found"


def test_links_in_e_mails_point_to_the_api_origin_when_it_is_not_the_site(tmp_path):
    from tests.conftest import RELAY_MENTORS, RelayHarness

    relay = RelayHarness(tmp_path / "r", RELAY_MENTORS, api_url="https://api.passerelle.example")
    relay.post_form(fields(), json_reply=True)
    text = read_email(relay.emails()[0]).get_body(("plain",)).get_content()
    assert "https://api.passerelle.example/api/questions/confirm?token=" in text
    relay.store.close()
