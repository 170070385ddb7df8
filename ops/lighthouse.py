"""Lighthouse accessibility and SEO of the published build (publishconf.py), page by page.

Builds the site for a loopback origin, serves it like a static host, runs the
Lighthouse CLI (pinned in ops/lighthouse/package-lock.json, installed with
`npm ci`) against Debian's Chromium on each page, prints the scores and
what failed, and exits non-zero below the bar (accessibility 100, SEO 95).
One page takes about 40 s on a busy 2-core machine: a script, not a test.

    .venv/bin/invoke lighthouse            # or: python -m ops.lighthouse [paths...]
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "ops" / "lighthouse"
PAGES = {
    "home": "",
    "search with results": "recherche/?q=infirmi%C3%A8re",
    "profile": "mentors/marie-tremblay/",
    "article": "articles/devenir-electricien-dep/",
    "directory": "mentors/",
    "profile (English page, French text)": "en/mentors/wideline-pierre/",
}
BAR = {"accessibility": 100, "seo": 95}


def install() -> Path:
    """Lighthouse as the lock file pins it (npm ci once; node_modules is git-ignored)."""
    binary = TOOL / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=TOOL, check=True)
    return binary


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build(output: Path, origin: str) -> None:
    from mentors.build import build_site
    from mentors.i18n import compile_catalogs

    compile_catalogs(ROOT / "theme" / "translations")
    os.environ["PASSERELLE_SITE_URL"] = origin
    os.environ["PASSERELLE_RELAY_URL"] = origin
    if not build_site(ROOT / "publishconf.py", output):
        sys.exit("the site does not build")


def audit(binary: Path, url: str, report: Path) -> dict:
    """Scores (0-100) per category and the failed audits of one page."""
    chromium = os.environ.get("PASSERELLE_CHROMIUM", "/usr/bin/chromium")
    command = [str(binary), url, "--quiet", "--only-categories=accessibility,seo"]
    command += ["--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
    command += ["--output=json", f"--output-path={report}"]
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": chromium})
    data = json.loads(report.read_text(encoding="utf-8"))
    scores = {name: round(cat["score"] * 100) for name, cat in data["categories"].items()}
    failed = [
        f"{name}: {data['audits'][ref['id']]['title']}"
        for name, cat in data["categories"].items()
        for ref in cat["auditRefs"]
        if ref["weight"]
        and (data["audits"][ref["id"]].get("score") or 0) < 1
        and data["audits"][ref["id"]].get("score") is not None
    ]
    return {"scores": scores, "failed": failed}


def main(paths: list[str] | None = None) -> int:
    from site_search.serve import StaticServer

    binary = install()
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    pages = {path: path for path in paths} if paths else PAGES
    below = 0
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        site = Path(tmp) / "output"
        build(site, origin)
        with StaticServer(site, port):
            for name, path in pages.items():
                result = audit(binary, f"{origin}/{path}", Path(tmp) / "report.json")
                scores = result["scores"]
                low = [c for c, bar in BAR.items() if scores.get(c, 0) < bar]
                below += bool(low)
                shown = "  ".join(f"{c} {s}" for c, s in scores.items())
                print(f"{name:40} {shown}{'  BELOW THE BAR' if low else ''}")
                for line in result["failed"]:
                    print(f"    {line}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
