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
    """Extract every string (theme, relay templates and code) into the catalogs, then compile."""
    from mentors.i18n import update_catalogs

    update_catalogs(ROOT, ROOT / "theme" / "translations")


@task(help={"settings": "pelicanconf.py (local) or publishconf.py (production)"})
def build(c, settings="pelicanconf.py", output=None):
    """Build the site into a staging folder and swap it into output/ only if it succeeds."""
    from mentors.build import build_site
    from mentors.i18n import compile_catalogs

    compile_catalogs(ROOT / "theme" / "translations")
    target = Path(output) if output else OUTPUT
    if not build_site(ROOT / settings, target):
        sys.exit(1)


@task(
    help={
        "port": "port to serve on (default 8000)",
        "host": "address to bind",
        "aws": "the relay on DynamoDB and SES from a local moto server (needs the test set)",
        "watch": "rebuild when content/, data/ or theme/ change (default on)",
    }
)
def serve(c, port=8000, host="127.0.0.1", aws=False, watch=True):
    """Build the demo site, seed demo data and serve site + relay; rebuild on save."""
    from mentors.watch import Rebuilder, site_builder
    from relay.devserver import run

    moto = None
    if aws:
        from ops.local_aws import start

        try:
            moto, env = start()
        except ImportError:
            sys.exit("invoke serve --aws needs moto, from the test set: make .venv/.installed")
        os.environ.update(env)
        print(f"moto (DynamoDB, SES): {moto.url}  — sent e-mails: {moto.url}/moto-api/")
    # The site's own address: the relay's links and origin checks, the feeds' absolute links.
    os.environ.setdefault("PASSERELLE_SITE_URL", f"http://{host}:{port}")
    build(c)
    if watch:
        builder = site_builder(ROOT / "pelicanconf.py", OUTPUT)
        Rebuilder([ROOT / "content", ROOT / "data", ROOT / "theme"], builder).start()
        print("Watching content/, data/ and theme/: the site is rebuilt on save")
    try:
        run(site_dir=OUTPUT, host=host, port=int(port))
    finally:
        if moto:
            moto.stop()


@task(help={"k": "only tests matching this expression", "browser": "include browser tests"})
def test(c, k=None, browser=True):
    """Run every test (unit, contract, build, browser)."""
    args = [sys.executable, "-m", "pytest", "-n", os.environ.get("PYTEST_WORKERS", "2")]
    if browser:
        from ops.browser import ENV, BrowserMissing, ensure_chromium

        try:
            os.environ[ENV] = str(ensure_chromium())
        except BrowserMissing as missing:
            sys.exit(str(missing))
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


@task
def lighthouse(c):
    """Lighthouse accessibility and SEO of the published build (npm ci on first use)."""
    from ops.lighthouse import main

    sys.exit(main())


@task(help={"only": "site, search, relay or screening (default: all)"})
def bench(c, only=None):
    """Print build, search and relay figures on generated corpora."""
    from bench import run_all

    run_all(only=only)


@task(
    help={
        "slug": "file name without .md",
        "name": "display name",
        "occupation": "job title",
        "noc": "NOC 2021 unit group, 5 digits (data/occupations.yaml)",
        "sector": "sector code from data/sectors.yaml",
        "region": "region code from data/regions.yaml",
        "languages": "comma-separated ISO 639-1 codes",
        "lang": "language the profile is written in (fr or en)",
        "from-application": "id of a waiting application (`invoke applications`) to write from",
    }
)
def new_mentor(
    c,
    slug=None,
    name=None,
    occupation=None,
    noc=None,
    sector=None,
    region=None,
    languages=None,
    lang="fr",
    from_application=None,
):
    """Write a valid new profile in content/mentors/ (asks for what is missing)."""
    from mentors.scaffold import new_mentor_cli

    if from_application:
        from relay.cli import new_mentor_from_application

        new_mentor_from_application(ROOT, from_application, slug=slug)
        return

    new_mentor_cli(
        ROOT,
        slug=slug,
        name=name,
        occupation=occupation,
        noc=noc,
        sector=sector,
        region=region,
        languages=languages,
        lang=lang,
    )


@task(
    help={"show": "one application's id", "decline": "id of the application to decline",
          "reason": "why it is declined (kept a month, for the editors)"}
)  # fmt: skip
def applications(c, show=None, decline=None, reason=""):
    """Applications to become a mentor: list them, show one, or decline one with a reason."""
    from relay.cli import applications as run

    run(show=show, decline=decline, reason=reason)


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


