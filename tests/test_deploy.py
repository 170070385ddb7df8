"""Deploying: every problem said in one line before anything changes, the site uploaded to S3
(moto) with cache headers by kind of file, and files the build dropped removed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from ops.deploy import (
    ASSET_CACHE,
    IMMUTABLE,
    SHORT_CACHE,
    DeployError,
    Target,
    cache_control,
    content_type,
    preflight,
    upload_site,
    write_sign_in,
)
from tests.aws import unique_name

ROOT = Path(__file__).resolve().parent.parent
GOOD = Target(
    stack="passerelle",
    sender_domain="passerelle.example.org",
    sender_address="relais@passerelle.example.org",
    auth_domain="passerelle-moderation",
    alarm_topic="arn:aws:sns:ca-central-1:111122223333:passerelle-alarms",
)


def test_a_good_target_has_no_problem_and_names_every_parameter():
    assert GOOD.problems() == []
    overrides = dict(item.split("=", 1) for item in GOOD.parameter_overrides())
    assert overrides["SenderDomain"] == "passerelle.example.org"
    assert "DomainName" not in overrides and "CertificateArn" not in overrides  # defaults ""
    certificate = "arn:aws:acm:us-east-1:111122223333:certificate/0a-1b"
    custom = Target(**{**GOOD.__dict__, "domain": "passerelle.example.org",
                       "certificate": certificate})  # fmt: skip
    assert custom.problems() == []
    assert "DomainName=passerelle.example.org" in custom.parameter_overrides()


def test_each_problem_is_one_line_that_names_its_option():
    bad = Target(
        stack="1-stack",
        sender_domain="passerelle.example.org",
        sender_address="relais@elsewhere.example.org",
        auth_domain="Not_A_Prefix",
        alarm_topic="alarms",
        domain="passerelle.example.org",
    )
    problems = bad.problems()
    assert [p.split(" ", 1)[0] for p in problems] == [
        "--stack", "--sender-address", "--auth-domain", "--alarm-topic", "--domain",
    ]  # fmt: skip
    assert all("\n" not in p for p in problems)
    assert "--certificate" in problems[-1]


def test_preflight_says_what_the_machine_lacks(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no sam anywhere
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="y", region_name="")
    problems = preflight(GOOD, tmp_path, session)
    assert any(p.startswith("the AWS SAM CLI is missing: make deploy-tools") for p in problems)
    assert any(p.startswith("no AWS region") for p in problems)


def test_invoke_deploy_fails_with_one_line_per_problem_and_no_traceback(tmp_path):
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    done = subprocess.run(
        [str(Path(sys.executable).parent / "invoke"), "deploy", "--stack", "passerelle",
         "--sender-domain", "passerelle.example.org", "--sender-address", "relais@autre.example",
         "--auth-domain", "passerelle-moderation", "--alarm-topic", "alarms"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert lines and all(line.startswith("deploy: ") for line in lines), lines
    said = "\n".join(lines)
    for problem in ("--sender-address must be on --sender-domain", "--alarm-topic",
                    "no AWS credentials", "no AWS region"):  # fmt: skip
        assert problem in said


def test_cache_headers_follow_the_kind_of_file():
    assert cache_control("pagefind/fragment/fr_1a2b3c4.pf_fragment") == IMMUTABLE
    assert cache_control("pagefind/pagefind.fr_be1c2ba9a3.pf_meta") == IMMUTABLE
    assert cache_control("pagefind/pagefind.js") == ASSET_CACHE  # same name every build
    assert cache_control("pagefind/pagefind-entry.json") == SHORT_CACHE
    assert cache_control("mentors/lea/index.html") == SHORT_CACHE
    assert cache_control("relay/mentors.json") == SHORT_CACHE
    assert cache_control("theme/css/site.css") == ASSET_CACHE
    assert content_type(Path("fragment/fr_1.pf_fragment")) == "application/octet-stream"
    assert content_type(Path("pagefind.js")).startswith("text/javascript")


def test_upload_refuses_an_unbuilt_site(tmp_path, moto_server):
    with pytest.raises(DeployError, match="index.html is missing"):
        upload_site(tmp_path, "any-bucket", moto_server.client("s3"))


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def new_bucket(moto_server) -> str:
    bucket = unique_name("site")
    moto_server.client("s3").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ca-central-1"}
    )
    return bucket


def test_the_site_is_uploaded_and_what_the_build_dropped_is_removed(tmp_path, moto_server):
    s3, bucket = moto_server.client("s3"), new_bucket(moto_server)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first, second = tmp_path / "first", tmp_path / "second"
    write(first, {"index.html": "<h1>Accueil</h1>", "mentors/lea/index.html": "<h1>Léa</h1>",
                  "pagefind/fragment/fr_0aa11bb.pf_fragment": "x"})  # fmt: skip
    write(second, {"index.html": "<h1>Accueil 2</h1>", "theme/css/site.css": "body{}"})
    seen = []

    assert upload_site(first, bucket, s3, lambda done, total: seen.append((done, total))) == (3, 0)
    assert seen[-1] == (3, 3)
    page = s3.get_object(Bucket=bucket, Key="mentors/lea/index.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert page["CacheControl"] == SHORT_CACHE
    assert page["Body"].read().decode() == "<h1>Léa</h1>"
    fragment = s3.head_object(Bucket=bucket, Key="pagefind/fragment/fr_0aa11bb.pf_fragment")
    assert fragment["CacheControl"] == IMMUTABLE

    assert upload_site(second, bucket, s3) == (2, 2)
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))
    assert keys == ["index.html", "theme/css/site.css"]
    versions = s3.list_object_versions(Bucket=bucket, Prefix="mentors/")
    assert versions.get("Versions"), "a removed page is kept as an old version (lifecycle)"


def test_a_file_with_a_brotli_copy_is_uploaded_as_that_copy(tmp_path, moto_server):
    s3, bucket = moto_server.client("s3"), new_bucket(moto_server)
    write(tmp_path, {"index.html": "<h1>Accueil</h1>", "pagefind/pagefind.js": "js",
                     "pagefind/index/fr_1a2b3c4d.pf_index": "gzipped",
                     "pagefind/index/fr_1a2b3c4d.pf_index.br": "brotli",
                     "notes.br": "a file of its own"})  # fmt: skip

    assert upload_site(tmp_path, bucket, s3) == (4, 0)
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == ["index.html", "notes.br", "pagefind/index/fr_1a2b3c4d.pf_index",
                    "pagefind/pagefind.js"]  # fmt: skip
    chunk = s3.get_object(Bucket=bucket, Key="pagefind/index/fr_1a2b3c4d.pf_index")
    assert chunk["Body"].read() == b"brotli"
    assert chunk["ContentEncoding"] == "br"
    assert chunk["CacheControl"] == IMMUTABLE
    assert chunk["ContentType"] == "application/octet-stream"
    assert "ContentEncoding" not in s3.head_object(Bucket=bucket, Key="pagefind/pagefind.js")


class RecordingClient:
    """An S3 client that notes the order of the files it is given."""

    def __init__(self, client):
        self.client, self.keys = client, []

    def upload_file(self, path, bucket, key, **more):
        self.keys.append(key)
        return self.client.upload_file(path, bucket, key, **more)

    def __getattr__(self, name):
        return getattr(self.client, name)


def test_files_are_uploaded_before_the_files_that_link_to_them(tmp_path, moto_server):
    s3, bucket = moto_server.client("s3"), new_bucket(moto_server)
    write(tmp_path, {"index.html": "<h1>Accueil</h1>", "a/index.html": "<h1>A</h1>",
                     "pagefind/pagefind-entry.json": "{}", "pagefind/pagefind.js": "//",
                     "pagefind/pagefind.fr_be1c2ba9a3.pf_meta": "m",
                     "pagefind/fragment/fr_1a2b3c40.pf_fragment": "f",
                     "theme/css/site.css": "body{}"})  # fmt: skip
    client = RecordingClient(s3)
    upload_site(tmp_path, bucket, client)
    assert client.keys == [
        "pagefind/fragment/fr_1a2b3c40.pf_fragment",
        "pagefind/pagefind.fr_be1c2ba9a3.pf_meta",
        "pagefind/pagefind.js",
        "theme/css/site.css",
        "a/index.html",
        "index.html",
        "pagefind/pagefind-entry.json",
    ]


def test_the_moderation_page_learns_its_sign_in_from_the_stack(tmp_path):
    path = write_sign_in(tmp_path, {"ModeratorSignInDomain": "https://m.auth.ca-central-1.example",
                                    "ModeratorClientId": "abc123", "SiteUrl": "x"})  # fmt: skip
    assert path == tmp_path / "moderation" / "auth.json"
    assert path.read_text(encoding="utf-8") == (
        '{"domain": "https://m.auth.ca-central-1.example", "client_id": "abc123"}'
    )
