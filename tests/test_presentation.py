"""The relay's presentation layer: its pages in the site's frame, its e-mails, Québec times, the
moderators' words, and what the Lambda package carries to render them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from relay import presentation
from relay.domain import Side
from relay.services.links import CONVERSATION, Links
from relay.services.questions import Question

from tests.conftest import ROOT
from tests.test_conversation import post
from tests.test_moderation import api, pending_question

SITE = "https://passerelle.example.org"


def text_of(mail: EmailMessage) -> str:
    return mail.get_body(("plain",)).get_content()


def html_of(mail: EmailMessage) -> str:
    return mail.get_body(("html",)).get_content()


# --- the renderer --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "title", "switch", "safety"),
    [("fr", "Confirme ton adresse", "English", "/securite/"),
     ("en", "Confirm your address", "Français", "/en/safety/")],
)  # fmt: skip
def test_a_page_has_the_site_frame_in_its_language(lang, title, switch, safety):
    html = presentation.render_page("confirm", lang, site_url=SITE, token="t<k>")
    assert f'<html lang="{lang}">' in html and f"<h1>{title}</h1>" in html
    assert f'href="{SITE}/theme/css/site.css"' in html  # the site's own stylesheet
    assert 'class="skip-link" href="#main"' in html and 'class="site-header"' in html
    assert f'lang-switch" href="{SITE}/' in html and f">{switch}</a>" in html
    assert f'href="{SITE}{safety}"' in html  # footer and next steps lead to the safety page
    assert 'class="next-steps"' in html and 'name="robots" content="noindex' in html
    assert 'rel="canonical"' not in html  # behind a link: nothing to index
    assert 'value="t&lt;k&gt;"' in html and 'action="/api/questions/confirm"' in html


def test_times_are_quebec_time_written_as_people_write_them():
    winter = datetime(2026, 12, 5, 19, 5, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 12, 30, tzinfo=UTC)
    assert presentation.format_when(winter, "fr") == "5 décembre 2026 à 14 h 05"
    assert presentation.format_when(winter, "en") == "December 5, 2026 at 2:05\u202fp.m."
    assert presentation.format_when(summer, "fr") == "1 juillet 2026 à 08 h 30"  # EDT


def test_without_compiled_catalogs_the_po_files_are_read(tmp_path):
    """A fresh checkout (or a package built before compiling) still speaks French."""
    folder = tmp_path / "translations"
    shutil.copytree(ROOT / "theme" / "translations", folder)
    for mo in folder.glob("*/LC_MESSAGES/*.mo"):
        mo.unlink()
    catalogs = presentation._Catalogs(folder)
    assert catalogs.get("fr").gettext("Erase for good") == "Effacer définitivement"
    assert catalogs.get("en").gettext("Erase for good") == "Erase for good"


def test_json_answers_and_pages_say_the_same_sentence():
    assert presentation.message("form_errors", "bad_token", "fr").startswith("Ce lien n'est pas")
    assert presentation.message("form_errors", "no-such-code", "en") == (
        "The form could not be read. Reload the page and try again."
    )


# --- the e-mails ---------------------------------------------------------------------------------


def ask_in(services, lang: str, mentor: str, text: str):
    """A confirmed question from a mentee who reads `lang`; its pending message."""
    received = services.questions.submit(
        Question(mentor=mentor, lang=lang, pseudonym="Alex", age=16, region="06",
                 situation="secondaire", email=f"alex.{lang}@example.org", question=text),
        client="203.0.113.7", idempotency_key=None,
    )  # fmt: skip
    services.delivery.drain()
    [confirmation] = services.mail_to(f"alex.{lang}@example.org")
    token = re.search(r"confirm\?token=(\S+)", text_of(confirmation)).group(1)
    services.questions.confirm(token)
    services.now += timedelta(seconds=1)  # what comes next comes later
    [message] = services.store.list_messages(received.thread_id, now=services.now)
    return confirmation, message


def later_messages(services, first) -> list:
    messages = services.store.list_messages(first.thread_id, now=services.now)
    return [m for m in messages if m.id != first.id]


QUESTION = "Bonjour! Quelles études <b>pour</b> devenir ingénieure? Mon cell: 514 555 0199."


@pytest.mark.parametrize(
    ("lang", "subject", "button"),
    [("fr", "Confirme ton adresse pour envoyer ta question", "Confirmer mon adresse"),
     ("en", "Confirm your address to send your question", "Confirm my address")],
)  # fmt: skip
def test_the_confirmation_quotes_the_question_back_to_its_author(
    local_services, lang, subject, button
):
    confirmation, _ = ask_in(local_services, lang, "marie-tremblay", QUESTION)
    assert confirmation["Subject"] == subject and confirmation["Content-Language"] == lang
    assert "> " + QUESTION in text_of(confirmation)  # the mentee's own text, to the mentee
    html = html_of(confirmation)
    assert "Quelles études &lt;b&gt;pour&lt;/b&gt;" in html and "<b>pour" not in html
    assert f">{button}</a>" in html and "/api/questions/confirm?token=" in html
    assert f'<html lang="{lang}">' in html


def test_the_mentor_gets_the_masked_question_and_never_the_address(local_services):
    _, message = ask_in(local_services, "fr", "jordan-lee", QUESTION)
    local_services.moderation.approve(message.id, version=message.version, actor="moderator:a")
    local_services.delivery.drain()
    [mail] = local_services.mail_to("jordan-lee@example.org")
    assert mail["Subject"] == "A new question for you on Passerelle"  # the mentor's language
    text, html = text_of(mail), html_of(mail)
    for part in (text, html, mail.as_string()):
        assert "alex.fr@example.org" not in part and "514 555 0199" not in part
    assert "Alex (aged 14 to 17, region: Montréal, In high school)" in text
    assert "This person is a minor." in text and "/api/mentors/pause?token=" in text
    assert "/api/conversation?token=" in html and ">Answer on Passerelle</a>" in html


def test_the_mentee_is_told_the_question_passed_without_it_being_quoted(local_services):
    _, message = ask_in(local_services, "fr", "marie-tremblay", QUESTION)
    local_services.moderation.approve(message.id, version=message.version, actor="moderator:a")
    local_services.delivery.drain()
    notice = local_services.mail_to("alex.fr@example.org")[-1]
    assert notice["Subject"] == "Ton message a été transmis"
    assert "Marie Tremblay" in text_of(notice) and "Quelles études" not in text_of(notice)
    assert "Bonjour Alex," in text_of(notice) and "/api/conversation?token=" in text_of(notice)


def test_the_answer_reaches_the_mentee_with_the_link_back(local_services):
    _, message = ask_in(local_services, "en", "marie-tremblay", QUESTION)
    local_services.moderation.approve(message.id, version=message.version, actor="moderator:a")
    local_services.delivery.drain()
    link = re.search(r"conversation\?token=(\S+)", text_of(
        local_services.mail_to("marie-tremblay@example.org")[0])).group(1)  # fmt: skip
    local_services.now += timedelta(minutes=5)
    local_services.conversations.reply(link, "Un DEC puis un bac en génie.", None)
    [answer] = later_messages(local_services, message)
    local_services.moderation.approve(answer.id, version=answer.version, actor="moderator:a")
    local_services.delivery.drain()
    mail = local_services.mail_to("alex.en@example.org")[-1]
    assert mail["Subject"] == "You have an answer on Passerelle"
    assert "Marie Tremblay answered you:" in text_of(mail)
    assert "> Un DEC puis un bac en génie." in text_of(mail)
    assert "marie-tremblay@example.org" not in mail.as_string()  # nor the mentor's address


def test_a_refused_first_question_explains_how_to_ask_again(local_services):
    _, message = ask_in(local_services, "fr", "marie-tremblay", QUESTION)
    local_services.moderation.reject(
        message.id, version=message.version, actor="moderator:a", reason="contact-details"
    )
    local_services.delivery.drain()
    mail = local_services.mail_to("alex.fr@example.org")[-1]
    text = " ".join(text_of(mail).split())
    assert mail["Subject"] == "Ton message n'a pas été transmis"
    assert "Retire ces coordonnées" in text  # the reason, in French, saying tu
    assert "Tu peux en poser une nouvelle" in text
    assert "http://127.0.0.1:8000/mentors/marie-tremblay/" in text  # ask again, there
    assert "http://127.0.0.1:8000/mentors/ " in text + " "  # or another mentor
    assert ">Poser une nouvelle question</a>" in html_of(mail)


def test_a_refused_reply_links_back_to_the_conversation(local_services):
    _, message = ask_in(local_services, "en", "marie-tremblay", QUESTION)
    local_services.moderation.approve(message.id, version=message.version, actor="moderator:a")
    local_services.delivery.drain()
    link = re.search(r"conversation\?token=(\S+)", text_of(
        local_services.mail_to("alex.en@example.org")[-1])).group(1)  # fmt: skip
    local_services.now += timedelta(minutes=5)
    local_services.conversations.reply(link, "Et pour le salaire, combien gagnes-tu?", None)
    [reply] = later_messages(local_services, message)
    local_services.moderation.reject(
        reply.id, version=reply.version, actor="moderator:a", reason="off-topic"
    )
    local_services.delivery.drain()
    mail = local_services.mail_to("alex.en@example.org")[-1]
    assert mail["Subject"] == "Your message was not passed on"
    assert "You can write a new message from the conversation:" in text_of(mail)
    assert "/api/conversation?token=" in text_of(mail)


# --- moderators -----------------------------------------------------------------------------------


def test_moderators_read_flags_in_words_and_names_in_their_language(flow):
    from tests.test_relay_api import fields

    flow.post_form(fields(question="Texte-moi au 514 555 0199, je peux te payer pour ton aide!"),
                   json_reply=True)  # fmt: skip
    assert _confirm_all(flow)
    status, _, body = flow.request(
        "GET", "/api/moderation/queue", headers={
            "Accept": "application/json", "Accept-Language": "en",
            "Authorization": "Bearer alice-token-for-tests-only"},
    )  # fmt: skip
    [item] = json.loads(body)["items"]
    thread, message = item["thread"], item["message"]
    assert (
        thread["mentor_name"] == "Marie Tremblay" and thread["situation_name"] == "In high school"
    )
    assert "Contact details hidden (phone number)" in message["flag_names"]
    assert "Money, gifts" in message["flag_names"]
    assert len(message["flag_names"]) == len(message["flags"])
    status, french = api(flow, "GET", "/api/moderation/queue")  # no language asked: French
    assert french["items"][0]["thread"]["situation_name"] == "Au secondaire"


def _confirm_all(flow) -> bool:
    from tests.test_relay_api import confirm_link

    form = {"Content-Type": "application/x-www-form-urlencoded", "Origin": flow.SITE_URL}
    status, _, _ = flow.request("POST", "/api/questions/confirm",
                                f"token={confirm_link(flow)}".encode(), form)  # fmt: skip
    return status == 200


# --- pages through the resolver ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "title"), [("fr-CA,fr;q=0.9", "Page introuvable"), ("en-CA,en", "Page not found")]
)
def test_a_person_who_follows_a_broken_relay_link_gets_a_real_404(relay, accept, title):
    status, headers, html = relay.request(
        "GET", "/api/conversations", headers={"Accept": "text/html", "Accept-Language": accept}
    )
    assert status == 404 and headers["content-type"].startswith("text/html")
    assert f"<h1>{title}</h1>" in html and 'class="next-steps"' in html
    status, headers, body = relay.request("GET", "/api/conversations")  # a program: JSON
    assert status == 404 and json.loads(body)["error"] == "not_found"


def test_a_link_that_does_not_work_says_where_to_go_on(relay):
    status, _, html = relay.request(
        "GET", "/api/conversation", query="token=forged", headers={"Accept-Language": "en"}
    )
    assert status == 400 and "<h1>This link does not work</h1>" in html
    assert 'href="http://127.0.0.1:8000/en/mentors/"' in html  # the directory
    assert 'href="/api/conversation?lang=fr"' in html  # the same page, in French


def test_after_erasing_the_page_leads_back_to_the_mentor(flow):
    item = pending_question(flow)
    token = Links(flow.settings).token(item["thread"]["id"], Side.MENTEE, CONVERSATION,
                                       flow.questions.clock())  # fmt: skip
    status, _, html = post(flow, "/api/conversation/erase", {"token": token, "confirm": "yes"})
    assert status == 200 and "<h1>Conversation effacée</h1>" in html
    assert 'href="http://127.0.0.1:8000/mentors/marie-tremblay/"' in html
    assert "Retour au profil de Marie Tremblay" in html
    assert 'href="http://127.0.0.1:8000/securite/"' in html


# --- the Lambda package --------------------------------------------------------------------------


def test_the_function_package_renders_from_its_own_copy(tmp_path):
    """What `sam build` ships (functions/, links followed, catalogs not compiled) renders pages
    and e-mails in both languages without the repository."""
    package = tmp_path / "package"
    skip = shutil.ignore_patterns("*.mo", "__pycache__", "requirements.txt")
    shutil.copytree(ROOT / "functions", package, symlinks=False, ignore=skip)
    assert (package / "theme" / "templates" / "base.html").is_file()
    assert (package / "theme" / "translations" / "fr" / "LC_MESSAGES" / "messages.po").is_file()
    repository = [str(ROOT), str(ROOT / "functions"), str(ROOT / "plugins"), ""]
    script = (
        "import sys\n"
        f"sys.path = [{str(package)!r}] + [p for p in sys.path if p not in {repository!r}]\n"
        "from relay import presentation, vocab\n"
        f"vocab.use(__import__('pathlib').Path({str(package / 'data')!r}))\n"
        "assert presentation.__file__.startswith(sys.path[0]), presentation.__file__\n"
        "page = presentation.render_page('erased', 'fr', site_url='https://x')\n"
        "subject, text, html = presentation.render_mail('passed_on', 'en', site_url='https://x',"
        " pseudonym='Alex', mentor_name='M', link='https://x/l', link_days=30)\n"
        "print(page.count('Conversation effacée'), subject)\n"
    )
    done = subprocess.run([sys.executable, "-I", "-c", script], capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split(maxsplit=1) == ["2", "Your message was passed on\n"]


def test_a_refused_confirmation_post_is_a_page_for_a_person_and_json_for_a_program(relay):
    cross_site = {"Content-Type": "application/x-www-form-urlencoded",
                  "Origin": "https://elsewhere.example", "Accept-Language": "en"}  # fmt: skip
    status, headers, html = relay.request(
        "POST", "/api/questions/confirm", b"token=x", {**cross_site, "Accept": "text/html"}
    )
    assert status == 403 and headers["content-type"].startswith("text/html")
    assert "Questions can only be sent from the Passerelle site." in html
    assert 'class="next-steps"' in html
    status, _, body = relay.request(
        "POST", "/api/questions/confirm", b"token=x", {**cross_site, "Accept": "application/json"}
    )
    assert status == 403 and json.loads(body)["error"] == "forbidden_origin"


def test_the_language_switcher_keeps_the_reader_on_the_conversation(flow):
    from urllib.parse import quote

    item = pending_question(flow)
    token = Links(flow.settings).token(item["thread"]["id"], Side.MENTEE, CONVERSATION,
                                       flow.questions.clock())  # fmt: skip
    status, _, html = flow.request("GET", "/api/conversation", query=f"token={quote(token)}")
    assert status == 200 and "<h1>Ta conversation avec Marie Tremblay</h1>" in html
    assert (
        f'lang-switch" href="/api/conversation?token={quote(token, safe="")}&amp;lang=en"' in html
    )
    query = f"token={quote(token)}&lang=en"
    status, _, html = flow.request("GET", "/api/conversation", query=query)
    assert status == 200 and "<h1>Your conversation with Marie Tremblay</h1>" in html
    assert '<html lang="en">' in html and "&amp;lang=fr" in html