@task(help={"path": "where to write (default data/responsiveness.yaml, read by the build)"})
def responsiveness(c, path="data/responsiveness.yaml"):
    """Each mentor's usual answer time (5 answered threads or more), for profiles and cards."""
    from relay.cli import responsiveness as run

    run(path)


@task
def purge(c):
    """Remove expired threads and messages from the local store."""
    from relay.cli import purge as run

    run()


@task
def undeliverable(c):
    """List the e-mails the relay could not send (refused for good, or still failing)."""
    from relay.cli import undeliverable as run

    run()


@task(help={"job": "e-mail job id (from `invoke undeliverable`)", "actor": "who asks"})
def resend(c, job, actor="operator"):
    """Try an undeliverable e-mail again now."""
    from relay.cli import resend as run

    run(job_id=job, actor=actor)


@task(help={"job": "e-mail job id (from `invoke undeliverable`)", "actor": "who asks"})
def close(c, job, actor="operator"):
    """Stop trying an undeliverable e-mail (cancelled, audited)."""
    from relay.cli import close as run

    run(job_id=job, actor=actor)


@task
def clean(c):
    """Remove build output and local relay data."""
    for path in (OUTPUT, ROOT / "var"):
        shutil.rmtree(path, ignore_errors=True)


@task(
    help={
        "stack": "CloudFormation stack name",
        "sender_domain": "SES identity (domain) that sends the e-mails",
        "sender_address": "From: address on that domain",
        "auth_domain": "prefix of the moderators' Cognito sign-in domain (unique in the region)",
        "alarm_topic": "ARN of the SNS topic that receives the alarms",
        "domain": "custom domain of the site (optional; needs --certificate)",
        "certificate": "ACM certificate ARN in us-east-1 for --domain",
    }
)
def deploy(
    c, stack, sender_domain, sender_address, auth_domain, alarm_topic, domain="", certificate=""
):
    """Deploy the stack (SAM), build the site for its origin and upload it."""
    from ops.deploy import DeployError

    try:
        _deploy(stack, sender_domain, sender_address, auth_domain, alarm_topic, domain, certificate)
    except DeployError as failed:
        for problem in failed.problems:
            print(f"deploy: {problem}", file=sys.stderr)
        sys.exit(1)


def _deploy(stack, sender_domain, sender_address, auth_domain, alarm_topic, domain, certificate):
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from ops.deploy import (
        DeployError,
        Target,
        preflight,
        sam,
        stack_outputs,
        upload_site,
        write_sign_in,
    )

    target = Target(stack, sender_domain, sender_address, auth_domain, alarm_topic, domain,
                    certificate)  # fmt: skip
    session = boto3.Session()
    problems = preflight(target, ROOT, session)
    if problems:
        raise DeployError(problems)
    from mentors.i18n import compile_catalogs

    compile_catalogs(ROOT / "theme" / "translations")  # functions/theme ships them to the Lambda
    sam(["build"], ROOT)
    sam(["deploy", "--stack-name", stack, "--parameter-overrides", *target.parameter_overrides()],
        ROOT)  # fmt: skip
    try:
        outputs = stack_outputs(stack, session.client("cloudformation"))
        os.environ["PASSERELLE_SITE_URL"] = outputs["SiteUrl"]
        os.environ["PASSERELLE_RELAY_URL"] = outputs["SiteUrl"]  # /api/* on the same origin
        from mentors.build import build_site

        if not build_site(ROOT / "publishconf.py", OUTPUT):
            raise DeployError("the site did not build (problems listed above); nothing uploaded")
        write_sign_in(OUTPUT, outputs)

        def progress(done: int, total: int) -> None:
            if done == total or done % 200 == 0:
                print(f"uploaded {done}/{total} files", flush=True)

        bucket = outputs["SiteBucketName"]
        sent, removed = upload_site(OUTPUT, bucket, session.client("s3"), progress)
        session.client("cloudfront").create_invalidation(
            DistributionId=outputs["DistributionId"],
            InvalidationBatch={
                "Paths": {"Quantity": 1, "Items": ["/*"]},
                "CallerReference": str(sent),
            },
        )
    except (BotoCoreError, ClientError) as exc:
        raise DeployError(f"AWS refused a step: {exc}") from None
    except KeyError as missing:
        raise DeployError(f"the stack {stack} has no output {missing}: deploy it again") from None
    print(f"site uploaded: {sent} files, {removed} old ones removed, at {outputs['SiteUrl']}")
    for n in (1, 2, 3):
        print(f"DKIM record {n}: {outputs.get(f'DkimRecord{n}', '?')}")
