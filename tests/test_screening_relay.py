"""Screening where the relay uses it: help shown at once to the author of a message about
self-harm or abuse, a detail split over two replies masked, the moderator's highlights."""

from __future__ import annotations

import json
from urllib.parse import unquote

from relay.screening import PLACEHOLDER, help_resources

from tests.test_conversation import approve_all, link, mails_to, page, post
from tests.test_moderation import api
from tests.test_relay_api import confirm_link, fields

DISTRESS_FR = "Je ne sais plus quoi faire, des fois j'ai envie de mourir. Quel métier choisir?"
DISTRESS_EN = "Honestly sometimes I want to die. Which trade pays well without university?"


def test_a_question_about_self_harm_gets_the_help_lines_in_the_json_answer(relay):
    status, _, body = relay.post_form(fields(question=DISTRESS_FR), json_reply=True)
    assert status == 202, body
    answer = json.loads(body)
    codes = [entry["code"] for entry in answer["help"]]
    assert codes == [r.code for r in help_resources("fr")]
    assert {"emergency", "988", "tel-jeunes", "kids-help-phone", "info-social"} <= set(codes)
    by_code = {entry["code"]: entry for entry in answer["help"]}
    assert by_code["988"]["call"] == "988" and by_code["988"]["text"] == "988"
    assert by_code["tel-jeunes"]["call_label"] == "1 800 263-2266"
    assert by_code["kids-help-phone"]["name"] == "Jeunesse, J'écoute"  # the author's language
    assert relay.threads() == 1  # stored like any question, for a moderator to read first


def test_the_help_lines_come_in_english_for_an_english_page(relay):
    _, _, body = relay.post_form(
        fields(question=DISTRESS_EN, mentor="jordan-lee", lang="en"), json_reply=True
    )
    names = [entry["name"] for entry in json.loads(body)["help"]]
    assert "Kids Help Phone" in names and "9-8-8: Suicide Crisis Helpline" in names


def test_an_ordinary_question_gets_no_help_list(relay):
    _, _, body = relay.post_form(
        fields(question="Les stages payés en génie, ça existe? Quel salaire au début?"),
        json_reply=True,
    )
    assert json.loads(body)["help"] == []


def test_without_javascript_the_sent_page_shows_the_help_lines(relay):
    status, headers, html = relay.post_form(fields(question=DISTRESS_FR))
    assert status == 200 and "location" not in headers
    assert 'href="tel:988"' in html and 'href="sms:5146001002"' in html
    assert "Info-Social 811" in html and "aide, maintenant" in html
    status, headers, _ = relay.post_form(fields(email="autre@example.org"))
    assert status == 303  # the ordinary question still goes to the static page


def first_answer(flow) -> str:
    """A confirmed question, approved, answered by the mentor and approved: the mentee's link."""
    flow.post_form(
        fields(question="Quelles études pour devenir ingénieure? Mon cell commence par 514 555"),
        json_reply=True,
    )
    form = {"Content-Type": "application/x-www-form-urlencoded", "Origin": flow.SITE_URL}
    status, _, _ = flow.request(
        "POST", "/api/questions/confirm", f"token={confirm_link(flow)}".encode(), form
    )
    assert status == 200
    approve_all(flow)
    mentor = link(mails_to(flow, "marie-tremblay@example.org")[0])
    answer = {"token": mentor, "text": "Il faut un DEC puis un bac en génie."}
    status, _, _ = post(flow, "/api/conversation/reply", answer)
    assert status == 303
    approve_all(flow)
    return link(mails_to(flow, "alex.mentee@example.org")[-1])


def test_a_number_split_over_two_messages_is_masked_in_the_second(flow):
    mentee = first_answer(flow)
    status, _, _ = post(flow, "/api/conversation/reply", {"token": mentee, "text": "0199 voilà"})
    assert status == 303
    _, queue = api(flow, "GET", "/api/moderation/queue")
    [item] = queue["items"]
    message = item["message"]
    assert message["body"] == "0199 voilà"
    assert message["delivered_text"] == f"{PLACEHOLDER} voilà"
    assert "contact_phone" in message["flags"]
    status, review = api(flow, "GET", f"/api/moderation/messages/{message['id']}")
    assert status == 200
    assert [(s["start"], s["end"], s["kind"]) for s in review["message"]["spans"]] == [
        (0, 4, "contact_phone")
    ]


def test_a_reply_about_abuse_sends_its_author_to_the_help_lines(flow):
    mentee = first_answer(flow)
    text = "Mon coach me harcèle depuis des mois, je ne sais pas à qui parler."
    status, headers, _ = post(flow, "/api/conversation/reply", {"token": mentee, "text": text})
    assert status == 303 and "help=1" in headers["location"]
    token = unquote(headers["location"].split("token=")[1].split("&")[0])
    status, _, html = flow.request("GET", "/api/conversation", query=f"token={token}&sent=1&help=1")
    assert status == 200 and 'id="help"' in html and 'href="tel:18006686868"' in html
    status, _, html = page(flow, mentee)
    assert 'id="help"' not in html  # only right after sending


def test_the_moderator_sees_masked_and_possible_spans_in_utf16_offsets(flow):
    flow.post_form(
        fields(question="🙂🙂 Écris-moi: julie@exemple.com, ou comme jul.ie22 peut-être?"),
        json_reply=True,
    )
    form = {"Content-Type": "application/x-www-form-urlencoded", "Origin": flow.SITE_URL}
    flow.request("POST", "/api/questions/confirm", f"token={confirm_link(flow)}".encode(), form)
    _, queue = api(flow, "GET", "/api/moderation/queue")
    message = queue["items"][0]["message"]
    body = message["body"]
    units = body.encode("utf-16-le")
    found = {
        s["kind"]: units[2 * s["start"] : 2 * s["end"]].decode("utf-16-le")
        for s in message["spans"]
    }
    assert found == {"contact_email": "julie@exemple.com", "contact_possible": "jul.ie22"}
