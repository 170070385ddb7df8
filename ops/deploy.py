"""Deploy to AWS: stage the relay package, run SAM, upload the built site.

SAM builds and deploys the stack (`template.yaml`); the site is uploaded with
boto3 so that content types and cache headers are right for a static host.
"""

from __future__ import annotations

import mimetypes
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

# Hashed-free assets change in place, so HTML and the manifest must not be cached long.
SHORT_CACHE = "public, max-age=300"
LONG_CACHE = "public, max-age=86400"
NO_CACHE_SUFFIXES = (".html", ".json", ".xml")


class DeployError(RuntimeError):
    """A precondition of the deployment is missing; the message says which."""


def stage_vocabularies(root: Path) -> Path:
    """Copy data/*.yaml next to the relay code: Lambda reads them from /var/task/data."""
    target = root / "functions" / "data"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in sorted((root / "data").glob("*.yaml")):
        shutil.copy2(path, target / path.name)
    return target


def content_type(path: Path) -> str:
    guessed, _ = mimetypes.guess_type(path.name)
    if path.suffix in (".pf_fragment", ".pf_index", ".pf_meta", ".pagefind"):
        return "application/octet-stream"
    if guessed and (guessed.startswith("text/") or guessed.endswith(("javascript", "json", "xml"))):
        return f"{guessed}; charset=utf-8"
    return guessed or "application/octet-stream"


def upload_site(
    output: Path, bucket: str, client, progress: Callable[[int, int], None] | None = None
) -> int:
    """Upload every file of `output` to `bucket`; return how many were sent."""
    files = sorted(p for p in output.rglob("*") if p.is_file())
    if not (output / "index.html").exists():
        raise DeployError(f"{output} holds no built site (index.html is missing): run invoke build")
    for done, path in enumerate(files, 1):
        key = path.relative_to(output).as_posix()
        client.upload_file(
            str(path),
            bucket,
            key,
            ExtraArgs={
                "ContentType": content_type(path),
                "CacheControl": SHORT_CACHE if path.suffix in NO_CACHE_SUFFIXES else LONG_CACHE,
            },
        )
        if progress:
            progress(done, len(files))
    return len(files)


def stack_outputs(stack: str, client) -> dict[str, str]:
    described = client.describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def sam(args: list[str], root: Path) -> None:
    if not shutil.which("sam"):
        raise DeployError("the AWS SAM CLI is not installed (pip install aws-sam-cli)")
    subprocess.run(["sam", *args], cwd=root, check=True)
