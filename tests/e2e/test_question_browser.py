"""A mentee asks a question in a real Chromium, with and without JavaScript, then confirms."""

from __future__ import annotations

import email
import re
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from relay.domain import AgeBand, Status
from relay.store.sqlite import SqliteStore

pytestmark = pytest.mark.browser

QUESTION = "Bonjour! Quelles études faut-il pour travailler dans votre domaine au Québec?"


def fill(page, *, age="16", question=QUESTION, email_address="camille.demo@example.org"):
    page.fill("#pseudonym", "Camille")
    page.fill("#age", age)
    page.select_option("#region", "06")
    page.select_option("#situation", "secondaire")
    page.fill("#email", email_address)
    page.fill("#question", question)
    page.check("#consent")


def confirmation_link(server) -> str:
    [path] = server.emails()
    mail = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    text = mail.get_body(("plain",)).get_content()
    return re.search(r"https?://\S+/api/questions/confirm\?token=\S+", text).group(0)


def pending(server):
    store = SqliteStore(server.data_dir / "relay.sqlite3")
    try:
        now = datetime.now(UTC)
        queue = store.queue(now=now)
        return [(m, store.get_thread(m.thread_id, now=now)) for m in queue]
    finally:
        store.close()


def confirm_in_browser(page, server, expected: str) -> None:
    page.goto(confirmation_link(server))
    assert pending(server) == []  # opening the link alone confirms nothing
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert expected in page.locator("h1").inner_text()


def test_with_javascript_errors_show_in_place_then_the_question_reaches_pending(live_server, page):
    # The form refuses what is filled faster than a person can: start the page's clock earlier.
    page.clock.set_system_time(datetime.now(UTC) - timedelta(seconds=30))
    page.goto(f"{live_server.url}/mentors/marie-tremblay/")
    fill(page, age="12")  # the browser's own checks pass; the relay's refuse
    page.click("#question-form button[type=submit]")
    page.locator("#age-error").filter(has_text="Tel-jeunes").wait_for()
    assert page.locator("#age").get_attribute("aria-invalid") == "true"
    assert page.input_value("#pseudonym") == "Camille"  # nothing typed was lost
    assert live_server.emails() == []

    page.fill("#age", "16")
    page.click("#question-form button[type=submit]")
    page.locator("#question-form-status").filter(has_text="Merci").wait_for()
    assert page.url.endswith("/mentors/marie-tremblay/")
    assert page.locator("#age-error").inner_text() == ""

    confirm_in_browser(page, live_server, "Adresse confirmée")
    [(message, thread)] = pending(live_server)
    assert message.status == Status.PENDING and message.body == QUESTION
    assert thread.mentor == "marie-tremblay" and thread.age_band == AgeBand.MINOR


def test_without_javascript_the_relay_answers_with_pages(live_server, browser, axe, page):
    context = browser.new_context(java_script_enabled=False, locale="en-CA")
    checker, page = page, context.new_page()  # axe-core needs a page with JavaScript
    try:
        page.goto(f"{live_server.url}/en/mentors/elijah-cohen/")
        fill(page, age="22", email_address="camille@localhost")  # valid for the browser only
        page.click("#question-form button[type=submit]")
        assert "/api/questions" in page.url
        assert "does not look valid" in page.locator("#email-error").inner_text()
        assert page.input_value("#pseudonym") == "Camille"
        assert page.input_value("#question") == QUESTION
        checker.set_content(page.content())
        assert axe(checker) == []  # the relay's own page passes axe-core (serious, critical)
        assert live_server.emails() == []
        # The relay's page carries the time it was shown: she takes more than 3 s to fix it.
        page.wait_for_timeout(3100)

        page.fill("#email", "camille.demo@example.org")
        page.check("#consent")
        page.click("#question-form button[type=submit]")
        assert page.url.endswith("/en/questions/sent/")

        confirm_in_browser(page, live_server, "Address confirmed")
        [(message, thread)] = pending(live_server)
        assert thread.mentor == "elijah-cohen" and thread.lang == "en"
        assert thread.age_band == AgeBand.ADULT
    finally:
        context.close()
