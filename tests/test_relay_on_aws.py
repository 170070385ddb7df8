"""The Lambda entry point wired as template.yaml wires it: DynamoDB, SES, manifest on S3 (moto)."""

from __future__ import annotations

import email
import json
import logging
import re
import time
from datetime import UTC, datetime
from email import policy
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from relay.domain import MentorContact, Status
from relay.store.dynamodb import DynamoDBStore, create_table

from tests.aws import LambdaContext, api_event, unique_name

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.aws

SITE = "https://passerelle.example"
MENTEE = "camille.mentee@example.org"  # invented
MENTOR = "marie.mentor@example.org"
# What API Gateway's JWT authorizer passes on from a Cognito token (HTTP API: groups as text).
MODERATOR = {"sub": "0f1e2d3c-moderator", "cognito:groups": "[moderators]"}
OUTSIDER = {"sub": "9a8b7c6d-someone", "cognito:groups": "[]"}
CONTEXT = LambdaContext(
    "passerelle-RelayFunction", "arn:aws:lambda:ca-central-1:123456789012:function:relay"
)
QUESTION = "Bonjour! Quelles études mènent au génie civil, et où faire un stage?"


@pytest.fixture
def lambda_env(moto_server, monkeypatch):
    """What template.yaml gives the function, pointed at moto."""
    import relay.aws.handlers

    domain = f"{unique_name('relais')}.example"
    moto_server.client("sesv2").create_email_identity(EmailIdentity=domain)
    table = unique_name("relay")
    create_table(moto_server.client("dynamodb"), table)
    bucket = unique_name("site")
    s3 = moto_server.client("s3")
    s3.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ca-central-1"}
    )
    vocab = {
        name: yaml.safe_load((ROOT / "data" / f"{name}.yaml").read_text("utf-8"))
        for name in ("regions", "situations")
    }
    manifest = {
        "generated": "2026-11-28T12:00:00Z",
        "mentors": {"marie-tremblay": {"name": "Marie Tremblay", "lang": "fr", "accepting": True}},
        "regions": [str(r["code"]) for r in vocab["regions"]],
        "situations": [str(s["code"]) for s in vocab["situations"]],
    }
    s3.put_object(Bucket=bucket, Key="relay/mentors.json", Body=json.dumps(manifest).encode())
    for name, value in {
        "PASSERELLE_STORE": "dynamodb",
        "PASSERELLE_TABLE": table,
        "PASSERELLE_MAILER": "ses",
        "PASSERELLE_SENDER": f"Passerelle <relais@{domain}>",
        "PASSERELLE_SITE_URL": SITE,
        "PASSERELLE_MANIFEST": f"s3://{bucket}/relay/mentors.json",
        "PASSERELLE_SECRET": "test-secret-not-for-production",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(relay.aws.handlers, "_built", {})  # a cold start on this env
    store = DynamoDBStore(table)
    store.set_mentor_contact(MentorContact(slug="marie-tremblay", email=MENTOR))
    return store


def invoke(path: str, fields: dict, claims: dict | None = None) -> tuple[int, dict]:
    """POST as API Gateway delivers it; `claims` are what its JWT authorizer adds."""
    from relay.aws.handlers import http

    host = "abc123.execute-api.ca-central-1.amazonaws.com"
    event = api_event(path, fields, host=host, origin=SITE, claims=claims)
    result = http(event, CONTEXT)
    return result["statusCode"], json.loads(result["body"])


def mails_to(moto_server, address: str) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(m["raw_data"].encode("utf-8"), policy=policy.default)
        for m in moto_server.sent_raw_emails()
        if address in m["destinations"]
    ]


