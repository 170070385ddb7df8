"""All my conversations: the service on every store, the API (form and JSON), the e-mailed list."""

from __future__ import annotations

import email
import json
import re
import time
from datetime import timedelta
from email import policy
from urllib.parse import urlencode

import pytest
from relay.domain import RateLimited, Side
from relay.domain.mentee_threads import ThreadStatus
from relay.domain.tokens import BadToken

ALEX = "alex.mentee@example.org"


def plain(path) -> str:
    """The plain-text part of an e-mail the local outbox wrote."""
    mail = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    return mail.get_body(("plain",)).get_content()


def threads_link(services, address=ALEX) -> str:
    services.delivery.drain()
    texts = [m.get_body(("plain",)).get_content() for m in services.mail_to(address)]
    texts = [t for t in texts if "my-conversations?token=" in t]
    return re.search(r"my-conversations\?token=(\S+)", texts[-1]).group(1)


def test_one_link_lists_every_conversation_of_the_address_newest_first(services):
    first = services.ask("marie-tremblay")
    services.now += timedelta(minutes=5)
    second = services.ask("jordan-lee", email="Alex.Mentee@Example.org")  # same address
    services.ask("marie-tremblay", email="sam.other@example.org")  # someone else
    threads = services.relay.mentee_threads
    assert threads.request(ALEX, client="203.0.113.7") is True
    # The link goes to the address the newest thread holds, as it was typed.
    listed = threads.listing(threads_link(services, "Alex.Mentee@Example.org"))
    assert [t.thread_id for t in listed] == [second.thread_id, first.thread_id]
    assert [t.mentor_name for t in listed] == ["Jordan Lee", "Marie Tremblay"]
    assert all(t.status == ThreadStatus.IN_MODERATION for t in listed)
    assert all("conversation?token=" in t.link for t in listed)


def test_the_list_follows_each_thread(services):
    message = services.ask("marie-tremblay")
    services.moderation.approve(message.id, version=message.version, actor="moderator:bob")
    services.delivery.drain()
    threads = services.relay.mentee_threads
    threads.request(ALEX, client="203.0.113.7")
    [line] = threads.listing(threads_link(services))
    assert line.status == ThreadStatus.WAITING_ANSWER
    services.conversations.erase(
        services.relay.links.token(message.thread_id, Side.MENTEE, "conversation", services.now)
    )
    assert threads.listing(threads_link(services)) == []  # erased: its key went with it


def test_an_unconfirmed_question_is_not_listed_and_the_answer_is_the_same(services):
    from relay.services.questions import Question

    threads = services.relay.mentee_threads
    services.questions.submit(
        Question(mentor="marie-tremblay", lang="fr", pseudonym="Alex", age=16, region="06",
                 situation="secondaire", email="never.confirmed@example.org",
                 question="Une question jamais confirmée, pour essayer."),
        client="203.0.113.7", idempotency_key=None,
    )  # fmt: skip
    services.delivery.drain()
    before = len(services.mailer.sent)
    assert threads.request("never.confirmed@example.org", client="203.0.113.7") is False
    assert threads.request("nobody@example.org", client="203.0.113.7") is False
    services.delivery.drain()
    assert len(services.mailer.sent) == before


def test_links_expire_and_cannot_be_forged(services):
    services.ask("marie-tremblay")
    threads = services.relay.mentee_threads
    threads.request(ALEX, client="203.0.113.7")
    token = threads_link(services)
    with pytest.raises(BadToken):
        threads.listing(token[:-2] + "xx")
    conversation = services.relay.links.token("t", Side.MENTEE, "conversation", services.now)
    with pytest.raises(BadToken):  # another purpose
        threads.listing(conversation)
    services.now += timedelta(days=8)
    with pytest.raises(BadToken):
        threads.listing(token)


def test_requests_are_rate_limited_per_address(local_services):
    threads = local_services.relay.mentee_threads
    for _ in range(3):
        threads.request("someone@example.org", client=f"203.0.113.{_}")
    with pytest.raises(RateLimited):
        threads.request("Someone@example.org", client="198.51.100.9")


def test_the_e_mail_holds_the_link_and_nothing_about_the_threads(local_services):
    message = local_services.ask("marie-tremblay")
    local_services.relay.mentee_threads.request(ALEX, client="203.0.113.7")
    local_services.delivery.drain()
    texts = [m.get_body(("plain",)).get_content() for m in local_services.mail_to(ALEX)]
    [text] = [t for t in texts if "my-conversations?token=" in t]
    assert "Marie" not in text and message.thread_id not in text
    assert "7" in text


# --- the API -----------------------------------------------------------------------------------


