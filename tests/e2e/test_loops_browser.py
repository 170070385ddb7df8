"""Becoming a mentor and all my conversations, in a real Chromium, with and without JavaScript."""

from __future__ import annotations

import email
import re
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from relay.domain.applications import ApplicationState
from relay.services.questions import Question
from relay.store.sqlite import SqliteStore

pytestmark = pytest.mark.browser

BIO = (
    "Exemple inventé. Je soude depuis six ans sur des chantiers et j'aime expliquer "
    "comment on apprend ce métier, du DEP au premier emploi."
)


def mails(server, needle: str) -> list[str]:
    found = []
    for path in server.emails():
        mail = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        text = mail.get_body(("plain",)).get_content()
        if needle in text:
            found.append(text)
    return found


def applications(server):
    store = SqliteStore(server.data_dir / "relay.sqlite3")
    try:
        return store.list_applications(now=datetime.now(UTC))
    finally:
        store.close()


def fill_application(page, *, bio=BIO, address="rosalie.demo@example.org"):
    page.fill("#name", "Rosalie Démo")
    page.fill("#occupation", "Soudeuse-monteuse")
    page.select_option("#sector", "soudage-usinage")
    page.select_option("#region", "06")
    page.fill("#years_experience", "6")
    page.check("#language-fr")
    page.check("#language-es")
    page.fill("#topics", "Le DEP en soudage\nTravailler sur un chantier")
    page.fill("#bio", bio)
    page.fill("#email", address)
    page.check("#consent")


def confirm_application(page, server) -> None:
    [text] = mails(server, "/api/applications/confirm?token=")
    page.goto(re.search(r"https?://\S+/api/applications/confirm\?token=\S+", text).group(0))
    assert applications(server)[0].state == ApplicationState.UNCONFIRMED  # opening confirms nothing
    page.get_by_role("button", name=re.compile("Confirm")).click()
    page.wait_for_load_state()
    assert applications(server)[0].state == ApplicationState.WAITING


def test_applying_with_javascript(live_server, page, axe):
    page.clock.set_system_time(datetime.now(UTC) - timedelta(seconds=30))
    page.goto(f"{live_server.url}/devenir-mentor/")
    assert axe(page, every_impact=True) == []
    fill_application(page, bio=BIO + " Écris-moi à rosalie@example.org.")
    page.click("#application-form button[type=submit]")
    page.locator("#bio-error").filter(has_text="coordonnées").wait_for()
    assert page.locator("#bio").get_attribute("aria-invalid") == "true"
    assert page.input_value("#occupation") == "Soudeuse-monteuse"  # nothing typed is lost
    assert applications(live_server) == []
    page.fill("#bio", BIO)
    page.click("#application-form button[type=submit]")
    page.locator("#application-form-status[data-state=sent]").wait_for()
    assert page.url.endswith("/devenir-mentor/")
    [application] = applications(live_server)
    assert application.languages == ("fr", "es") and application.email.startswith("rosalie")
    confirm_application(page, live_server)


def test_applying_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False, locale="en-CA")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/en/become-a-mentor/")
        # Passes the browser's own checks; the relay refuses a contact detail in a public text.
        fill_application(page, bio=BIO + " Write to me: rosalie@example.org.")
        page.click("#application-form button[type=submit]")
        page.wait_for_load_state()
        assert "/api/applications" in page.url
        assert page.locator("#bio-error").inner_text() != ""
        assert page.input_value("#occupation") == "Soudeuse-monteuse"
        assert applications(live_server) == []
        page.fill("#bio", BIO)
        page.check("#consent")
        page.click("#application-form button[type=submit]")
        page.wait_for_load_state()
        assert page.url.endswith("/en/become-a-mentor/sent/")
        assert len(applications(live_server)) == 1
        confirm_application(page, live_server)
    finally:
        context.close()


