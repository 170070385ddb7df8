"""Find, or install, the Chromium that the browser tests drive.

`make test` must work on a fresh machine with only Python and make, so the
test task calls `ensure_chromium()` before pytest. The order is the cheapest
reliable one first: a browser named by `PASSERELLE_CHROMIUM`, Debian's
`/usr/bin/chromium`, Debian's package installed when we run as root, then
Playwright's own download; otherwise one sentence says what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
ENV = "PASSERELLE_CHROMIUM"
HOW_TO_INSTALL = (
    "The browser tests need Chromium: install Debian's package "
    "(sudo apt-get install chromium) or Playwright's browser "
    "(.venv/bin/python -m playwright install chromium), then run make test again."
)


class BrowserMissing(RuntimeError):
    """No Chromium could be found or installed; the message says what to do."""


def find_chromium() -> Path | None:
    """The browser to use, without installing anything (what conftest calls)."""
    named = os.environ.get(ENV, "").strip()
    if named:
        path = Path(named)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise BrowserMissing(f"{ENV}={named} is not an executable file. {HOW_TO_INSTALL}")
        return path
    if DEBIAN_CHROMIUM.is_file():
        return DEBIAN_CHROMIUM
    return playwright_chromium()


def playwright_chromium() -> Path | None:
    """Playwright's own Chromium, when `playwright install chromium` has put it there."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as pw:
        path = Path(pw.chromium.executable_path)
    return path if path.is_file() else None


def ensure_chromium(
    say: Callable[[str], None] = print,
    run: Callable[[list[str]], int] = lambda cmd: subprocess.call(cmd),  # noqa: S603
) -> Path:
    """Find Chromium, installing it if needed; raises BrowserMissing with the fix."""
    found = find_chromium()
    if found:
        return found
    if can_use_apt():
        say("Installing Debian's chromium for the browser tests (apt-get, about a minute)...")
        env_cmd = ["env", "DEBIAN_FRONTEND=noninteractive"]
        if (
            run([*env_cmd, "apt-get", "update", "-qq"]) == 0
            and run([*env_cmd, "apt-get", "install", "-y", "-qq", "chromium"]) == 0
            and DEBIAN_CHROMIUM.is_file()
        ):
            return DEBIAN_CHROMIUM
        say("apt-get could not install chromium; trying Playwright's own browser.")
    say("Downloading Playwright's Chromium for the browser tests...")
    if run([sys.executable, "-m", "playwright", "install", "chromium"]) == 0:
        found = playwright_chromium()
        if found:
            return found
    raise BrowserMissing(HOW_TO_INSTALL)


def can_use_apt() -> bool:
    """Root on a Debian-like system: the one case where installing for the user is ours to do."""
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None
