"""template.yaml: clean for cfn-lint, checkov and the SAM translator (offline); least privilege;
one HTTPS origin; the names it shares with the relay (handlers, metrics, table) are the relay's."""

from __future__ import annotations

import copy
import importlib
import json
import re
import subprocess

import pytest
from cfnlint.api import lint
from cfnlint.config import ManualArgs
from relay.aws import observability
from relay.store import dynamodb

from tests.cfn import MANAGED, REGION, ROOT, TEMPLATE, source, translate

REGIONS = [REGION]  # where Passerelle deploys (data stays in Canada)
CHECKOV = ROOT / ".venv" / "tools" / "checkov" / "bin" / "checkov"


@pytest.fixture(scope="module")
def translated() -> dict:
    return translate()


def resources(template: dict, kind: str) -> dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def props(template: dict, name: str) -> dict:
    return template["Resources"][name]["Properties"]


def test_cfn_lint_finds_nothing_in_the_sam_template():
    config = ManualArgs(include_checks=["I"], regions=REGIONS)
    matches = lint(TEMPLATE.read_text(encoding="utf-8"), config=config)
    assert [str(m) for m in matches] == []


def test_the_translated_cloudformation_is_clean_too(translated):
    matches = lint(json.dumps(translated), config=ManualArgs(regions=REGIONS))
    assert [str(m) for m in matches] == []


def test_checkov_passes_and_every_skipped_check_says_why():
    """checkov (its own environment, installed by `make test`) on the SAM template."""
    assert CHECKOV.exists(), f"{CHECKOV} is missing: `make .venv/.installed` installs it"
    done = subprocess.run(
        [str(CHECKOV), "-f", str(TEMPLATE), "--framework", "cloudformation", "-o", "json",
         "--quiet", "--skip-download"],
        capture_output=True, text=True, check=False, timeout=200,
    )  # fmt: skip
    report = json.loads(done.stdout)
    results = report["results"]
    failed = [(c["check_id"], c["resource"]) for c in results.get("failed_checks", [])]
    assert failed == [], failed
    assert report["summary"]["passed"] >= 25
    for check in results.get("skipped_checks", []):
        reason = (check.get("check_result") or {}).get("suppress_comment") or ""
        assert len(reason) >= 40, (check["check_id"], check["resource"], reason)


