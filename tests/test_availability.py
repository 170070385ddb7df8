"""The live availability document through the real resolver and a real SQLite file."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from conftest import RelayHarness
from relay.domain import Status
from test_relay_api import confirm_link, fields

MENTORS = {
    "marie-tremblay": {"name": "Marie Tremblay", "lang": "fr", "accepting": True, "capacity": 1,
                       "sector": "genie-civil", "region": "06",
                       "similar": ["paul-ferme", "jordan-lee", "lea-roy", "zoe-pause", "gone"]},
    "jordan-lee": {"name": "Jordan Lee", "lang": "en", "accepting": True, "capacity": 2},
    "lea-roy": {"name": "Léa Roy", "lang": "fr", "accepting": True},
    "zoe-pause": {"name": "Zoé Pause", "lang": "fr", "accepting": True},
    "paul-ferme": {"name": "Paul Fermé", "lang": "fr", "accepting": False},
}  # fmt: skip


@pytest.fixture
def relay(tmp_path):
    harness = RelayHarness(tmp_path / "relay", MENTORS)
    yield harness
    harness.store.close()


def fill(relay, mentor: str, email: str = "alex.mentee@example.org") -> None:
    """One confirmed question: it takes one of the mentor's places."""
    status, _, body = relay.post_form(fields(mentor=mentor, email=email), json_reply=True)
    assert status == 202, body
    token = confirm_link(relay)
    for path in relay.emails():
        path.unlink()
    status, _, _ = relay.request(
        "POST", "/api/questions/confirm", f"token={token}".encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Origin": relay.SITE_URL},
    )  # fmt: skip
    assert status == 200


def document(relay, headers=None):
    return relay.request("GET", "/api/availability.json", headers=headers)


def test_the_document_gives_each_mentor_the_state_a_question_would_meet(relay):
    fill(relay, "marie-tremblay")  # capacity 1: now full
    fill(relay, "jordan-lee")  # capacity 2: one place left
    relay.store.set_mentor_paused("zoe-pause", True, now=relay.questions.clock())
    status, headers, body = document(relay)
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert headers["cache-control"] == "public, max-age=60"
    assert json.loads(body) == {
        "mentors": {
            "marie-tremblay": "at_capacity",
            "jordan-lee": "accepting",
            "lea-roy": "accepting",
            "zoe-pause": "paused",
            "paul-ferme": "paused",
        }
    }
    # The relay refuses exactly those it does not publish as accepting.
    for slug, expected in (("marie-tremblay", 409), ("zoe-pause", 409), ("lea-roy", 202)):
        got, _, _ = relay.post_form(
            fields(mentor=slug, email=f"{slug}@example.org"), json_reply=True
        )
        assert got == expected, slug


def test_the_document_holds_no_personal_data_nor_counts(relay):
    fill(relay, "jordan-lee")
    _, _, body = document(relay)
    assert "example.org" not in body and "Alex" not in body and "Jordan" not in body
    assert set(json.loads(body)) == {"mentors"}
    assert set(json.loads(body)["mentors"].values()) <= {"accepting", "at_capacity", "paused"}


def test_an_unconfirmed_question_or_a_mentor_without_contact_is_told_apart(relay):
    relay.post_form(fields(mentor="marie-tremblay"), json_reply=True)  # not confirmed
    relay.store.remove_mentor_contact("lea-roy")
    states = json.loads(document(relay)[2])["mentors"]
    assert states["marie-tremblay"] == "accepting"
    assert states["lea-roy"] == "paused"


def test_an_unchanged_document_answers_304_to_its_etag(relay):
    _, headers, body = document(relay)
    etag = headers["etag"]
    assert etag.startswith('"') and body
    status, again, body = document(relay, {"If-None-Match": etag})
    assert (status, body, again["etag"]) == (304, "", etag)
    assert document(relay, {"If-None-Match": '"other"'})[0] == 200


def test_the_document_is_described_in_the_openapi_document(relay):
    _, _, body = relay.request("GET", "/api/openapi.json")
    doc = json.loads(body)
    get = doc["paths"]["/api/availability.json"]["get"]
    schema = json.dumps(get["responses"]["200"])
    assert "at_capacity" in schema and "paused" in schema


def test_a_full_mentor_refusal_lists_similar_mentors_who_can_answer(relay):
    fill(relay, "marie-tremblay")
    relay.store.set_mentor_paused("zoe-pause", True, now=relay.questions.clock())
    status, _, body = relay.post_form(
        fields(mentor="marie-tremblay", email="sam@example.org"), json_reply=True
    )
    answer = json.loads(body)
    assert (status, answer["error"]) == (409, "not_accepting")
    assert [m["slug"] for m in answer["similar"]] == ["jordan-lee", "lea-roy"]
    assert answer["similar"][1] == {
        "slug": "lea-roy", "name": "Léa Roy", "url": f"{relay.SITE_URL}/mentors/lea-roy/",
    }  # fmt: skip


def test_without_javascript_the_refusal_page_links_similar_mentors(relay):
    fill(relay, "marie-tremblay")
    relay.store.set_mentor_paused("zoe-pause", True, now=relay.questions.clock())
    status, _, page = relay.post_form(
        fields(mentor="marie-tremblay", lang="en", email="sam@example.org")
    )
    assert status == 409
    assert "cannot take a new question right now" in page
    assert f'href="{relay.SITE_URL}/en/mentors/jordan-lee/"' in page
    assert f'href="{relay.SITE_URL}/en/mentors/lea-roy/"' in page
    assert "paul-ferme/" not in page and "zoe-pause/" not in page
    assert relay.threads() == 1  # the refused question stored nothing


def test_the_document_is_cached_for_a_minute_then_follows_a_closed_conversation(relay):
    from relay.services.availability import AvailabilityMap

    fill(relay, "marie-tremblay")
    now = [relay.questions.clock()]
    service = AvailabilityMap(relay.store, relay.relay.manifest, relay.settings, lambda: now[0])
    assert service.document().states["marie-tremblay"] == "at_capacity"
    [thread_id] = [r[0] for r in relay.store._con().execute("SELECT id FROM threads")]
    [message] = relay.store.list_messages(thread_id, now=now[0])
    assert message.status == Status.PENDING
    relay.store.set_thread_state(thread_id, expected="open", new="closed", events=[], now=now[0])
    now[0] += timedelta(seconds=59)
    assert service.document().states["marie-tremblay"] == "at_capacity"  # still cached
    now[0] += timedelta(seconds=2)
    fresh = service.document()
    assert fresh.states["marie-tremblay"] == "accepting"
    assert service.similar_open("marie-tremblay")[0].slug == "jordan-lee"
