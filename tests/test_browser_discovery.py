"""How `make test` finds or installs Chromium before the browser tests (ops.browser)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops import browser


@pytest.fixture
def bare_machine(tmp_path, monkeypatch):
    """A machine with no Chromium anywhere: none named, none from Debian, none from Playwright."""
    monkeypatch.delenv(browser.ENV, raising=False)
    monkeypatch.setattr(browser, "DEBIAN_CHROMIUM", tmp_path / "usr" / "bin" / "chromium")
    monkeypatch.setattr(browser, "playwright_chromium", lambda: None)
    return tmp_path


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_a_named_browser_wins(bare_machine, monkeypatch):
    named = executable(bare_machine / "opt" / "chrome")
    executable(browser.DEBIAN_CHROMIUM)
    monkeypatch.setenv(browser.ENV, str(named))
    assert browser.find_chromium() == named


def test_a_named_browser_that_is_not_there_is_a_clear_error(bare_machine, monkeypatch):
    monkeypatch.setenv(browser.ENV, str(bare_machine / "nothing"))
    with pytest.raises(browser.BrowserMissing, match="is not an executable file"):
        browser.find_chromium()


def test_debian_chromium_is_used_without_installing_anything(bare_machine, monkeypatch):
    executable(browser.DEBIAN_CHROMIUM)
    ran = []
    assert browser.ensure_chromium(say=lambda _: None, run=ran.append) == browser.DEBIAN_CHROMIUM
    assert ran == []


def test_as_root_on_debian_it_installs_the_package(bare_machine, monkeypatch):
    monkeypatch.setattr(browser, "can_use_apt", lambda: True)
    ran, said = [], []

    def run(cmd):
        ran.append(cmd)
        if cmd[-1] == "chromium":  # apt-get install puts the binary in place
            executable(browser.DEBIAN_CHROMIUM)
        return 0

    assert browser.ensure_chromium(say=said.append, run=run) == browser.DEBIAN_CHROMIUM
    assert [c[2:4] for c in ran] == [["apt-get", "update"], ["apt-get", "install"]]
    assert "Installing Debian's chromium" in said[0]


def test_without_apt_it_falls_back_to_playwright(bare_machine, monkeypatch):
    monkeypatch.setattr(browser, "can_use_apt", lambda: False)
    downloaded = executable(bare_machine / "ms-playwright" / "chrome")
    ran = []

    def run(cmd):
        ran.append(cmd)
        monkeypatch.setattr(browser, "playwright_chromium", lambda: downloaded)
        return 0

    assert browser.ensure_chromium(say=lambda _: None, run=run) == downloaded
    assert ran[0][1:] == ["-m", "playwright", "install", "chromium"]


def test_when_nothing_works_one_sentence_says_what_to_install(bare_machine, monkeypatch):
    monkeypatch.setattr(browser, "can_use_apt", lambda: True)
    with pytest.raises(browser.BrowserMissing) as missing:
        browser.ensure_chromium(say=lambda _: None, run=lambda cmd: 100)
    assert str(missing.value) == browser.HOW_TO_INSTALL
    assert "apt-get install chromium" in str(missing.value)
    assert "playwright install chromium" in str(missing.value)
