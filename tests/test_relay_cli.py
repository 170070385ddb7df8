"""`invoke mentor-contact`, `audit`, `purge`: the operator's side of the relay's store."""

from __future__ import annotations

import json

import pytest
from relay import cli
from relay.container import settings_from_env
from relay.store import open_store


@pytest.fixture
def env(tmp_path, monkeypatch):
    manifest = tmp_path / "mentors.json"
    manifest.write_text(json.dumps({"mentors": {"marie-tremblay": {"accepting": True}}}))
    monkeypatch.setenv("PASSERELLE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PASSERELLE_STORE", "sqlite")
    monkeypatch.setenv("PASSERELLE_MANIFEST", str(manifest))
    monkeypatch.delenv("PASSERELLE_SECRET", raising=False)
    return tmp_path


def test_set_show_and_remove_a_contact_without_printing_the_address(env, capsys):
    cli.mentor_contact("marie-tremblay", email="marie.demo@example.org")
    cli.mentor_contact("marie-tremblay")
    out = capsys.readouterr().out
    assert "m***@example.org" in out and "marie.demo" not in out
    store = open_store(settings_from_env())
    assert store.get_mentor_contact("marie-tremblay").email == "marie.demo@example.org"
    assert (env / "var" / "secret").exists()  # local secret made on first use, outside the repo
    cli.mentor_contact("marie-tremblay", remove=True)
    with pytest.raises(SystemExit):
        cli.mentor_contact("marie-tremblay")


@pytest.mark.parametrize(
    ("slug", "email"),
    [("nobody", "a@example.org"), ("marie-tremblay", "not an address"),
     ("marie-tremblay", "a@example.org\nBcc: b@example.org")],
)  # fmt: skip
def test_bad_input_is_refused_and_stores_nothing(env, capsys, slug, email):
    with pytest.raises(SystemExit):
        cli.mentor_contact(slug, email=email)
    assert "error:" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.mentor_contact("marie-tremblay")


def test_audit_and_purge(env, capsys, relay, monkeypatch):
    from tests.test_relay_api import fields

    relay.post_form(fields(email="alex@example.org"), json_reply=True)
    thread_id = relay.store._con().execute("SELECT id FROM threads").fetchone()[0]
    monkeypatch.setenv("PASSERELLE_DATA_DIR", str(relay.settings.data_dir))
    cli.audit(thread_id)
    out = capsys.readouterr().out
    assert "received" in out and "mentee" in out and "alex@" not in out
    cli.purge()
    assert "purged 0 expired rows" in capsys.readouterr().out