class Recorder(logging.Handler):
    """Keeps every record, with its structured extras, from the relay's loggers."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(f"{record.getMessage()} {record.__dict__}")


@pytest.fixture
def relay_logs():
    recorder = Recorder()
    loggers = [logging.getLogger(name) for name in ("passerelle-relay", "relay")]
    saved = [(logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:  # another test (a benchmark) may have quietened them
        logger.addHandler(recorder)
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
    yield recorder
    for logger, (level, disabled) in zip(loggers, saved, strict=True):
        logger.removeHandler(recorder)
        logger.setLevel(level)
        logger.disabled = disabled


def test_a_question_goes_through_lambda_into_dynamodb_and_out_through_ses(
    moto_server, lambda_env, relay_logs, capsys
):
    status, body = invoke(
        "/api/questions",
        {
            "mentor": "marie-tremblay",
            "lang": "fr",
            "pseudonym": "Camille",
            "age": "17",
            "region": "06",
            "situation": "secondaire",
            "email": MENTEE,
            "question": QUESTION,
            "consent": "yes",
            "website": "",
            "rendered_at": str(int(time.time() * 1000) - 30_000),
            "idempotency_key": unique_name("key"),
        },
    )
    assert status == 202, body
    assert mails_to(moto_server, MENTEE) == []  # the request queued it; the schedule sends it

    from relay.aws.handlers import maintenance

    assert maintenance({"task": "maintenance"}, CONTEXT)["sent"] == 1
    [mail] = mails_to(moto_server, MENTEE)
    text = mail.get_body(("plain",)).get_content()
    token = unquote(re.search(r"/api/questions/confirm\?token=(\S+)", text).group(1))
    assert MENTOR not in mail.as_string()

    status, body = invoke("/api/questions/confirm", {"token": token})
    assert status == 200, body
    assert body["status"] == "pending"

    [queued] = lambda_env.queue(now=datetime.now(UTC))
    assert queued.status == Status.PENDING and queued.body == QUESTION
    thread = lambda_env.get_thread(queued.thread_id, now=datetime.now(UTC))
    assert thread.mentee_email == MENTEE

    approve = f"/api/moderation/messages/{queued.id}/approve"
    status, body = invoke(approve, {"version": queued.version}, claims=OUTSIDER)
    assert status == 403, body
    status, body = invoke(approve, {"version": queued.version}, claims=MODERATOR)
    assert (status, body["status"]) == (200, "approved"), body

    report = maintenance({"task": "maintenance"}, CONTEXT)
    assert report["sent"] == 2, report  # the question to the mentor, the notice to the mentee
    [to_mentor] = mails_to(moto_server, MENTOR)
    assert QUESTION in to_mentor.get_body(("plain",)).get_content()
    assert MENTEE not in to_mentor.as_string()
    delivered = lambda_env.get_message(queued.id, now=datetime.now(UTC))
    assert delivered.status == Status.DELIVERED
    actions = [e.action for e in lambda_env.events(thread.id)]
    assert actions[0] == "received" and actions.count("delivered") == 1
    assert "passed_on_sent" in actions and len(mails_to(moto_server, MENTEE)) == 2

    printed = capsys.readouterr()
    logged = " ".join(relay_logs.lines) + printed.out + printed.err
    assert "question_received" in logged, "the relay logs what it did"
    for personal in (MENTEE, MENTOR, QUESTION, "Camille"):
        assert personal not in logged


@pytest.mark.parametrize("uptime", [0.5, 299.0, 10_000.0])
def test_the_s3_manifest_is_read_on_first_use_however_long_the_machine_has_been_up(
    moto_server, monkeypatch, uptime
):
    """time.monotonic() counts from boot: a fresh Lambda host or CI machine starts near zero."""
    import relay.manifest

    bucket = unique_name("site")
    moto_server.client("s3").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ca-central-1"}
    )
    body = {"mentors": {"marie-tremblay": {"name": "Marie Tremblay", "accepting": True}}}
    moto_server.client("s3").put_object(
        Bucket=bucket, Key="relay/mentors.json", Body=json.dumps(body).encode()
    )
    monkeypatch.setattr(relay.manifest.time, "monotonic", lambda: uptime)
    source = relay.manifest.ManifestSource(f"s3://{bucket}/relay/mentors.json")
    assert source.get().mentors["marie-tremblay"].accepting
