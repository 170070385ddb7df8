"""The moderation page in a real Chromium: sign-in, keyboard decisions, two moderators racing,
message texts shown as text, and axe-core finding no serious or critical violation."""

from __future__ import annotations

import email
import gzip
import re
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from conftest import MODERATOR_TOKENS, RelayServices
from relay.domain import Status
from relay.services.questions import Question
from relay.store.sqlite import SqliteStore

pytestmark = pytest.mark.browser

HOSTILE = (
    'Je veux devenir soudeuse. <img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
)


def ask(server, n: int, text: str, *, mentor="marie-tremblay", age=16) -> str:
    """A confirmed question in the queue (the form's path is covered by the journey test)."""
    q = server.relay.questions
    received = q.submit(
        Question(mentor=mentor, lang="fr", pseudonym=f"Jeune{n}", age=age, region="06",
                 situation="secondaire", email=f"jeune{n}.demo@example.org", question=text),
        client=f"203.0.113.{n}", idempotency_key=None,
    )  # fmt: skip
    mail = email.message_from_bytes(server.emails()[-1].read_bytes(), policy=policy.default)
    token = re.search(r"confirm\?token=(\S+)", mail.get_body(("plain",)).get_content()).group(1)
    q.confirm(token)
    return received.thread_id


def message_in(server, thread_id: str):
    """The thread's first message as stored now."""
    store = SqliteStore(server.data_dir / "relay.sqlite3")
    try:
        return store.list_messages(thread_id, now=datetime.now(UTC))[0]
    finally:
        store.close()


def sign_in(page, server, token: str) -> None:
    page.goto(f"{server.url}/moderation/")
    page.fill("#token", token)
    page.press("#token", "Enter")
    page.locator("#whoami").filter(has_text="moderator:").wait_for()


def test_sign_in_keeps_the_token_in_this_tab_only(moderated_server, browser):
    context = browser.new_context(locale="fr-CA")
    try:
        page = context.new_page()
        page.goto(f"{moderated_server.url}/moderation/")
        assert page.locator("meta[name=robots]").get_attribute("content").startswith("noindex")
        page.fill("#token", "forged-token")
        page.press("#token", "Enter")
        page.locator("#token-error").filter(has_text="inconnu").wait_for()
        assert page.locator("#workspace").is_hidden()

        sign_in(page, moderated_server, MODERATOR_TOKENS["bob"])
        assert page.evaluate("sessionStorage.length") == 1
        assert page.evaluate("localStorage.length") == 0 and context.cookies() == []
        page.reload()
        page.locator("#whoami").filter(has_text="moderator:bob").wait_for()  # same tab
        other = context.new_page()  # a new tab starts signed out
        other.goto(f"{moderated_server.url}/moderation/")
        assert other.locator("#login").is_visible() and other.locator("#workspace").is_hidden()
        page.click("#logout")
        assert page.evaluate("sessionStorage.length") == 0
        assert page.locator("#queue .queue-item").count() == 0  # nothing left on screen
        page.goto(f"{moderated_server.url}/en/moderation/")
        assert page.locator("html").get_attribute("lang") == "en"
        page.get_by_role("heading", name="Sign in").wait_for()
    finally:
        context.close()


def test_a_queue_that_cannot_load_says_so_and_is_not_left_busy(moderated_server, page):
    page.route(re.compile(r".*/queue$"), lambda route: route.abort())
    sign_in(page, moderated_server, MODERATOR_TOKENS["alice"])
    page.locator("#alert").filter(has_text="Impossible de joindre le relais").wait_for()
    # Assistive technologies would otherwise keep announcing the queue as loading.
    assert page.locator("#queue").get_attribute("aria-busy") is None


