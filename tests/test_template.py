"""template.yaml: valid for cfn-lint and for the SAM translator (offline), least privilege."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import boto3
import pytest
from cfnlint.api import lint
from cfnlint.config import ManualArgs
from cfnlint.decode.decode import decode_str
from relay.store import dynamodb
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
REGIONS = ["ca-central-1"]  # where Passerelle deploys (data stays in Canada)
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def source() -> dict:
    template, errors = decode_str(TEMPLATE.read_text(encoding="utf-8"))
    assert not errors, errors
    return json.loads(json.dumps(template))


@pytest.fixture(scope="module")
def translated() -> dict:
    """The CloudFormation that SAM would deploy, produced without any AWS call.

    `sam package` replaces the local CodeUri with an S3 URI before the
    transform runs; we do the same with a placeholder.
    """
    template = source()
    assert template["Globals"]["Function"]["CodeUri"] == "functions/"
    template["Globals"]["Function"]["CodeUri"] = "s3://artifacts.example/relay.zip"
    session = boto3.Session(
        region_name=REGIONS[0], aws_access_key_id="offline", aws_secret_access_key="offline"
    )
    translator = Translator(
        managed_policy_map={"AWSLambdaBasicExecutionRole": BASIC_EXECUTION},
        sam_parser=Parser(),
        boto_session=session,
    )
    return translator.translate(template, parameter_values={}, get_managed_policy_map=dict)


def test_cfn_lint_finds_nothing_in_the_sam_template():
    config = ManualArgs(include_checks=["I"], regions=REGIONS)
    matches = lint(TEMPLATE.read_text(encoding="utf-8"), config=config)
    assert [str(m) for m in matches] == []


def test_the_translated_cloudformation_is_clean_too(translated):
    matches = lint(json.dumps(translated), config=ManualArgs(regions=REGIONS))
    assert [str(m) for m in matches] == []


def resources(template: dict, kind: str) -> dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def test_one_table_shaped_like_the_dynamodb_store():
    [table] = resources(source(), "AWS::DynamoDB::Table").values()
    props = table["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["KeySchema"] == dynamodb.KEY_SCHEMA
    assert sorted(props["AttributeDefinitions"], key=str) == sorted(dynamodb.ATTRIBUTES, key=str)
    [gsi] = props["GlobalSecondaryIndexes"]
    assert gsi["IndexName"] == dynamodb.GSI
    assert gsi["KeySchema"] == dynamodb.GSI_KEY_SCHEMA
    assert props["TimeToLiveSpecification"] == {
        "AttributeName": dynamodb.TTL_ATTRIBUTE,
        "Enabled": True,
    }
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"


def statements(translated: dict) -> list[tuple[str, dict]]:
    """Every inline policy statement of every role SAM generates."""
    found = []
    for name, role in resources(translated, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            statement = policy["PolicyDocument"]["Statement"]
            for s in statement if isinstance(statement, list) else [statement]:
                found.append((name, s))
    return found


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def test_function_policies_name_their_resources_and_actions(translated):
    found = statements(translated)
    assert found
    for role, statement in found:
        assert statement["Effect"] == "Allow", role
        for action in as_list(statement["Action"]):
            assert "*" not in action, (role, action)
        for resource in as_list(statement["Resource"]):
            assert resource != "*" and "*" not in json.dumps(resource), (role, resource)


def test_each_service_is_scoped_to_its_one_resource(translated):
    for _role, statement in statements(translated):
        actions = as_list(statement["Action"])
        text = json.dumps(statement["Resource"])
        if any(a.startswith("dynamodb:") for a in actions):
            assert "RelayTable" in text and re.findall(r"/index/(\w+)", text) in ([], ["gsi1"])
        if any(a.startswith("ses:") for a in actions):
            assert actions == ["ses:SendEmail"] and "identity/${SenderIdentity}" in text
        if any(a.startswith("s3:") for a in actions):
            assert actions == ["s3:GetObject"] and text.endswith('/relay/mentors.json"}')
    relay = translated["Resources"]["RelayFunctionRole"]["Properties"]
    assert relay["ManagedPolicyArns"] == [BASIC_EXECUTION]
    relay_actions = {
        a
        for r, s in statements(translated)
        if r == "RelayFunctionRole"
        for a in as_list(s["Action"])
    }
    assert "dynamodb:Scan" not in relay_actions  # only the purge scans


def test_moderator_routes_need_the_cognito_jwt_and_public_ones_do_not():
    template = source()
    api = template["Resources"]["RelayApi"]["Properties"]
    assert api["CorsConfiguration"]["AllowOrigins"] == [{"Ref": "SiteOrigin"}]
    jwt = api["Auth"]["Authorizers"]["ModeratorJwt"]["JwtConfiguration"]
    assert "${ModeratorPool}" in jwt["issuer"]["Fn::Sub"]
    assert jwt["audience"] == [{"Ref": "ModeratorPoolClient"}]
    [group] = resources(template, "AWS::Cognito::UserPoolGroup").values()
    assert group["Properties"]["GroupName"] == "moderators"

    events = template["Resources"]["RelayFunction"]["Properties"]["Events"]
    for event in events.values():
        props = event["Properties"]
        guarded = props["Path"].startswith("/api/moderation/")
        assert ("Auth" in props) == guarded, props["Path"]
        if guarded:
            assert props["Auth"]["Authorizer"] == "ModeratorJwt"
    assert any(e["Properties"]["Path"].startswith("/api/moderation/") for e in events.values())


def test_functions_get_the_relay_settings_named_in_the_architecture():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = doc.split("## Relay", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`(PASSERELLE_[A-Z_]+)`", section))
    local_only = {"PASSERELLE_DATA_DIR", "PASSERELLE_MODERATOR_TOKENS", "PASSERELLE_WORKERS"}
    tuned = {"PASSERELLE_RATE_CLIENT", "PASSERELLE_RATE_EMAIL", "PASSERELLE_RATE_REPLIES"}
    variables = source()["Globals"]["Function"]["Environment"]["Variables"]
    needed = documented - local_only - tuned  # rate limits have defaults the stack may keep
    assert needed <= set(variables), needed - set(variables)
    assert variables["PASSERELLE_STORE"] == "dynamodb"
    assert variables["PASSERELLE_MAILER"] == "ses"
    assert variables["PASSERELLE_TABLE"] == {"Ref": "RelayTable"}
    assert "secretsmanager" in variables["PASSERELLE_SECRET"]["Fn::Sub"]


def test_functions_run_python_312_with_bounded_concurrency_and_a_schedule():
    template = source()
    assert template["Globals"]["Function"]["Runtime"] == "python3.12"
    functions = resources(template, "AWS::Serverless::Function")
    for name, function in functions.items():
        reserved = function["Properties"]["ReservedConcurrentExecutions"]
        assert 1 <= reserved <= 20, name
        module, _, attr = function["Properties"]["Handler"].rpartition(".")
        assert module == "relay.lambda_handler", name
    schedules = [
        e
        for f in functions.values()
        for e in f["Properties"].get("Events", {}).values()
        if e["Type"] in ("Schedule", "ScheduleV2")
    ]
    assert [s["Properties"]["ScheduleExpression"] for s in schedules] == ["rate(5 minutes)"]


def test_site_bucket_is_private():
    [bucket] = resources(source(), "AWS::S3::Bucket").values()
    block = bucket["Properties"]["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"),
        True,
    )


def test_a_wildcard_resource_would_be_caught(translated):
    broken = copy.deepcopy(translated)
    role = broken["Resources"]["RelayFunctionRole"]["Properties"]
    role["Policies"][0]["PolicyDocument"]["Statement"][0]["Resource"] = "*"
    with pytest.raises(AssertionError):
        test_function_policies_name_their_resources_and_actions(broken)
