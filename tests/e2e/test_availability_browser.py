"""Live availability in a real Chromium: a full mentor's profile closes its form before anyone
types and points to similar mentors who can answer; pills follow the relay's document."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from relay.domain import AgeBand, Event, Message, Side, Status, Thread, new_id

pytestmark = pytest.mark.browser


def take_places(server, mentor: str, count: int) -> None:
    """`count` confirmed questions: each takes one of the mentor's places."""
    store, now = server.relay.store, server.relay.clock()
    for n in range(count):
        thread = Thread(
            id=new_id(), mentor=mentor, lang="fr", pseudonym=f"Invente{n}",
            age_band=AgeBand.ADULT, region="06", situation="secondaire",
            mentee_email=f"invente{n}@example.org", created_at=now,
            expires_at=now + timedelta(days=3),
        )  # fmt: skip
        message = Message(
            id=new_id(), thread_id=thread.id, author=Side.MENTEE,
            body="Une question inventée pour le test, assez longue.",
            delivered_text="Une question inventée pour le test, assez longue.",
            status=Status.RECEIVED, created_at=now, updated_at=now, expires_at=thread.expires_at,
        )  # fmt: skip
        received = Event(thread_id=thread.id, action="received", actor="test", at=now)
        _, stored, _ = store.create_thread(
            thread, message, received, idempotency_key=new_id(), fingerprint="f", now=now
        )
        store.transition(
            stored.id, expected_status=stored.status, expected_version=stored.version,
            new_status=Status.CONFIRMED, now=now,
            events=[Event(thread_id=thread.id, action="confirmed", actor="test", at=now)],
        )  # fmt: skip


def manifest(server) -> dict:
    return json.loads((server.site_dir / "relay" / "mentors.json").read_text("utf-8"))["mentors"]


def test_a_full_mentors_profile_shows_the_closed_form_and_similar_mentors(live_server, page, axe):
    mentors = manifest(live_server)
    full = next(s for s, m in mentors.items() if m["accepting"] and len(m["similar"]) >= 2)
    first, second = mentors[full]["similar"][:2]
    take_places(live_server, full, mentors[full]["capacity"])
    live_server.relay.store.set_mentor_paused(first, True, now=live_server.relay.clock())

    page.goto(f"{live_server.url}/mentors/{full}/")
    closed = page.locator("#availability-closed")
    closed.wait_for(state="visible")
    assert "ne peut pas recevoir de nouvelle question pour l’instant" in closed.inner_text()
    assert page.locator("#question-form").is_hidden()
    assert page.locator("#question").is_disabled()
    shown = closed.locator(".similar-mentors li:visible")
    slugs = shown.evaluate_all("items => items.map(i => i.dataset.slug)")
    assert first not in slugs and slugs[0] == second and len(slugs) <= 3
    assert axe(page) == []  # the closed state meets the site's accessibility bar
    shown.first.locator("a").click()
    page.wait_for_url(f"**/mentors/{second}/")
    assert page.locator("#question-form").is_visible()  # this one can answer

    page.goto(f"{live_server.url}/en/mentors/{full}/")
    page.locator("#availability-closed").wait_for(state="visible")
    text = page.locator("#availability-closed h2").inner_text()
    assert text == "This person cannot take a new question right now."
    pill = page.locator(f".profile-head [data-availability='{full}']")
    assert pill.inner_text() == "Full for now"


def test_pills_on_listings_follow_the_live_state(live_server, page):
    mentors = manifest(live_server)
    full = next(s for s, m in mentors.items() if m["accepting"])
    take_places(live_server, full, mentors[full]["capacity"])
    page.goto(f"{live_server.url}/mentors/")
    pill = page.locator(f"[data-availability='{full}']").first
    page.wait_for_function(
        "slug => document.querySelector(`[data-availability='${slug}']`).dataset.state", arg=full
    )
    assert pill.inner_text() == "Complet pour l’instant"
    assert "closed" in pill.get_attribute("class")
    others = page.locator("[data-state='accepting']")
    assert others.count() >= 1 and others.first.inner_text() == "Reçoit des questions"


def test_without_javascript_the_profile_keeps_the_build_state(browser, live_server):
    context = browser.new_context(locale="fr-CA", java_script_enabled=False)
    page = context.new_page()
    try:
        mentors = manifest(live_server)
        full = next(s for s, m in mentors.items() if m["accepting"] and m["similar"])
        take_places(live_server, full, mentors[full]["capacity"])
        page.goto(f"{live_server.url}/mentors/{full}/")
        assert page.locator("#question-form").is_visible()  # the build said it accepts
        assert page.locator("#availability-closed").is_hidden()
        page.fill("#pseudonym", "Camille")
        page.fill("#age", "17")
        page.select_option("#region", "06")
        page.select_option("#situation", "secondaire")
        page.fill("#email", "camille.demo@example.org")
        page.fill("#question", "Bonjour! Quelles études faut-il pour faire ton métier?")
        page.check("#consent")
        page.click("#question-form button[type=submit]")
        page.wait_for_load_state()
        similar = page.locator("#similar-mentors")
        assert "ne peut pas recevoir de nouvelle question" in similar.inner_text()
        first = mentors[full]["similar"][0]
        link = similar.locator(f"a[href$='/mentors/{first}/']")
        assert link.inner_text() == mentors[first]["name"]
    finally:
        context.close()


def test_a_mentor_who_fills_up_after_the_page_loaded_is_refused_with_links(live_server, page):
    from datetime import UTC, datetime

    mentors = manifest(live_server)
    full = next(s for s, m in mentors.items() if m["accepting"] and m["similar"])
    page.clock.set_system_time(datetime.now(UTC) - timedelta(seconds=30))
    page.goto(f"{live_server.url}/mentors/{full}/")
    page.wait_for_function("document.querySelector('[data-availability][data-state]')")
    assert page.locator("#question-form").is_visible()  # the document said: accepting
    take_places(live_server, full, mentors[full]["capacity"])  # meanwhile, others asked
    page.fill("#pseudonym", "Camille")
    page.fill("#age", "17")
    page.select_option("#region", "06")
    page.select_option("#situation", "secondaire")
    page.fill("#email", "camille.demo@example.org")
    page.fill("#question", "Bonjour! Quelles études faut-il pour faire ton métier?")
    page.check("#consent")
    page.click("#question-form button[type=submit]")
    links = page.locator("#question-similar a")
    links.first.wait_for()
    first = mentors[full]["similar"][0]
    assert links.first.inner_text() == mentors[first]["name"]
    assert links.first.get_attribute("href").endswith(f"/mentors/{first}/")
    assert "ne reçoit pas de questions" in page.locator("#question-form-status").inner_text()