def test_keyboard_edit_and_reject_and_texts_shown_as_text(moderated_server, page, axe):
    server = moderated_server
    hostile = ask(server, 1, HOSTILE)
    plain = ask(server, 2, "Quel cégep offre la technique de génie civil? Appelez-moi 514-555-0199",
                age=22)  # fmt: skip
    sign_in(page, server, MODERATOR_TOKENS["alice"])
    page.locator("#queue .queue-item").nth(1).wait_for()

    assert axe(page) == []  # the signed-in page, a message shown

    # The first in the queue is the one with a phone number (higher priority): masked vs original.
    page.locator("#original").filter(has_text="514-555-0199").wait_for()
    assert "514-555-0199" not in page.locator("#masked").inner_text()
    assert page.locator("#detail-empty").is_hidden() and page.locator("#reject-form").is_hidden()
    assert page.locator("#flags").inner_text().strip() != ""

    # j / k move through the queue.
    current = page.locator("#queue .queue-item[aria-current=true]")
    page.keyboard.press("j")
    page.locator("#original").filter(has_text="soudeuse").wait_for()
    assert current.get_attribute("data-index") == "1"
    page.keyboard.press("k")
    page.locator("#original").filter(has_text="514-555-0199").wait_for()
    assert current.get_attribute("data-index") == "0"

    # e: edit; typing shortcut letters in the field triggers nothing; the edit is delivered.
    page.keyboard.press("e")
    page.fill("#edit-text", "")
    page.locator("#edit-text").type("Quel cégep offre la technique de génie civil? (a, r, x, j)")
    assert page.locator("#edit-form").is_visible() and page.locator("#status").inner_text() == ""
    page.click("#edit-form button[type=submit]")
    page.locator("#status").filter(has_text="modification").wait_for()
    edited = message_in(server, plain)
    assert edited.status == Status.APPROVED
    assert edited.delivered_text == "Quel cégep offre la technique de génie civil? (a, r, x, j)"

    # The hostile one is now selected: its markup is shown as text and never runs.
    page.locator("#original").filter(has_text="<img src=x").wait_for()
    assert page.locator("#detail img, #detail script, #queue img").count() == 0
    assert page.evaluate("window.pwned === undefined")

    # r: the reason picker (both languages), choose with the keyboard, Enter rejects.
    page.keyboard.press("r")
    page.locator("#reasons input").first.wait_for()
    assert page.locator("#reasons [lang=en]").count() >= 8
    page.keyboard.press("ArrowDown")  # second reason: off-topic
    assert axe(page) == []  # the picker open
    page.keyboard.press("Enter")
    page.locator("#status").filter(has_text="Refusé").wait_for()
    rejected = message_in(server, hostile)
    assert rejected.status == Status.REJECTED and rejected.reason == "off-topic"
    page.locator("#queue-count").filter(has_text="vide").wait_for()


def test_two_moderators_at_once_the_loser_is_told(moderated_server, browser):
    server = moderated_server
    thread = ask(server, 3, "Comment devenir technicienne en laboratoire médical au Québec?")
    alice, bob = browser.new_context(locale="fr-CA"), browser.new_context(locale="fr-CA")
    try:
        first, second = alice.new_page(), bob.new_page()
        for page, name in ((first, "alice"), (second, "bob")):
            sign_in(page, server, MODERATOR_TOKENS[name])
            page.locator("#original").filter(has_text="laboratoire").wait_for()
            # The full review (and its version) has arrived: nothing will refresh it now.
            page.locator("#history:not([aria-busy])").wait_for(state="attached")
        first.keyboard.press("x")  # alice escalates: the version bob saw is stale now
        first.locator("#status").filter(has_text="Deuxième lecture").wait_for()
        second.click("#approve")
        second.locator("#alert").filter(has_text="Une autre personne a déjà décidé").wait_for()
        message = message_in(server, thread)
        assert message.status == Status.PENDING and message.escalated  # bob changed nothing
        # Bob's queue was reloaded: now he can decide on what he sees.
        second.locator(".queue-item .badge-escalated").wait_for()
        second.click("#approve")
        second.locator("#status").filter(has_text="Approuvé").wait_for()
        first.click("#approve")
        first.locator("#alert").filter(has_text="approuvé").wait_for()
        assert message_in(server, thread).status == Status.APPROVED
    finally:
        alice.close()
        bob.close()


