"""relay.aws pieces on their own: SES events read strictly, the suppression list in front of
the mailer, metrics that follow the audit log, run-time settings that name what is missing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from relay.aws import mail_events, runtime
from relay.aws.observability import MeteredStore
from relay.aws.suppression import (
    DELIVERY_HEADER,
    AddressUndeliverable,
    SuppressingMailer,
    address_key,
    mark,
)
from relay.domain import Event

from tests.conftest import MemoryMailer

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
SECRET = "secret-for-tests-only"


def sns(*notifications) -> dict:
    return {"Records": [{"Sns": {"Message": json.dumps(n)}} for n in notifications]}


def test_permanent_bounces_and_complaints_are_read_and_the_rest_is_left_alone():
    bounce = {"eventType": "Bounce", "bounce": {"bounceType": "Permanent",
              "bouncedRecipients": [{"emailAddress": "a@example.org"}]}}  # fmt: skip
    complained = {"complainedRecipients": [{"emailAddress": "b@example.org"}]}
    complaint = {"notificationType": "Complaint", "complaint": complained}
    assert mail_events.read(bounce) == [mail_events.Undeliverable("a@example.org", "bounce")]
    assert mail_events.read(complaint) == [mail_events.Undeliverable("b@example.org", "complaint")]
    assert mail_events.read({**bounce, "bounce": {"bounceType": "Transient"}}) == []
    assert mail_events.read({"eventType": "Delivery"}) == []


@pytest.mark.parametrize(
    ("notification", "says"),
    [
        ({"eventType": "Nonsense"}, "not an SES event notification"),
        ({"eventType": "Bounce", "bounce": {"bounceType": "Permanent"}}, "list of recipients"),
        ({"eventType": "Complaint", "complaint": {"complainedRecipients": [{"x": 1}]}},
         "without an e-mail address"),
    ],
)  # fmt: skip
def test_a_malformed_event_is_a_specific_error(notification, says):
    with pytest.raises(mail_events.NotAMailEvent, match=says):
        mail_events.read(notification)


def test_an_sns_record_without_json_is_refused(sqlite_store):
    with pytest.raises(mail_events.NotAMailEvent, match="JSON"):
        mail_events.record(sqlite_store, SECRET, {"Records": [{"Sns": {"Message": "{"}}]}, NOW)


def test_recorded_addresses_are_kept_as_salted_hashes_only(sqlite_store):
    bounce = {"eventType": "Bounce", "bounce": {"bounceType": "Permanent",
              "bouncedRecipients": [{"emailAddress": "Lea@Example.org "}]}}  # fmt: skip
    counts = mail_events.record(sqlite_store, SECRET, sns(bounce, {"eventType": "Send"}), NOW)
    assert counts == {"bounce": 1, "complaint": 0, "ignored": 1}
    key = address_key(SECRET, "lea@example.org")
    assert "lea" not in key.lower() and len(key) >= 32
    assert sqlite_store.undeliverable_reason(key, now=NOW) == "bounce"
    assert (
        sqlite_store.undeliverable_reason(address_key("other", "lea@example.org"), now=NOW) is None
    )
    with pytest.raises(ValueError, match="bounce, complaint"):
        mark(sqlite_store, SECRET, "x@example.org", "spam", NOW)


def message(to: str, delivery: bool):
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "Passerelle <relais@example.org>", to, "Objet"
    mail.set_content("Texte")
    if delivery:
        mail[DELIVERY_HEADER] = "job-1"
    return mail


def test_the_mailer_stops_a_delivery_to_a_marked_address_for_good(sqlite_store):
    inner = MemoryMailer()
    mailer = SuppressingMailer(inner, sqlite_store, SECRET, clock=lambda: NOW)
    mark(sqlite_store, SECRET, "gone@example.org", "complaint", NOW)
    with pytest.raises(AddressUndeliverable) as stopped:
        mailer.send(message("gone@example.org", delivery=True))
    assert stopped.value.final and stopped.value.code == "address_complaint"
    assert mailer.send(message("gone@example.org", delivery=False)) == "suppressed"
    mailer.send(message("here@example.org", delivery=True))
    assert [m["To"] for m in inner.sent] == ["here@example.org"]
    later = SuppressingMailer(inner, sqlite_store, SECRET, clock=lambda: NOW + timedelta(days=400))
    later.send(message("gone@example.org", delivery=True))  # a year on, it may work again
    assert len(inner.sent) == 2


class Recording:
    """A store double: writes that succeed or replay, to see what MeteredStore counts."""

    def create_thread(self, thread, message, event, **kw):
        return thread, message, kw.get("created", True)

    def transition(self, message_id, *, events, **kw):
        return message_id

    def fail(self, events):
        raise RuntimeError("conflict")


def event(action: str) -> Event:
    return Event(thread_id="t", action=action, actor="system", at=NOW)


def test_metrics_count_what_was_written_and_not_what_was_replayed():
    counted = []
    store = MeteredStore(Recording(), count=counted.append)
    store.create_thread("t", "m", event("received"), idempotency_key="k", fingerprint="f")
    store.create_thread("t", "m", event("received"), created=False)  # a retried submission
    store.transition("m", events=[event("address_confirmed"), event("queued")])
    with pytest.raises(RuntimeError):
        store.fail([event("approved")])
    assert counted == ["QuestionsReceived", "QuestionsConfirmed"]


def test_lambda_settings_name_what_is_missing():
    with pytest.raises(runtime.MissingSetting, match="PASSERELLE_SECRET_ARN"):
        runtime.settings({"PASSERELLE_STORE": "dynamodb"})
