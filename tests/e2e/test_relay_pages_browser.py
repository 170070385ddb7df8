"""Every page the relay serves and the HTML of every e-mail it sends, in a real Chromium, in both
languages: the site's frame, a way on from each page, and axe-core with every impact level
(minor and moderate too) finds nothing."""

from __future__ import annotations

import email
import re
from email import policy

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TEXTS = {
    "fr": {
        "mentee": "camille.fr@example.org", "mentor": "marie-tremblay", "prefix": "",
        "question": "Bonjour! Quelles études faut-il pour devenir électricienne au Québec?",
        "answer": "Bonjour Camille! Le DEP en électricité, puis l'apprentissage.",
        "help": "Je ne sais plus quoi faire, des fois j'ai envie de mourir. Quel métier choisir?",
        "form_title": "Ta question", "too_young": "Tel-jeunes", "erased": "Conversation effacée",
        "not_found": "Page introuvable", "broken": "Ce lien ne fonctionne pas",
    },
    "en": {
        "mentee": "camille.en@example.org", "mentor": "elijah-cohen", "prefix": "en/",
        "question": "Hello! What should I study to become an electrician in Québec?",
        "answer": "Hello Camille! A DEP in electricity, then an apprenticeship.",
        "help": "I do not know what to do anymore, sometimes I want to die. Which job to choose?",
        "form_title": "Your question", "too_young": "Kids Help Phone",
        "erased": "Conversation erased", "not_found": "Page not found",
        "broken": "This link does not work",
    },
}  # fmt: skip


def mails(server) -> list:
    found = [email.message_from_bytes(p.read_bytes(), policy=policy.default)
             for p in server.emails()]  # fmt: skip
    return found


def link_in(mail, path: str) -> str:
    text = mail.get_body(("plain",)).get_content()
    return re.search(rf"https?://\S+{re.escape(path)}\?token=\S+", text).group(0)


class Checked:
    """Every page and e-mail seen, with what axe found on it (every impact)."""

    def __init__(self, axe):
        self.axe = axe
        self.found: dict[str, list] = {}

    def page(self, name: str, page) -> None:
        assert page.locator("a.skip-link").count() == 1, name  # the site's frame
        assert page.locator("header.site-header a.brand").count() == 1, name
        assert page.locator("a.lang-switch").count() == 1, name
        assert page.locator("footer.site-footer a[href*='secur'], footer a[href*='safety']").count()
        assert page.locator("nav.next-steps a").count() >= 2, name  # a way on, always
        self.found[name] = self.axe(page, every_impact=True)

    def mail(self, name: str, mail, page) -> None:
        html = mail.get_body(("html",)).get_content()
        page.set_content(html)
        self.found[f"e-mail {name}: {mail['Subject']}"] = self.axe(page, every_impact=True)


def submit_form(page, **values) -> None:
    for field in ("pseudonym", "age", "email", "question"):
        if field in values:
            page.fill(f"#{field}", values[field])
    page.select_option("#region", "06")
    page.select_option("#situation", "secondaire")
    page.check("#consent")
    page.click("#question-form button[type=submit]")
    page.wait_for_load_state()


def send_again_if_too_fast(page) -> None:
    """Posted without its script, the site's form has no page time: the relay shows it again
    to be sent once more (as a person would, a few seconds later)."""
    if page.locator("#question-form-status[data-code=too_fast]").count():
        page.check("#consent")
        page.wait_for_timeout(3100)
        page.click("#question-form button[type=submit]")
        page.wait_for_load_state()


