"""The SAM-transformed template created on moto's CloudFormation, and the relay run on it.

The stack creates the table, the site bucket, the functions (their handler and
environment), their roles, the SSM parameter with the site's origin and the
mail-events topic. moto cannot create the types in `tests.cfn.MOTO_CANNOT_CREATE`
(CloudFront, API Gateway v2, Cognito, SES, Secrets Manager, alarms, the
schedule, the SNS subscription): the test makes the secret, the SES identity
and the configuration set through moto's own service APIs and passes them in
their place. Then it calls, in this process, the handler each function of the
stack names, with that function's environment, as API Gateway, EventBridge
and SNS would: a whole question (submit, confirm, approve, deliver), then a
bounce that stops the next delivery and shows it to the moderators.
"""

from __future__ import annotations

import email
import importlib
import io
import json
import logging
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from pathlib import Path
from urllib.parse import unquote

import pytest
from relay.domain import MentorContact

from tests import aws
from tests.aws import LambdaContext, unique_name
from tests.cfn import ROOT, for_moto, translate

pytestmark = pytest.mark.aws

MENTOR_SLUG = "marie-tremblay"
QUESTION = "Bonjour! Quelles études mènent au génie civil, et où faire un stage?"
MODERATOR = {"sub": "0f1e2d3c-moderator", "cognito:groups": "[moderators]"}
CLOUDFRONT = "d111111abcdef8.cloudfront.net"  # stand-in: moto has no CloudFront in CloudFormation


@pytest.fixture
def relay_log():
    """The relay's log lines as Powertools writes them (JSON, with the Lambda context)."""
    from relay.aws.observability import logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    target = logging.getLogger(logger.name)
    saved = target.level, target.disabled
    target.addHandler(handler)
    target.setLevel(logging.INFO)
    target.disabled = False
    yield stream
    target.removeHandler(handler)
    target.setLevel(saved[0])
    target.disabled = saved[1]


