"""Deploy to AWS: check everything first, run SAM, upload the site, forget removed files.

SAM builds and deploys the stack (`template.yaml`, defaults in `samconfig.toml`);
the site is uploaded with boto3 so that content types and cache headers are
right: fingerprinted files are immutable, HTML and data files are short-lived.
Every failure is a `DeployError` whose lines each say one problem; the task
prints them, not a traceback.
"""

from __future__ import annotations

import json
import mimetypes
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from site_search.brotli_copies import SUFFIX, copy_of

# Names that change when their content does (Pagefind's index, fragments, filters, metadata):
# a year and `immutable`. Everything else keeps its name across builds.
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=60, must-revalidate"  # HTML, feeds, JSON: a new build shows soon
ASSET_CACHE = "public, max-age=3600"  # CSS, JS, images under a fixed name
SHORT_SUFFIXES = (".html", ".json", ".xml", ".txt", ".webmanifest")
UPLOAD_RANK = {IMMUTABLE: 0, ASSET_CACHE: 1, SHORT_CACHE: 2}  # by cache header: `upload_order`
FINGERPRINTED = re.compile(r"(^|/)pagefind/.*[._-][0-9a-f]{7,}\.pf_[a-z]+$")

DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
ADDRESS = re.compile(r"^[A-Za-z0-9._+-]+@([a-z0-9.-]+)$")
AUTH_PREFIX = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
TOPIC = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$")
CERTIFICATE = re.compile(r"^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]+$")
STACK = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")