def test_one_table_shaped_like_the_dynamodb_store():
    [table] = resources(source(), "AWS::DynamoDB::Table").values()
    p = table["Properties"]
    assert p["BillingMode"] == "PAY_PER_REQUEST"
    assert p["KeySchema"] == dynamodb.KEY_SCHEMA
    assert sorted(p["AttributeDefinitions"], key=str) == sorted(dynamodb.ATTRIBUTES, key=str)
    [gsi] = p["GlobalSecondaryIndexes"]
    assert gsi["IndexName"] == dynamodb.GSI
    assert gsi["KeySchema"] == dynamodb.GSI_KEY_SCHEMA
    assert p["TimeToLiveSpecification"] == {
        "AttributeName": dynamodb.TTL_ATTRIBUTE,
        "Enabled": True,
    }
    assert p["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert p["SSESpecification"]["SSEEnabled"] is True
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
            assert actions == ["ses:SendEmail"]
            assert "identity/${SenderIdentity}" in text
            assert "configuration-set/${MailConfigurationSet}" in text
        if any(a.startswith("s3:") for a in actions):
            assert actions == ["s3:GetObject"]
            objects = ("mentors.json", "search-fr.json", "search-en.json")  # the build's, for it
            for resource in as_list(statement["Resource"]):
                assert json.dumps(resource).endswith(tuple(f'/relay/{o}"}}' for o in objects))
        if any(a.startswith("secretsmanager:") for a in actions):
            assert actions == ["secretsmanager:GetSecretValue"]
            assert json.loads(text) == {"Ref": "RelaySecret"}
        if any(a.startswith("ssm:") for a in actions):
            assert (
                actions == ["ssm:GetParameter"]
                and "parameter/${AWS::StackName}/site-origin" in text
            )
        if any(a.startswith("sqs:") for a in actions):
            assert actions == ["sqs:SendMessage"] and "MailEventsDeadLetters" in text
    relay = props(translated, "RelayFunctionRole")
    assert sorted(relay["ManagedPolicyArns"]) == sorted(MANAGED.values())  # logs, X-Ray
    relay_actions = {
        a
        for r, s in statements(translated)
        if r == "RelayFunctionRole"
        for a in as_list(s["Action"])
    }
    assert "dynamodb:Scan" not in relay_actions  # only the purge scans


def test_moderator_routes_need_the_cognito_jwt_and_public_ones_do_not():
    template = source()
    routes = {p["RouteKey"]: p for p in map(lambda r: r["Properties"],
              resources(template, "AWS::ApiGatewayV2::Route").values())}  # fmt: skip
    assert set(routes) == {"ANY /api/{proxy+}", "ANY /api/moderation/{proxy+}"}
    assert routes["ANY /api/{proxy+}"]["AuthorizationType"] == "NONE"
    guarded = routes["ANY /api/moderation/{proxy+}"]
    assert guarded["AuthorizationType"] == "JWT"
    assert guarded["AuthorizerId"] == {"Ref": "ModeratorJwt"}
    jwt = props(template, "ModeratorJwt")["JwtConfiguration"]
    assert "${ModeratorPool}" in jwt["Issuer"]["Fn::Sub"]
    assert jwt["Audience"] == [{"Ref": "ModeratorPoolClient"}]
    [group] = resources(template, "AWS::Cognito::UserPoolGroup").values()
    assert group["Properties"]["GroupName"] == "moderators"


def test_moderators_sign_in_with_the_code_flow_and_pkce_from_the_moderation_pages():
    template = source()
    client = props(template, "ModeratorPoolClient")
    assert client["AllowedOAuthFlows"] == ["code"] and client["GenerateSecret"] is False
    for key in ("CallbackURLs", "LogoutURLs"):
        pages = json.dumps(client[key])
        assert "/moderation/" in pages and "/en/moderation/" in pages
    assert props(template, "ModeratorDomain")["Domain"] == {"Ref": "AuthDomainPrefix"}
    pool = props(template, "ModeratorPool")
    assert pool["MfaConfiguration"] == "ON" and pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True


def test_functions_get_the_relay_settings_named_in_the_architecture():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = doc.split("## Relay", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`(PASSERELLE_[A-Z_]+)`", section))
    local_only = {"PASSERELLE_DATA_DIR", "PASSERELLE_MODERATOR_TOKENS", "PASSERELLE_WORKERS"}
    tuned = {"PASSERELLE_RATE_CLIENT", "PASSERELLE_RATE_EMAIL", "PASSERELLE_RATE_REPLIES"}
    at_run_time = {"PASSERELLE_SECRET": "PASSERELLE_SECRET_ARN",
                   "PASSERELLE_SITE_URL": "PASSERELLE_SITE_URL_PARAMETER"}  # fmt: skip
    variables = source()["Globals"]["Function"]["Environment"]["Variables"]
    # Rate limits have defaults the stack may keep.
    wanted = {at_run_time.get(v, v) for v in documented - local_only - tuned}
    assert wanted <= set(variables), wanted - set(variables)
    assert not set(at_run_time) & set(variables), "read at run time, never configured"
    assert variables["PASSERELLE_STORE"] == "dynamodb"
    assert variables["PASSERELLE_MAILER"] == "ses"
    assert variables["PASSERELLE_TABLE"] == {"Ref": "RelayTable"}
    assert variables["PASSERELLE_SECRET_ARN"] == {"Ref": "RelaySecret"}
    assert variables["PASSERELLE_API_URL"] == ""  # /api/* under the site's origin
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == observability.NAMESPACE
    assert variables["POWERTOOLS_SERVICE_NAME"] == observability.SERVICE


def test_functions_run_python_311_handlers_that_exist_and_deploy_on_a_new_account():
    template = source()
    glob = template["Globals"]["Function"]
    assert glob["Runtime"] == "python3.11" and glob["Tracing"] == "Active"
    functions = resources(template, "AWS::Serverless::Function")
    assert set(functions) == {"RelayFunction", "MaintenanceFunction", "MailEventsFunction"}
    for name, function in functions.items():
        reserved = function["Properties"].get("ReservedConcurrentExecutions")
        assert reserved is None or "Fn::If" in reserved, name  # none unless asked for
        module, _, attr = function["Properties"]["Handler"].rpartition(".")
        assert callable(getattr(importlib.import_module(module), attr)), name
    assert template["Parameters"]["RelayReservedConcurrency"]["Default"] == 0
    schedules = [
        e
        for f in functions.values()
        for e in f["Properties"].get("Events", {}).values()
        if e["Type"] in ("Schedule", "ScheduleV2")
    ]
    assert [s["Properties"]["ScheduleExpression"] for s in schedules] == ["rate(5 minutes)"]
    assert (ROOT / "functions" / "data" / "regions.yaml").is_file(), "sam build ships data/"
    theme = ROOT / "functions" / "theme"  # the relay's pages and e-mails: templates, catalogs
    assert (theme / "templates" / "base.html").is_file(), "sam build ships theme/"
    assert (theme / "translations" / "fr" / "LC_MESSAGES" / "messages.po").is_file()


def test_site_bucket_is_private_versioned_and_forgets_old_versions():
    template = source()
    bucket = props(template, "SiteBucket")
    block = bucket["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"),
        True,
    )
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    [rule] = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == {"Ref": "OldVersionDays"}
    readers = props(template, "SiteBucketPolicy")["PolicyDocument"]["Statement"]
    for statement in readers:
        if statement["Effect"] == "Allow":
            assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
            assert "distribution/${SiteDistribution}" in json.dumps(statement["Condition"])


def test_one_https_origin_serves_the_site_and_the_api(built_site):
    template = source()
    config = props(template, "SiteDistribution")["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    assert origins["site"]["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccess", "Id"]}
    assert origins["relay"]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert "${RelayApi}.execute-api" in origins["relay"]["DomainName"]["Fn::Sub"]
    default = config["DefaultCacheBehavior"]
    assert default["TargetOriginId"] == "site"
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    [api] = config["CacheBehaviors"]
    assert (api["PathPattern"], api["TargetOriginId"]) == ("/api/*", "relay")
    assert api["ViewerProtocolPolicy"] == "https-only" and "POST" in api["AllowedMethods"]
    for behaviour in (default, api):
        assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "SecurityHeaders"}
    cache = props(template, "ApiCachePolicy")["CachePolicyConfig"]
    assert cache["DefaultTTL"] == 0
    assert cache["ParametersInCacheKeyAndForwardedToOrigin"]["HeadersConfig"]["Headers"] == [
        "Authorization"
    ]  # the only way CloudFront passes the moderators' JWT on
    [missing] = config["CustomErrorResponses"]
    assert (missing["ErrorCode"], missing["ResponseCode"]) == (404, 404)
    assert (built_site / missing["ResponsePagePath"].lstrip("/")).is_file()


def test_every_response_carries_the_security_headers():
    headers = props(source(), "SecurityHeaders")["ResponseHeadersPolicyConfig"]
    security = headers["SecurityHeadersConfig"]
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'",
                      "script-src 'self' 'wasm-unsafe-eval'", "amazoncognito.com"):  # fmt: skip
        assert directive in csp
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert security["ContentTypeOptions"]["Override"] is True
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"