def test_undeliverable_e_mails_are_shown_above_the_queue_and_can_be_resent(
    moderated_server, page, axe, tmp_path
):
    server = moderated_server
    ask(server, 4, "Quelle formation pour devenir électricienne en construction?")
    sign_in(page, server, MODERATOR_TOKENS["alice"])
    page.locator("#queue .queue-item").first.wait_for()
    assert page.locator("#undeliverable").is_hidden()  # nothing undeliverable: no section

    # A worker on the same SQLite file approves a question; the mentor's address bounces.
    store = SqliteStore(server.data_dir / "relay.sqlite3")
    try:
        worker = RelayServices(store, tmp_path / "worker")
        worker.now = datetime.now(UTC) - timedelta(hours=2)
        failing = worker.ask(text="Je veux devenir machiniste. Quel DEP choisir près de Montréal?")
        worker.mailer.refuse = {"marie-tremblay@example.org"}
        worker.moderation.approve(failing.id, version=failing.version, actor="moderator:bob")
        worker.delivery.drain()
        [alert] = worker.moderation.undeliverable()
        assert alert.message.id == failing.id and alert.permanent
    finally:
        store.close()

    page.keyboard.press("u")  # reload: the section appears, above the queue
    section = page.locator("#undeliverable")
    section.locator(".alert-item").wait_for()
    assert section.get_by_role("heading", name="Courriels non livrés").is_visible()
    assert page.locator("#undeliverable-count").inner_text() == "1 courriel n'a pas pu être livré."
    assert page.locator("#undeliverable ~ .mod-columns #queue").count() == 1  # queue after it
    item = section.locator(".alert-item")
    assert item.get_attribute("data-message") == failing.id
    assert item.get_attribute("data-job") == alert.job.id
    assert item.locator(".kind").inner_text() == "Le message lui-même"
    assert item.locator(".state").inner_text().startswith("Refusé pour de bon")
    assert item.locator(".attempts").inner_text() == "1"
    assert item.locator(".recipient").inner_text() == "À la personne mentore"
    assert item.locator(".error").inner_text() == "MessageRejected"
    assert item.locator(".thread-id").inner_text() == failing.thread_id
    assert re.search(r"il y a \d+ (heure|minutes)", item.locator(".gave-up").inner_text())
    assert page.locator("#queue .queue-item").count() == 1  # approved: not in the queue

    # The thread's history: the attempt; no address, no message text.
    toggle = item.get_by_role("button", name="Afficher l'historique de la conversation")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    events = item.locator(".events li")
    events.filter(has_text="delivery_failed").wait_for()
    shown = section.inner_text()
    assert "@" not in shown and "machiniste" not in shown
    assert axe(page) == []  # the section and an open history
    item.get_by_role("button", name="Masquer l'historique de la conversation").click()
    assert item.locator(".events").is_hidden()

    # The address is fixed: resend. The e-mail goes once, the section goes away.
    before = len(server.emails())
    item.get_by_role("button", name="Renvoyer maintenant").click()
    page.locator("#status").filter(has_text="Remis en file").wait_for()
    section.wait_for(state="hidden")
    assert server.deliver() == 1
    assert len(server.emails()) == before + 1
    assert message_in(server, failing.thread_id).status == Status.DELIVERED


def test_never_indexed_never_linked(built_site):
    """/moderation/ is noindex, out of the sitemap and the search index, linked from nowhere."""
    for page in (built_site / "moderation" / "index.html", built_site / "en/moderation/index.html"):
        html = page.read_text(encoding="utf-8")
        assert '<meta name="robots" content="noindex, nofollow">' in html
        assert "data-pagefind-body" not in html
    assert "moderation" not in (built_site / "sitemap.xml").read_text(encoding="utf-8")
    fragments = list((built_site / "pagefind" / "fragment").glob("*.pf_fragment"))
    assert fragments and not any(b"/moderation/" in gzip.decompress(f.read_bytes())
                                 for f in fragments)  # fmt: skip
    link = re.compile(r'href="[^"]*/moderation/')
    linking = [
        p for p in built_site.rglob("*.html")
        if "moderation" not in p.parts and link.search(p.read_text("utf-8"))
    ]  # fmt: skip
    assert linking == []