def moderate(server, decide) -> None:
    """A moderator decides on every pending message (`decide(review) -> "approve" | reason`)."""
    moderation = server.relay.moderation
    for review in moderation.queue(limit=50):
        m = review.message
        choice = decide(review)
        if choice == "approve":
            moderation.approve(m.id, version=m.version, actor="moderator:test")
        else:
            moderation.reject(m.id, version=m.version, actor="moderator:test", reason=choice)
    server.deliver()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_relay_page_and_e_mail_in_both_languages(live_server, browser, axe, lang):
    t, server, checked = TEXTS[lang], live_server, Checked(axe)
    locale = "fr-CA" if lang == "fr" else "en-CA"
    # A phone whose question form posts plainly (its script does not load): the relay answers
    # with its own pages. Scripts still run, so axe can.
    nojs = browser.new_context(locale=locale, viewport=PHONE)
    nojs.route("**/question-form.js", lambda route: route.abort())
    person = browser.new_context(locale=locale)
    try:
        # The question form again, posted without its script, on a phone: too young is refused.
        page = nojs.new_page()
        page.goto(f"{server.url}/{t['prefix']}mentors/{t['mentor']}/")
        submit_form(page, pseudonym="Camille", age="12", email=t["mentee"], question=t["question"])
        assert page.locator("h1").inner_text() == t["form_title"]
        assert t["too_young"] in page.locator("#age-error").inner_text()
        assert page.locator("#age").get_attribute("aria-invalid") == "true"
        assert page.locator("#question").input_value() == t["question"]  # what was typed stays
        box = page.locator("#consent").bounding_box()
        label = page.locator("label[for=consent]").bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24  # a target a thumb can hit
        assert 0 <= label["x"] - (box["x"] + box["width"]) <= 16  # the label sits beside it
        assert abs(label["y"] - box["y"]) <= 8
        checked.page("question form with errors", page)

        # Fixed on that page, sent again: the site's "question sent" page (not the relay's).
        page.fill("#age", "16")
        page.check("#consent")
        page.wait_for_timeout(3100)  # the form again counts its fill time from when it was shown
        page.click("#question-form button[type=submit]")
        page.wait_for_load_state()
        assert "/questions/" in page.url and "/api/" not in page.url

        # A question about self-harm: the relay's own page, help first.
        page.goto(f"{server.url}/{t['prefix']}mentors/{t['mentor']}/")
        submit_form(page, pseudonym="Sam", age="17", email="sam." + t["mentee"],
                    question=t["help"])  # fmt: skip
        # Posted at once from the static page (no page time without its script): the form
        # comes back to be sent again, and the help comes first all the same.
        assert page.locator("#help a[href^='tel:']").count() >= 3
        assert page.locator("#question").input_value() == t["help"]
        checked.page("question to send again, with help", page)
        send_again_if_too_fast(page)
        assert page.locator("#help a[href^='tel:']").count() >= 3
        assert page.locator("#question").count() == 0  # received: no form any more
        checked.page("question received, with help", page)

        # The confirmation e-mail, its page and the page after confirming.
        confirmation = next(m for m in mails(server) if m["To"] == t["mentee"])
        checked.mail("confirmation", confirmation, page)
        page = person.new_page()
        page.goto(link_in(confirmation, "/api/questions/confirm"))
        checked.page("confirm", page)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        checked.page("address confirmed", page)

        # Approved: the mentor's question, the mentee's notice; the mentor answers on the site.
        moderate(server, lambda review: "approve")
        mentor_mail = next(m for m in mails(server) if m["To"] == f"{t['mentor']}@example.org")
        checked.mail("to the mentor", mentor_mail, page)
        notice = [m for m in mails(server) if m["To"] == t["mentee"]][-1]
        checked.mail("passed on", notice, page)
        page.goto(link_in(mentor_mail, "/api/conversation"))
        checked.page("conversation, mentor", page)
        page.fill("#text", t["answer"])
        page.click("form[action$='/reply'] button[type=submit]")
        page.locator("p[role=status]").wait_for()
        checked.page("conversation, mentor, reply sent", page)

        # The answer reaches the mentee; she writes back, a moderator refuses that reply.
        moderate(server, lambda review: "approve")
        answer = [m for m in mails(server) if m["To"] == t["mentee"]][-1]
        checked.mail("answer to the mentee", answer, page)
        mentee_link = link_in(answer, "/api/conversation")
        page.goto(mentee_link)
        checked.page("conversation, mentee", page)
        send = page.locator("form[action$='/reply'] button[type=submit]")
        erase = page.locator("form[action$='/erase'] button[type=submit]")
        look = "e => getComputedStyle(e).backgroundColor + ' ' + getComputedStyle(e).color"
        assert send.evaluate(look) != erase.evaluate(look)  # erasing does not look like sending
        page.fill("#text", "Combien gagnes-tu? Tu as une auto?")
        send.click()
        page.locator("p[role=status]").wait_for()
        moderate(server, lambda review: "off-topic")
        refusal = [m for m in mails(server) if m["To"] == t["mentee"]][-1]
        checked.mail("reply refused", refusal, page)
        page.goto(mentee_link)
        checked.page("conversation, mentee, a reply refused", page)

        # The mentor's pause link: its page, then paused.
        page.goto(link_in(mentor_mail, "/api/mentors/pause"))
        checked.page("pause", page)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        checked.page("paused", page)
        page.locator("main form button[type=submit]").click()  # and back again
        page.wait_for_load_state()

        # Erasing without ticking the box, then for good.
        page.goto(mentee_link)
        page.evaluate("document.getElementById('confirm').removeAttribute('required')")
        page.locator("form[action$='/erase'] button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("#confirm").get_attribute("aria-invalid") == "true"
        checked.page("erase, box not ticked", page)
        page.check("#confirm")
        page.locator("form[action$='/erase'] button[type=submit]").click()
        page.get_by_role("heading", name=t["erased"]).wait_for()
        checked.page("erased", page)

        # A first question refused: the e-mail says how to ask again.
        page = nojs.new_page()
        page.goto(f"{server.url}/{t['prefix']}mentors/{t['mentor']}/")
        submit_form(page, pseudonym="Lou", age="19", email="lou." + t["mentee"],
                    question=t["question"] + " (2)")  # fmt: skip
        send_again_if_too_fast(page)
        lou = next(m for m in mails(server) if m["To"] == "lou." + t["mentee"])
        page = person.new_page()
        page.goto(link_in(lou, "/api/questions/confirm"))
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        moderate(server, lambda review: "too-vague")
        refused = [m for m in mails(server) if m["To"] == "lou." + t["mentee"]][-1]
        text = refused.get_body(("plain",)).get_content()
        assert f"/{t['prefix']}mentors/{t['mentor']}/" in text
        checked.mail("first question refused", refused, page)

        # A link that does not work, a page that does not exist.
        page.goto(f"{server.url}/api/conversation?token=forged")
        assert page.locator("h1").inner_text() == t["broken"]
        checked.page("broken link", page)
        page.goto(f"{server.url}/api/nowhere")
        assert page.locator("h1").inner_text() == t["not_found"]
        checked.page("404", page)

        # The check itself sees moderate problems (what the old pages had: h1, then h3).
        page.set_content('<html lang="en"><title>t</title><main><h1>a</h1><h3>b</h3></main>')
        assert "heading-order" in [v["id"] for v in axe(page, every_impact=True)]
    finally:
        nojs.close()
        person.close()
    assert len(checked.found) >= 20
    assert {name: found for name, found in checked.found.items() if found} == {}


@pytest.mark.parametrize(
    ("lang", "flag", "situation", "received"),
    [("fr", "Coordonnées masquées (numéro de téléphone)", "Au secondaire",
      r"^\d{1,2} \w+ \d{4} à \d{1,2} h \d{2} "),
     ("en", "Contact details hidden (phone number)", "In high school",
      r"^\w+ \d{1,2}, \d{4} at \d{1,2}:\d{2}\W?[ap]\.?m\.? ")],
)  # fmt: skip
def test_moderators_read_flags_in_words_names_and_quebec_times(
    moderated_server, browser, axe, lang, flag, situation, received
):
    from conftest import MODERATOR_TOKENS

    from tests.e2e.test_moderation_browser import ask

    ask(moderated_server, 3, "Texte-moi au 514 555 0199, je peux te payer pour tes conseils!")
    context = browser.new_context(locale="fr-CA" if lang == "fr" else "en-CA")
    try:
        page = context.new_page()
        page.goto(f"{moderated_server.url}/{TEXTS[lang]['prefix']}moderation/")
        page.fill("#token", MODERATOR_TOKENS["alice"])
        page.press("#token", "Enter")
        page.locator("#fact-mentor").filter(has_text="Marie Tremblay").wait_for()  # not a slug
        assert flag in page.locator("#flags").inner_text()
        assert "contact_phone" not in page.locator("#detail").inner_text()
        assert page.locator("#fact-situation").inner_text() == situation  # the page's language
        assert re.search(received, page.locator("#fact-received").inner_text())
        assert axe(page, every_impact=True) == []
    finally:
        context.close()
