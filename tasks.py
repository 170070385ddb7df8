"""Project tasks, run through invoke (the Makefile bootstraps .venv first).

Each task is a thin entry point: the behaviour lives in the module it names,
so a newcomer finds it in one guess.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent
for extra in ("functions", "plugins"):
    if str(ROOT / extra) not in sys.path:
        sys.path.insert(0, str(ROOT / extra))

OUTPUT = ROOT / "output"


@task
def translations(c):
    """Compile the theme's Babel catalogs (.po -> .mo)."""
    from mentors.i18n import compile_catalogs

    compile_catalogs(ROOT / "theme" / "translations")


@task(help={"settings": "pelicanconf.py (local) or publishconf.py (production)"})
def build(c, settings="pelicanconf.py", output=None):
    """Build the site into a staging folder and swap it into output/ only if it succeeds."""
    from mentors.build import build_site

    translations(c)
    target = Path(output) if output else OUTPUT
    if not build_site(ROOT / settings, target):
        sys.exit(1)


@task(
    help={
        "port": "port to serve on (default 8000)",
        "host": "address to bind",
        "watch": "rebuild when content/, data/ or theme/ change (default on)",
    }
)
def serve(c, port=8000, host="127.0.0.1", watch=True):
    """Build the demo site, seed demo data and serve site + relay; rebuild on save."""
    from mentors.watch import Rebuilder, site_builder
    from relay.devserver import run

    build(c)
    if watch:
        builder = site_builder(ROOT / "pelicanconf.py", OUTPUT, ROOT / "theme" / "translations")
        Rebuilder([ROOT / "content", ROOT / "data", ROOT / "theme"], builder).start()
        print("Watching content/, data/ and theme/: the site is rebuilt on save")
    run(site_dir=OUTPUT, host=host, port=int(port))


@task(help={"k": "only tests matching this expression", "browser": "include browser tests"})
def test(c, k=None, browser=True):
    """Run every test (unit, contract, build, browser)."""
    args = [sys.executable, "-m", "pytest", "-n", os.environ.get("PYTEST_WORKERS", "2")]
    if k:
        args += ["-k", k]
    if not browser:
        args += ["-m", "not browser"]
    c.run(" ".join(args), pty=False)


@task
def lint(c):
    """ruff check and format check."""
    c.run(f"{sys.executable} -m ruff check .")
    c.run(f"{sys.executable} -m ruff format --check .")


@task(help={"only": "site, search or relay (default: all)"})
def bench(c, only=None):
    """Print build, search and relay figures on generated corpora."""
    from bench import run_all

    run_all(only=only)


@task(
    help={
        "slug": "file name without .md",
        "name": "display name",
        "occupation": "job title",
        "sector": "sector code from data/sectors.yaml",
        "region": "region code from data/regions.yaml",
        "languages": "comma-separated ISO 639-1 codes",
        "lang": "language the profile is written in (fr or en)",
    }
)
def new_mentor(
    c, slug=None, name=None, occupation=None, sector=None, region=None, languages=None, lang="fr"
):
    """Write a valid new profile in content/mentors/ (asks for what is missing)."""
    from mentors.scaffold import new_mentor_cli

    new_mentor_cli(
        ROOT,
        slug=slug,
        name=name,
        occupation=occupation,
        sector=sector,
        region=region,
        languages=languages,
        lang=lang,
    )


@task(help={"slug": "mentor slug", "email": "private contact address", "remove": "forget it"})
def mentor_contact(c, slug, email=None, remove=False):
    """Set, show or remove a mentor's private contact address in the relay's store."""
    from relay.cli import mentor_contact as run

    run(slug=slug, email=email, remove=remove)


@task
def moderate(c):
    """Review the moderation queue from a terminal (h: commands; d: undeliverable messages)."""
    from relay.cli import moderate as run

    run()


@task(help={"thread": "thread id"})
def audit(c, thread):
    """Print the audit log of a thread."""
    from relay.cli import audit as run

    run(thread_id=thread)


@task(help={"csv": "write CSV to this file instead of a table"})
def report(c, csv=None):
    """Quality follow-up per mentor and overall (no personal data)."""
    from relay.cli import report as run

    run(csv_path=csv)


@task
def purge(c):
    """Remove expired threads and messages from the local store."""
    from relay.cli import purge as run

    run()


@task
def clean(c):
    """Remove build output and local relay data."""
    for path in (OUTPUT, ROOT / "var"):
        shutil.rmtree(path, ignore_errors=True)


@task(
    help={
        "stack": "CloudFormation stack name",
        "site_origin": "public origin of the site, e.g. https://passerelle.example.org",
        "api_origin": "public origin of the relay API",
        "sender_domain": "SES identity (domain) that sends the e-mails",
        "sender_address": "From: address on that domain",
    }
)
def deploy(c, stack, site_origin, api_origin, sender_domain, sender_address):
    """Deploy the relay (SAM) and upload the site built with publishconf.py."""
    import boto3

    from ops.deploy import sam, stack_outputs, stage_vocabularies, upload_site

    stage_vocabularies(ROOT)
    sam(["build"], ROOT)
    overrides = (
        f"SiteOrigin={site_origin} ApiOrigin={api_origin} "
        f"SenderDomain={sender_domain} SenderAddress={sender_address}"
    )
    sam(
        [
            "deploy",
            "--stack-name",
            stack,
            "--capabilities",
            "CAPABILITY_IAM",
            "--resolve-s3",
            "--parameter-overrides",
            overrides,
        ],
        ROOT,
    )
    outputs = stack_outputs(stack, boto3.client("cloudformation"))
    os.environ["PASSERELLE_RELAY_URL"] = outputs["ApiUrl"]
    os.environ["PASSERELLE_SITE_URL"] = site_origin
    build(c, settings="publishconf.py")

    def progress(done: int, total: int) -> None:
        if done == total or done % 200 == 0:
            print(f"uploaded {done}/{total} files", flush=True)

    sent = upload_site(OUTPUT, outputs["SiteBucketName"], boto3.client("s3"), progress)
    print(f"site uploaded: {sent} files to s3://{outputs['SiteBucketName']}")