class DeployError(RuntimeError):
    """Something stops the deployment; each line of the message is one problem."""

    def __init__(self, problems: Iterable[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Target:
    """What the operator asks for; `problems()` says, line by line, what is wrong with it."""

    stack: str
    sender_domain: str
    sender_address: str
    auth_domain: str
    alarm_topic: str
    domain: str = ""
    certificate: str = ""

    def problems(self) -> list[str]:
        found = []
        if not STACK.match(self.stack or ""):
            found.append(
                f"--stack {self.stack!r}: letters, digits and dashes, starting with a letter"
            )
        if not DOMAIN.match(self.sender_domain or ""):
            found.append(f"--sender-domain {self.sender_domain!r} is not a domain name")
        address = ADDRESS.match(self.sender_address or "")
        if not address:
            found.append(f"--sender-address {self.sender_address!r} is not an e-mail address")
        elif address.group(1) != self.sender_domain:
            found.append(
                f"--sender-address must be on --sender-domain ({self.sender_domain}),"
                f" not {address.group(1)}"
            )
        if not AUTH_PREFIX.match(self.auth_domain or ""):
            found.append(
                f"--auth-domain {self.auth_domain!r}: the Cognito domain prefix, lower-case"
                " letters, digits and dashes"
            )
        if not TOPIC.match(self.alarm_topic or ""):
            found.append(f"--alarm-topic {self.alarm_topic!r} is not an SNS topic ARN")
        if self.domain and not DOMAIN.match(self.domain):
            found.append(f"--domain {self.domain!r} is not a domain name")
        if self.domain and not self.certificate:
            found.append("--domain needs --certificate (an ACM certificate in us-east-1)")
        if self.certificate and not CERTIFICATE.match(self.certificate):
            found.append("--certificate must be an ACM certificate ARN in us-east-1")
        if self.certificate and not self.domain:
            found.append("--certificate is only used with --domain")
        return found

    def parameter_overrides(self) -> list[str]:
        values = {
            "SenderDomain": self.sender_domain,
            "SenderAddress": self.sender_address,
            "AuthDomainPrefix": self.auth_domain,
            "AlarmTopicArn": self.alarm_topic,
            "DomainName": self.domain,
            "CertificateArn": self.certificate,
        }
        # An empty value is left out: the template's default ("") applies.
        return [f"{key}={value}" for key, value in values.items() if value]


def sam_command(root: Path) -> str | None:
    """The SAM CLI of `make deploy-tools`, else one on PATH."""
    local = root / ".venv" / "tools" / "sam" / "bin" / "sam"
    return str(local) if local.exists() else shutil.which("sam")


def preflight(target: Target, root: Path, session) -> list[str]:
    """Every problem found before anything is changed on AWS."""
    found = target.problems()
    if not sam_command(root):
        found.append("the AWS SAM CLI is missing: make deploy-tools (or pip install aws-sam-cli)")
    if session.get_credentials() is None:
        found.append("no AWS credentials: set AWS_PROFILE, or run aws configure / aws sso login")
    if not session.region_name:
        found.append("no AWS region: set AWS_REGION (samconfig.toml deploys to ca-central-1)")
    return found


def sam(args: list[str], root: Path) -> None:
    command = sam_command(root)
    if not command:
        raise DeployError("the AWS SAM CLI is missing: make deploy-tools")
    done = subprocess.run([command, *args], cwd=root, check=False)
    if done.returncode != 0:
        raise DeployError(f"sam {args[0]} failed (exit {done.returncode}); its output is above")


def content_type(path: Path) -> str:
    guessed, _ = mimetypes.guess_type(path.name)
    if path.suffix in (".pf_fragment", ".pf_index", ".pf_meta", ".pf_filter", ".pagefind"):
        return "application/octet-stream"
    if guessed and (guessed.startswith("text/") or guessed.endswith(("javascript", "json", "xml"))):
        return f"{guessed}; charset=utf-8"
    return guessed or "application/octet-stream"


def cache_control(key: str) -> str:
    if FINGERPRINTED.search(key):
        return IMMUTABLE
    if key.endswith(SHORT_SUFFIXES) or "." not in key.rsplit("/", 1)[-1]:
        return SHORT_CACHE
    return ASSET_CACHE


def upload_order(key: str) -> tuple[int, str]:
    """Files named for their content first (no live file links to them yet), then assets
    under fixed names, then what links to the others: pages, feeds and data files, among
    them Pagefind's entry, which names its page tables. A visitor during an upload then
    never gets a link to a file not there yet."""
    return UPLOAD_RANK[cache_control(key)], key


def upload_site(
    output: Path, bucket: str, client, progress: Callable[[int, int], None] | None = None
) -> tuple[int, int]:
    """Upload every file of `output`, then delete what the build no longer has.

    A file with a brotli copy is uploaded as that copy, with `Content-Encoding: br`:
    every browser that runs Pagefind takes brotli over HTTPS, which CloudFront serves.

    Returns (uploaded, removed). The bucket is versioned: a removed or replaced
    file stays as an old version for the lifecycle's OldVersionDays.
    """
    if not (output / "index.html").exists():
        raise DeployError(f"{output} holds no built site (index.html is missing): run invoke build")
    found = {p.relative_to(output).as_posix(): p for p in output.rglob("*") if p.is_file()}
    # A brotli copy goes up in its file's place (`brotli_copies`), not as a file of its own.
    copies = {key for key in found if key.endswith(SUFFIX) and key[: -len(SUFFIX)] in found}
    files = [(key, found[key]) for key in sorted(found.keys() - copies, key=upload_order)]
    keys = set()
    for done, (key, path) in enumerate(files, 1):
        keys.add(key)
        extra = {"ContentType": content_type(path), "CacheControl": cache_control(key)}
        if key + SUFFIX in copies:
            path, extra["ContentEncoding"] = copy_of(path), "br"
        client.upload_file(str(path), bucket, key, ExtraArgs=extra)
        if progress:
            progress(done, len(files))
    stale = [
        item["Key"]
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for item in page.get("Contents", [])
        if item["Key"] not in keys
    ]
    for start in range(0, len(stale), 1000):
        batch = [{"Key": key} for key in stale[start : start + 1000]]
        client.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
    return len(files), len(stale)


def stack_outputs(stack: str, client) -> dict[str, str]:
    described = client.describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def write_sign_in(output: Path, outputs: dict[str, str]) -> Path:
    """moderation/auth.json: where /moderation/ sends moderators to sign in (PKCE).

    Locally the file does not exist and the page asks for a token instead.
    """
    path = output / "moderation" / "auth.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    config = {
        "domain": outputs["ModeratorSignInDomain"],
        "client_id": outputs["ModeratorClientId"],
    }
    path.write_text(json.dumps(config), encoding="utf-8")
    return path