def ask_and_confirm(server, address: str, lang: str = "fr") -> None:
    server.relay.questions.submit(
        Question(
            mentor="marie-tremblay", lang=lang, pseudonym="Camille", age=16, region="06",
            situation="secondaire", email=address,
            question="Bonjour! Quelles études faut-il pour ton métier au Québec?",
        ),
        client="127.0.0.1", idempotency_key=None,
    )  # fmt: skip
    [text] = mails(server, "/api/questions/confirm?token=")
    server.relay.questions.confirm(re.search(r"confirm\?token=(\S+)", text).group(1))


@pytest.mark.parametrize("scripts", [True, False])
def test_all_my_conversations(live_server, browser, axe, scripts):
    ask_and_confirm(live_server, "camille.demo@example.org")
    context = browser.new_context(java_script_enabled=scripts, locale="fr-CA")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/mes-conversations/")
        if scripts:
            assert axe(page, every_impact=True) == []
        page.fill("#threads-email", "camille.demo@example.org")
        page.click("#threads-form button[type=submit]")
        if scripts:
            page.locator("#threads-form-status[data-state=sent]").wait_for()
            assert page.url.endswith("/mes-conversations/")
        else:
            page.wait_for_load_state()
            assert page.url.endswith("/mes-conversations/lien-envoye/")
        [text] = mails(live_server, "/api/my-conversations?token=")
        page.goto(re.search(r"https?://\S+/api/my-conversations\?token=\S+", text).group(0))
        assert "Marie Tremblay" in page.locator("main").inner_text()
        assert "camille.demo" not in page.content()
        if scripts:
            assert axe(page, every_impact=True) == []
        page.get_by_role("link", name=re.compile("Marie Tremblay")).click()
        page.wait_for_load_state()
        assert "/api/conversation?token=" in page.url
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_loops_relay_pages_and_e_mails_pass_axe_at_every_impact(live_server, page, axe, lang):
    """The relay's own pages of the two loops (form again, confirm, confirmed, list, list
    expired) and their two e-mails, in each language."""
    found = {}
    page.clock.set_system_time(datetime.now(UTC) - timedelta(seconds=30))  # not "too fast"
    page.goto(f"{live_server.url}/{'en/become-a-mentor' if lang == 'en' else 'devenir-mentor'}/")
    # A copy of the form has no script listener: it posts plainly, the relay answers a page.
    page.locator("#application-form").evaluate("f => f.replaceWith(f.cloneNode(true))")
    fill_application(page, bio=BIO + " rosalie@example.org")
    page.click("#application-form button[type=submit]")
    page.wait_for_load_state()
    found["form again"] = axe(page, every_impact=True)
    page.fill("#bio", BIO)
    page.check("#consent")
    page.click("#application-form button[type=submit]")  # the relay's page runs the script
    page.locator("#application-form-status[data-state=sent]").wait_for()
    [text] = mails(live_server, "/api/applications/confirm?token=")
    page.goto(re.search(r"https?://\S+/api/applications/confirm\?token=\S+", text).group(0))
    found["confirm"] = axe(page, every_impact=True)
    page.get_by_role("button", name=re.compile("Confirm")).click()
    page.wait_for_load_state()
    found["confirmed"] = axe(page, every_impact=True)
    ask_and_confirm(live_server, "camille.demo@example.org", lang)
    live_server.relay.mentee_threads.request("camille.demo@example.org", client="127.0.0.1")
    [text] = mails(live_server, "/api/my-conversations?token=")
    link = re.search(r"https?://\S+/api/my-conversations\?token=\S+", text).group(0)
    page.goto(link)
    found["list"] = axe(page, every_impact=True)
    page.goto(link + "x")
    found["list expired"] = axe(page, every_impact=True)
    for path in live_server.emails():
        mail = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        text = mail.get_body(("plain",)).get_content()
        if "applications/confirm?token=" in text or "my-conversations?token=" in text:
            page.set_content(mail.get_body(("html",)).get_content())
            found[f"e-mail {mail['Subject']}"] = axe(page, every_impact=True)
    assert len(found) == 7
    assert {name: v for name, v in found.items() if v} == {}