def ask_link(relay, fields, json_reply=False, headers=None):
    h = {"Content-Type": "application/x-www-form-urlencoded", "Origin": relay.SITE_URL,
         "Accept": "application/json" if json_reply else "text/html"}  # fmt: skip
    h.update(headers or {})
    return relay.request("POST", "/api/my-conversations", urlencode(fields).encode(), h)


def confirmed_question(relay, email=ALEX) -> None:
    relay.post_form(
        {"mentor": "marie-tremblay", "lang": "fr", "pseudonym": "Alex", "age": "16",
         "region": "06", "situation": "secondaire", "email": email,
         "question": "Quelles études pour devenir ingénieure civile?", "consent": "yes",
         "rendered_at": str(int(time.time() * 1000) - 30_000)},
    )  # fmt: skip
    [mail] = relay.emails()
    token = re.search(r"confirm\?token=([A-Za-z0-9_.=-]+)", plain(mail)).group(1)
    relay.questions.confirm(token)


def jobs(relay) -> int:
    return (
        relay.store._con()
        .execute("SELECT COUNT(*) FROM jobs WHERE kind = 'threads_link'")
        .fetchone()[0]
    )


def test_the_answer_is_the_same_whether_or_not_the_address_has_threads(relay):
    confirmed_question(relay)
    known = ask_link(relay, {"lang": "fr", "email": ALEX}, json_reply=True)
    unknown = ask_link(relay, {"lang": "fr", "email": "nobody@example.org"}, json_reply=True)
    assert known[0] == unknown[0] == 202 and known[2] == unknown[2]
    assert jobs(relay) == 1
    form_known = ask_link(relay, {"lang": "en", "email": ALEX})
    form_unknown = ask_link(relay, {"lang": "en", "email": "nobody@example.org"})
    assert form_known[0] == form_unknown[0] == 303
    assert form_known[1]["location"] == form_unknown[1]["location"]
    assert form_known[1]["location"].endswith("/en/my-conversations/link-sent/")


def test_the_list_page_shows_each_thread_and_never_the_address(relay):
    confirmed_question(relay)
    ask_link(relay, {"lang": "fr", "email": ALEX})
    mails = [p for p in relay.emails() if "my-conversations?token=" in plain(p)]
    token = re.search(r"my-conversations\?token=([A-Za-z0-9_.=-]+)",
                      plain(mails[-1])).group(1)  # fmt: skip
    status, headers, body = relay.request("GET", "/api/my-conversations", query=f"token={token}")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "Marie Tremblay" in body and "/api/conversation?token=" in body
    assert ALEX not in body and "alex.mentee" not in body
    status, _, body = relay.request(
        "GET", "/api/my-conversations", query=f"token={token}",
        headers={"Accept": "application/json"},
    )  # fmt: skip
    [line] = json.loads(body)["threads"]
    assert line["mentor"] == "marie-tremblay" and line["status"] == "in_moderation"
    assert relay.request("GET", "/api/my-conversations", query="token=nope")[0] == 400


def test_asked_from_a_conversation_page(relay):
    confirmed_question(relay)
    [thread_id] = [r[0] for r in relay.store._con().execute("SELECT id FROM threads")]
    token = relay.relay.links.token(thread_id, Side.MENTEE, "conversation", relay.relay.now())
    status, _, _ = ask_link(relay, {"lang": "fr", "token": token}, json_reply=True)
    assert status == 202 and jobs(relay) == 1
    mentor_link = relay.relay.links.token(thread_id, Side.MENTOR, "conversation", relay.relay.now())
    assert ask_link(relay, {"lang": "fr", "token": mentor_link}, json_reply=True)[0] == 400


@pytest.mark.parametrize(
    ("fields", "status"),
    [({"lang": "fr", "email": "pas une adresse"}, 422), ({"lang": "fr"}, 422),
     ({"lang": "fr", "email": ALEX, "token": "x"}, 422),
     ({"lang": "fr", "email": ALEX, "extra": "1"}, 400), ({"email": ALEX, "lang": "de"}, 400)],
)  # fmt: skip
def test_bad_requests_get_a_clear_4xx_and_queue_nothing(relay, fields, status):
    confirmed_question(relay)
    got, _, body = ask_link(relay, fields, json_reply=True)
    assert got == status and json.loads(body)["message"]
    assert jobs(relay) == 0


def test_a_refused_plain_post_shows_the_form_again(relay):
    status, headers, body = ask_link(relay, {"lang": "fr", "email": "pas une adresse"})
    assert status == 422 and 'id="threads-form"' in body and 'aria-invalid="true"' in body
    assert ask_link(relay, {"lang": "fr", "email": ALEX},
                    headers={"Origin": "https://evil.example"})[0] == 403  # fmt: skip
