"""template.yaml as CloudFormation: SAM's transform offline, and the part moto can create.

moto's CloudFormation creates only the resource types it models; a template
that names another type fails as a whole. `for_moto` removes those resources
and puts, where the rest refers to one of them, a stand-in that the test made
itself (through moto's service API when moto has one). `MOTO_CANNOT_CREATE`
is the exact list, checked against moto at run time, so it stays true.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import boto3
from cfnlint.decode.decode import decode_str
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
REGION = "ca-central-1"
POLICIES = "arn:aws:iam::aws:policy"
MANAGED = {
    "AWSLambdaBasicExecutionRole": f"{POLICIES}/service-role/AWSLambdaBasicExecutionRole",
    "AWSXrayWriteOnlyAccess": f"{POLICIES}/AWSXrayWriteOnlyAccess",
}

# Resource types of the transformed template that moto 5.2's CloudFormation cannot create.
MOTO_CANNOT_CREATE = {
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Stage",
    "AWS::CloudFront::CachePolicy",
    "AWS::CloudFront::Distribution",
    "AWS::CloudFront::Function",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::ResponseHeadersPolicy",
    "AWS::CloudWatch::Alarm",
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolDomain",
    "AWS::Cognito::UserPoolGroup",
    "AWS::S3::BucketPolicy",
    "AWS::SES::ConfigurationSet",
    "AWS::SES::ConfigurationSetEventDestination",
    "AWS::SES::EmailIdentity",
    "AWS::SNS::Subscription",
    "AWS::SNS::TopicPolicy",
    "AWS::Scheduler::Schedule",
    "AWS::SecretsManager::Secret",
}


def source() -> dict:
    template, errors = decode_str(TEMPLATE.read_text(encoding="utf-8"))
    assert not errors, errors
    return json.loads(json.dumps(template))


def translate(code_uri: str = "s3://artifacts.example/relay.zip") -> dict:
    """The CloudFormation SAM would deploy, without any AWS call.

    `sam package` replaces the local CodeUri with an S3 URI before the
    transform runs; `code_uri` plays that part.
    """
    template = source()
    assert template["Globals"]["Function"]["CodeUri"] == "functions/"
    template["Globals"]["Function"]["CodeUri"] = code_uri
    session = boto3.Session(
        region_name=REGION, aws_access_key_id="offline", aws_secret_access_key="offline"
    )
    translator = Translator(managed_policy_map=MANAGED, sam_parser=Parser(), boto_session=session)
    return translator.translate(template, parameter_values={}, get_managed_policy_map=dict)


def moto_model_types() -> set[str]:
    """Every resource type moto's CloudFormation can create (its models, once imported)."""
    import importlib

    from moto.backends import list_of_moto_modules
    from moto.cloudformation.parsing import get_model_map

    for name in list_of_moto_modules():
        try:
            importlib.import_module(f"moto.{name}.models")
        except ImportError:  # a service whose optional dependencies are not installed
            continue
    return set(get_model_map())


def _substitute(node, removed: set[str], stand_ins: dict[str, str]):
    def value(name: str, attr: str | None = None) -> str:
        key = f"{name}.{attr}" if attr else name
        if key not in stand_ins:
            raise KeyError(f"the moto stack needs a stand-in for {key}")
        return stand_ins[key]

    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] in removed:
            return value(node["Ref"])
        if set(node) == {"Fn::GetAtt"}:
            name, attr = (
                node["Fn::GetAtt"].split(".", 1)
                if isinstance(node["Fn::GetAtt"], str)
                else node["Fn::GetAtt"]
            )
            if name in removed:
                return value(name, attr)
        if set(node) == {"Fn::Sub"}:
            body = node["Fn::Sub"]
            text, names = (body, {}) if isinstance(body, str) else (body[0], body[1])

            def put(match):
                name, _, attr = match.group(1).partition(".")
                return value(name, attr or None) if name in removed else match.group(0)

            text = re.sub(r"\$\{([A-Za-z0-9]+(?:\.[A-Za-z0-9.]+)?)\}", put, text)
            return {"Fn::Sub": text if not names else [text, names]}
        return {k: _substitute(v, removed, stand_ins) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(v, removed, stand_ins) for v in node]
    return node


def for_moto(template: dict, stand_ins: dict[str, str]) -> tuple[dict, set[str]]:
    """(the template moto can create, the logical ids taken out)."""
    template = copy.deepcopy(template)
    resources = template["Resources"]
    removed = {k for k, v in resources.items() if v["Type"] in MOTO_CANNOT_CREATE}
    for name in removed:
        del resources[name]
    for resource in resources.values():
        depends = resource.get("DependsOn")
        if depends:
            kept = [
                d for d in ([depends] if isinstance(depends, str) else depends) if d not in removed
            ]
            resource["DependsOn"] = kept
            if not kept:
                del resource["DependsOn"]
    template.pop("Rules", None)  # moto does not evaluate Rules
    outputs = template.pop("Outputs", {})
    template["Resources"] = _substitute(resources, removed, stand_ins)
    template["Outputs"] = {
        k: v for k, v in outputs.items()
        if not any(name in json.dumps(v) for name in removed)
    }  # fmt: skip
    return template, removed