def test_bounces_and_complaints_reach_the_mail_events_function():
    template = source()
    destination = props(template, "MailEventsDestination")["EventDestination"]
    assert sorted(destination["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert destination["SnsDestination"]["TopicARN"] == {"Ref": "MailEvents"}
    identity = props(template, "SenderIdentity")
    assert identity["ConfigurationSetAttributes"]["ConfigurationSetName"] == {
        "Ref": "MailConfigurationSet"
    }
    events = props(template, "MailEventsFunction")["Events"]
    assert [e["Properties"]["Topic"] for e in events.values()] == [{"Ref": "MailEvents"}]
    outputs = template["Outputs"]
    for n in (1, 2, 3):
        assert f"DkimDNSTokenValue{n}" in outputs[f"DkimRecord{n}"]["Value"]["Fn::Sub"]


def test_alarms_go_to_the_operators_topic_and_watch_what_the_relay_emits():
    alarms = resources(source(), "AWS::CloudWatch::Alarm")
    emitted = set(observability.COUNTED.values()) | {"OldestPendingDeliverySeconds"}
    watched = set()
    for name, alarm in alarms.items():
        p = alarm["Properties"]
        assert p["AlarmActions"] == [{"Ref": "AlarmTopicArn"}], name
        watched.add((p["Namespace"], p["MetricName"]))
        if p["Namespace"] == observability.NAMESPACE:
            assert p["MetricName"] in emitted, name
            assert p["Dimensions"] == [{"Name": "service", "Value": observability.SERVICE}]
    assert {("AWS/Lambda", "Errors"), ("AWS/Lambda", "Throttles"), ("AWS/ApiGateway", "5xx"),
            ("Passerelle", "OldestPendingDeliverySeconds"),
            ("Passerelle", "Undeliverable")} <= watched  # fmt: skip


def test_a_wildcard_resource_would_be_caught(translated):
    broken = copy.deepcopy(translated)
    role = broken["Resources"]["RelayFunctionRole"]["Properties"]
    role["Policies"][0]["PolicyDocument"]["Statement"][0]["Resource"] = "*"
    with pytest.raises(AssertionError):
        test_function_policies_name_their_resources_and_actions(broken)
