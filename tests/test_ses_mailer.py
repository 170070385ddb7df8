"""The SES v2 mailer against moto in server mode: what goes out, what never reaches a log."""

from __future__ import annotations

import email
import logging
from email.message import EmailMessage
from email.policy import default

import pytest
from relay.mail.ses import SesMailer, SesSendError
from relay.ports import Mailer

from tests.aws import unique_name

pytestmark = pytest.mark.aws

# Invented addresses on reserved example domains.
BODY = "Bonjour Amélie, voici ma question sur le génie civil : où étudier ?"


@pytest.fixture
def sender_domain(moto_server) -> str:
    domain = f"{unique_name('relais')}.example"
    moto_server.client("sesv2").create_email_identity(EmailIdentity=domain)
    return domain


def composed(sender: str, to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Passerelle <{sender}>"
    msg["To"] = to
    msg["Subject"] = "Nouvelle question de « Étoile-filante »"
    msg.set_content(BODY)
    msg.add_alternative(f"<p>{BODY}</p>", subtype="html")
    return msg


def stored(moto_server, message_id: str) -> dict:
    matches = [m for m in moto_server.sent_raw_emails() if m["id"] == message_id]
    assert len(matches) == 1, f"moto holds no message {message_id}"
    return matches[0]


def test_sends_the_composed_message_raw_and_intact(moto_server, sender_domain):
    mailer = SesMailer()
    assert isinstance(mailer, Mailer)

    message_id = mailer.send(composed(f"relais@{sender_domain}", "mentor@example.org"))

    raw = stored(moto_server, message_id)
    assert raw["source"] == f"relais@{sender_domain}"
    assert raw["destinations"] == ["mentor@example.org"]
    parsed = email.message_from_bytes(raw["raw_data"].encode("utf-8"), policy=default)
    assert parsed["Subject"] == "Nouvelle question de « Étoile-filante »"
    assert parsed.get_body(("plain",)).get_content().strip() == BODY
    assert BODY in parsed.get_body(("html",)).get_content()


def test_refusal_carries_the_ses_code_and_no_address(moto_server, caplog):
    mailer = SesMailer()
    before = len(moto_server.sent_raw_emails())
    with caplog.at_level(logging.INFO), pytest.raises(SesSendError) as refused:
        mailer.send(composed("relais@unverified.example", "mentee@example.org"))

    assert refused.value.code == "MessageRejected"
    assert "example" not in str(refused.value)
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    assert "mentee@example.org" not in caplog.text
    assert len(moto_server.sent_raw_emails()) == before


def test_logs_neither_addresses_nor_body(moto_server, sender_domain, caplog):
    with caplog.at_level(logging.DEBUG, logger="relay"):
        message_id = SesMailer().send(composed(f"relais@{sender_domain}", "mentor@example.org"))

    assert caplog.records, "the mailer says what it did"
    logged = caplog.text + " ".join(str(r.__dict__) for r in caplog.records)
    assert message_id in logged
    for secret in ("mentor@example.org", sender_domain, "génie civil", "Étoile"):
        assert secret not in logged


@pytest.mark.parametrize(
    ("sender", "to", "code"),
    [("", "mentor@example.org", "InvalidFrom"), ("relais@x.example", "", "NoRecipient")],
)
def test_malformed_message_is_refused_before_sending(moto_server, sender, to, code):
    msg = EmailMessage()
    if sender:
        msg["From"] = sender
    if to:
        msg["To"] = to
    msg["Subject"] = "x"
    msg.set_content("x")
    before = len(moto_server.sent_raw_emails())
    with pytest.raises(SesSendError) as refused:
        SesMailer().send(msg)
    assert refused.value.code == code
    assert len(moto_server.sent_raw_emails()) == before
