"""The whole journey in a real Chromium against the local server (site + relay, SQLite, outbox):
find a mentor, ask, confirm from the outbox, a moderator approves on /moderation/, the mentor
answers from the e-mailed link, the moderator approves, the mentee reads, replies, and erases."""

from __future__ import annotations

import email
import re
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from conftest import MODERATOR_TOKENS
from relay.domain import Status, ThreadState
from relay.store.sqlite import SqliteStore

pytestmark = pytest.mark.browser

MENTEE_EMAIL = "camille.demo@example.org"
QUESTION = "Bonjour! Quelles études faut-il pour devenir électricienne au Québec?"
ANSWER = "Bonjour Camille! Le DEP en électricité de construction, puis l'apprentissage."
REPLY = "Merci beaucoup, je vais en parler à ma conseillère d'orientation."


def mails(server) -> list:
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in server.emails()
    ]


def text_of(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def link_in(mail, path: str) -> str:
    return re.search(rf"https?://\S+{re.escape(path)}\?token=\S+", text_of(mail)).group(0)


def deliver(server) -> int:
    """What the maintenance worker does every few seconds: send the queued e-mails now."""
    return server.deliver()


def stored(server):
    store = SqliteStore(server.data_dir / "relay.sqlite3")
    try:
        now = datetime.now(UTC)
        [thread] = store.list_threads(now=now)
        return thread, store.list_messages(thread.id, now=now)
    finally:
        store.close()


def sign_in(page, server, token: str) -> None:
    page.goto(f"{server.url}/moderation/")
    page.fill("#token", token)
    page.click("#login-form button[type=submit]")
    page.locator("#whoami").filter(has_text="moderator:").wait_for()


def test_the_whole_journey(moderated_server, browser, axe):
    server = moderated_server
    mentee = browser.new_context(locale="fr-CA")
    moderator = browser.new_context(locale="fr-CA")
    mentor = browser.new_context(locale="fr-CA")
    try:
        # 1. The mentee finds a mentor in the directory and asks (the form wants a human pace).
        page = mentee.new_page()
        page.clock.set_system_time(datetime.now(UTC) - timedelta(seconds=30))
        page.goto(f"{server.url}/mentors/")
        page.get_by_role("link", name="Marie Tremblay").first.click()
        page.wait_for_url("**/mentors/marie-tremblay/")
        page.fill("#pseudonym", "Camille")
        page.fill("#age", "16")
        page.select_option("#region", "06")
        page.select_option("#situation", "secondaire")
        page.fill("#email", MENTEE_EMAIL)
        page.fill("#question", QUESTION)
        page.check("#consent")
        page.click("#question-form button[type=submit]")
        page.locator("#question-form-status").filter(has_text="Merci").wait_for()

        # 2. She confirms her address from the e-mail in the outbox.
        [confirmation] = mails(server)
        assert confirmation["To"] == MENTEE_EMAIL
        page.goto(link_in(confirmation, "/api/questions/confirm"))
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()

        # 3. A moderator sees it on /moderation/: minor, masked text and original; approves (a).
        desk = moderator.new_page()
        sign_in(desk, server, MODERATOR_TOKENS["alice"])
        desk.locator("#queue .queue-item").first.wait_for()
        desk.locator("#original").filter(has_text="électricienne").wait_for()
        assert desk.locator("#fact-age").inner_text().startswith("Mineur")
        assert MENTEE_EMAIL not in desk.content()
        desk.locator("#history").filter(has_text="premier message").wait_for()
        desk.keyboard.press("a")
        desk.locator("#status").filter(has_text="Approuvé").wait_for()
        assert deliver(server) == 2  # the question to the mentor, the notice to the mentee

        # 4. The mentor gets it by e-mail (never the mentee's address) and answers on the site.
        [to_mentor] = [m for m in mails(server) if m["To"] == "marie-tremblay@example.org"]
        [notice] = [m for m in mails(server) if m["Subject"] == "Ton message a été transmis"]
        assert notice["To"] == MENTEE_EMAIL and QUESTION not in text_of(notice)
        assert to_mentor["To"] == "marie-tremblay@example.org"
        assert MENTEE_EMAIL not in to_mentor.as_string()
        reply_page = mentor.new_page()
        reply_page.goto(link_in(to_mentor, "/api/conversation"))
        reply_page.get_by_text(QUESTION).wait_for()
        assert axe(reply_page) == []  # the relay's own pages meet the site's bar
        reply_page.fill("#text", ANSWER)
        reply_page.click("form[action$='/reply'] button[type=submit]")
        reply_page.locator("p[role=status]").wait_for()
        assert MENTEE_EMAIL not in reply_page.content()

        # 5. The moderator reloads (u), sees the answer with the thread's history, approves it.
        desk.keyboard.press("u")
        desk.locator("#masked").filter(has_text="DEP en électricité").wait_for()
        desk.locator("#history").filter(has_text="électricienne").wait_for()
        desk.keyboard.press("a")
        desk.locator("#status").filter(has_text="Approuvé").wait_for()
        desk.locator("#queue-count").filter(has_text="vide").wait_for()
        assert deliver(server) == 1

        # 6. The mentee reads the answer from her e-mail, replies, then erases the thread.
        to_mentee = mails(server)[-1]
        assert to_mentee["To"] == MENTEE_EMAIL
        assert "marie-tremblay@example.org" not in to_mentee.as_string()
        page.goto(link_in(to_mentee, "/api/conversation"))
        page.get_by_text(ANSWER).wait_for()
        assert axe(page) == []
        page.fill("#text", REPLY)
        page.click("form[action$='/reply'] button[type=submit]")
        page.locator("p[role=status]").wait_for()
        thread, messages = stored(server)
        assert [(m.author, m.status) for m in messages] == [
            ("mentee", Status.DELIVERED), ("mentor", Status.DELIVERED),
            ("mentee", Status.PENDING),
        ]  # fmt: skip

        desk.keyboard.press("u")  # her reply waits for a moderator...
        desk.locator("#original").filter(has_text="conseillère d'orientation").wait_for()

        page.check("#confirm")
        page.click("form[action$='/erase'] button[type=submit]")
        page.get_by_role("heading", name="Conversation effacée").wait_for()
        thread, messages = stored(server)
        assert thread.state == ThreadState.ERASED and thread.mentee_email is None
        assert all(m.body is None for m in messages)

        # ...and once the thread is erased there is nothing left to judge.
        desk.keyboard.press("u")
        desk.locator("#queue-count").filter(has_text="vide").wait_for()
        assert REPLY not in desk.content() and "Camille" not in desk.content()
    finally:
        for context in (mentee, moderator, mentor):
            context.close()