def package() -> bytes:
    """A zip of functions/ as `sam build` lays it out (the code moto's Lambda stores)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((ROOT / "functions" / "relay").rglob("*.py")):
            archive.write(path, path.relative_to(ROOT / "functions").as_posix())
        for path in sorted((ROOT / "data").glob("*.yaml")):
            archive.write(path, f"data/{path.name}")
    return buffer.getvalue()


@dataclass
class Stack:
    name: str
    resources: dict[str, str]  # logical id -> physical id
    functions: dict[str, dict]  # logical id -> moto's function configuration
    sender_domain: str
    task_root: Path  # the package unzipped: what Lambda has at /var/task


@pytest.fixture
def stack(moto_server, built_site, monkeypatch, tmp_path) -> Iterator[Stack]:
    import relay.aws.handlers
    from aws_lambda_powertools.utilities import parameters

    s3 = moto_server.client("s3")
    artifacts = unique_name("artifacts")
    s3.create_bucket(
        Bucket=artifacts, CreateBucketConfiguration={"LocationConstraint": "ca-central-1"}
    )
    code = package()
    s3.put_object(Bucket=artifacts, Key="relay.zip", Body=code)
    task_root = tmp_path / "task"
    zipfile.ZipFile(io.BytesIO(code)).extractall(task_root)

    domain = f"{unique_name('relais')}.example.org"
    sesv2 = moto_server.client("sesv2")
    sesv2.create_email_identity(EmailIdentity=domain)
    configuration_set = unique_name("mail")
    sesv2.create_configuration_set(ConfigurationSetName=configuration_set)
    secret = moto_server.client("secretsmanager").create_secret(
        Name=unique_name("relay-secret"), SecretString=unique_name("signing-key")
    )["ARN"]
    alarms = moto_server.client("sns").create_topic(Name=unique_name("alarms"))["TopicArn"]
    api = unique_name("api")

    template, _removed = for_moto(
        translate(f"s3://{artifacts}/relay.zip"),
        {
            "RelaySecret": secret,
            "MailConfigurationSet": configuration_set,
            "SenderIdentity": domain,
            "SiteDistribution.DomainName": CLOUDFRONT,
            "RelayApi": api,
        },
    )
    name = unique_name("passerelle")
    cfn = moto_server.client("cloudformation")
    cfn.create_stack(
        StackName=name,
        TemplateBody=json.dumps(template),
        Capabilities=["CAPABILITY_IAM"],
        Parameters=[
            {"ParameterKey": key, "ParameterValue": value}
            for key, value in {
                "SenderDomain": domain,
                "SenderAddress": f"relais@{domain}",
                "AuthDomainPrefix": "passerelle-test",
                "AlarmTopicArn": alarms,
            }.items()
        ],
    )
    described = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert described["StackStatus"] == "CREATE_COMPLETE", described.get("StackStatusReason")
    resources = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
    }
    lam = moto_server.client("lambda")
    functions = {
        logical: lam.get_function_configuration(FunctionName=resources[logical])
        for logical in ("RelayFunction", "MaintenanceFunction", "MailEventsFunction")
    }
    for config in functions.values():  # the code runs here, in this process, not in moto:
        lam.delete_function(FunctionName=config["FunctionName"])  # (and moto's state dump
        # cannot serialise a Lambda function without a Docker daemon)
    # The site deploy puts the build's manifest in the stack's bucket; the relay reads it there.
    s3.upload_file(
        str(built_site / "relay" / "mentors.json"), resources["SiteBucket"], "relay/mentors.json"
    )
    parameters.clear_caches()
    monkeypatch.setattr(relay.aws.handlers, "_built", {})
    yield Stack(name, resources, functions, domain, task_root)
    from relay.aws.observability import logger

    logger.clear_state()  # the Lambda context stays on the logger after an invocation


def run(stack: Stack, logical: str, event: dict, monkeypatch):
    """Call the handler the stack's function names, with exactly that function's environment."""
    config = stack.functions[logical]
    for key, value in config["Environment"]["Variables"].items():
        monkeypatch.setenv(key, value.replace("/var/task", str(stack.task_root)))
    module, _, attr = config["Handler"].rpartition(".")
    handler = getattr(importlib.import_module(module), attr)
    return handler(event, LambdaContext(config["FunctionName"], config["FunctionArn"]))


def api_event(path: str, fields: dict, *, claims: dict | None = None, method: str = "POST"):
    host = CLOUDFRONT
    return aws.api_event(path, fields, host=host, origin=f"https://{host}", claims=claims,
                         method=method)  # fmt: skip


def http(stack, monkeypatch, path, fields=None, claims=None, method="POST"):
    event = api_event(path, fields or {}, claims=claims, method=method)
    result = run(stack, "RelayFunction", event, monkeypatch)
    return result["statusCode"], json.loads(result["body"])


def mails_to(moto_server, address: str) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(m["raw_data"].encode("utf-8"), policy=policy.default)
        for m in moto_server.sent_raw_emails()
        if address in m["destinations"]
    ]


def ask(stack, monkeypatch, moto_server, mentee: str) -> dict:
    """Submit and confirm a question; returns the message now pending, as moderators see it."""
    before = len(mails_to(moto_server, mentee))
    status, body = http(stack, monkeypatch, "/api/questions", {
        "mentor": MENTOR_SLUG, "lang": "fr", "pseudonym": "Camille", "age": "17", "region": "06",
        "situation": "secondaire", "email": mentee, "question": QUESTION, "consent": "yes",
        "website": "", "rendered_at": str(int(time.time() * 1000) - 30_000),
        "idempotency_key": unique_name("key"),
    })  # fmt: skip
    assert status == 202, body
    assert mails_to(moto_server, mentee)[before:] == [], "no request sends mail: the outbox does"
    report = run(stack, "MaintenanceFunction", {"task": "maintenance"}, monkeypatch)
    assert report["sent"] == 1, report  # the confirmation
    mail = mails_to(moto_server, mentee)[before]
    link = re.search(
        r"(\S+)/api/questions/confirm\?token=(\S+)", mail.get_body(("plain",)).get_content()
    )
    assert link.group(1) == f"https://{CLOUDFRONT}", "e-mailed links use the stack's site origin"
    status, body = http(
        stack, monkeypatch, "/api/questions/confirm", {"token": unquote(link.group(2))}
    )
    assert (status, body["status"]) == (200, "pending"), body
    status, body = http(stack, monkeypatch, "/api/moderation/queue", claims=MODERATOR, method="GET")
    assert status == 200, body
    [item] = [i for i in body["items"] if i["message"]["body"] == QUESTION][-1:]
    return item["message"]


def test_a_whole_question_runs_on_what_the_stack_created(
    stack, moto_server, monkeypatch, capsys, relay_log
):
    from relay.store.dynamodb import DynamoDBStore

    relay_env = stack.functions["RelayFunction"]["Environment"]["Variables"]
    assert relay_env["PASSERELLE_TABLE"] == stack.resources["RelayTable"]
    assert "PASSERELLE_SECRET" not in relay_env, "the secret is read at run time, not configured"
    mentor = f"{unique_name('mentor')}@example.org"  # invented; one per test (one moto per run)
    table = DynamoDBStore(stack.resources["RelayTable"])
    table.set_mentor_contact(MentorContact(slug=MENTOR_SLUG, email=mentor))  # invoke mentor-contact

    mentee = f"{unique_name('camille')}@example.org"
    message = ask(stack, monkeypatch, moto_server, mentee)
    status, body = http(stack, monkeypatch, f"/api/moderation/messages/{message['id']}/approve",
                        {"version": message["version"]}, claims=MODERATOR)  # fmt: skip
    assert (status, body["status"]) == (200, "approved"), body

    report = run(stack, "MaintenanceFunction", {"task": "maintenance"}, monkeypatch)
    assert report["sent"] == 2, report  # the question to the mentor, "passed on" to the mentee
    [to_mentor] = mails_to(moto_server, mentor)
    assert QUESTION in to_mentor.get_body(("plain",)).get_content()
    assert mentee not in to_mentor.as_string()
    assert to_mentor["From"].addresses[0].domain == stack.sender_domain

    printed = capsys.readouterr().out
    figures = [json.loads(line) for line in printed.splitlines() if '"_aws"' in line]
    names = {
        m["Name"] for f in figures for d in f["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]
    }
    assert {"QuestionsReceived", "QuestionsConfirmed", "MessagesApproved", "MessagesDelivered",
            "OldestPendingDeliverySeconds"} <= names, names  # fmt: skip
    logged = [json.loads(line) for line in relay_log.getvalue().splitlines()]
    assert any(line.get("function_name") == stack.resources["RelayFunction"] for line in logged)
    for personal in (mentee, mentor, QUESTION, "Camille"):
        assert personal not in printed and personal not in relay_log.getvalue()


def bounce_of(address: str, kind: str = "Permanent") -> dict:
    """What SNS hands the function for an SES bounce event of a configuration set."""
    notification = {
        "eventType": "Bounce",
        "bounce": {"bounceType": kind, "bounceSubType": "General",
                   "bouncedRecipients": [{"emailAddress": address}]},
        "mail": {"destination": [address]},
    }  # fmt: skip
    return {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": json.dumps(notification)}}]}


def test_a_bounce_stops_the_mail_to_that_address_and_moderators_see_it(
    stack, moto_server, monkeypatch, capsys
):
    from relay.store.dynamodb import DynamoDBStore

    mentor = f"{unique_name('mentor')}@example.org"
    DynamoDBStore(stack.resources["RelayTable"]).set_mentor_contact(
        MentorContact(slug=MENTOR_SLUG, email=mentor)
    )
    transient = run(stack, "MailEventsFunction", bounce_of(mentor, "Transient"), monkeypatch)
    assert transient["ignored"] == 1 and transient["bounce"] == 0
    counts = run(stack, "MailEventsFunction", bounce_of(mentor), monkeypatch)
    assert counts["bounce"] == 1

    message = ask(stack, monkeypatch, moto_server, f"{unique_name('camille')}@example.org")
    http(stack, monkeypatch, f"/api/moderation/messages/{message['id']}/approve",
         {"version": message["version"]}, claims=MODERATOR)  # fmt: skip
    report = run(stack, "MaintenanceFunction", {"task": "maintenance"}, monkeypatch)
    assert (report["sent"], report["failed"]) == (1, 1), report  # only "passed on" went
    assert mails_to(moto_server, mentor) == [], "nothing more goes to a bounced address"

    status, body = http(stack, monkeypatch, "/api/moderation/undeliverable", claims=MODERATOR,
                        method="GET")  # fmt: skip
    assert status == 200
    [alert] = [a for a in body["items"] if a["message"]["id"] == message["id"]]
    assert alert["error"] == "address_bounce"
    printed = capsys.readouterr().out
    assert mentor not in printed and mentor not in json.dumps(body)
