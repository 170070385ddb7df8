"""Usual answer times: from the relay's store (real services, SQLite) to data/responsiveness.yaml,
then on profiles and cards of the real build once a mentor has 5 answered threads."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
import yaml
from conftest import ROOT, RelayServices
from mentors import responsiveness as site_figures
from relay import responsiveness
from relay.domain import Side
from relay.services.links import CONVERSATION


@pytest.fixture
def local(sqlite_store, tmp_path) -> RelayServices:
    return RelayServices(sqlite_store, tmp_path / "services")


def answered_after(services, mentor: str, hours: float, n: int) -> None:
    message = services.ask(mentor, email=f"mentee{n}.{mentor}@example.org", age=20)
    services.moderation.approve(message.id, version=message.version, actor="moderator:alice")
    services.delivery.drain()
    services.now += timedelta(hours=hours)
    token = services.conversations.links.token(
        message.thread_id, Side.MENTOR, CONVERSATION, services.now
    )
    services.conversations.reply(token, "Bonjour! Voici ce que je peux te dire sur mon métier.")
    # An answered conversation ends: the next question finds room (capacity 3).
    services.store.set_thread_state(
        message.thread_id, expected="open", new="closed", events=[], now=services.now
    )


def test_usual_days_needs_five_answers_and_rounds_the_median_up():
    assert responsiveness.usual_days([1, 2, 3, 4]) is None
    assert responsiveness.usual_days([1, 2, 3, 4, 5]) == 1  # under a day is "1 day"
    assert responsiveness.usual_days([20, 30, 50, 60, 70]) == 3  # median 50 h
    assert responsiveness.usual_days([20, 30, 48, 48, 60, 70]) == 2  # median 48 h


def test_the_figures_come_from_answered_threads_and_hold_no_personal_data(local, tmp_path):
    for n, hours in enumerate((20, 30, 50, 60, 70)):
        answered_after(local, "marie-tremblay", hours, n)
    for n, hours in enumerate((1, 1, 1, 1)):  # only 4: not enough to say
        answered_after(local, "jordan-lee", hours, n)
    figures = responsiveness.build(local.store, now=local.now)
    assert figures == {"marie-tremblay": {"answered": 5, "median_days": 3}}
    target = tmp_path / "responsiveness.yaml"
    responsiveness.write(target, figures)
    text = target.read_text("utf-8")
    assert "example.org" not in text and "Bonjour" not in text
    assert site_figures.read(tmp_path) == {"marie-tremblay": 3}


def test_the_build_reads_only_whole_figures_of_five_answers_or_more(tmp_path):
    (tmp_path / "responsiveness.yaml").write_text(
        yaml.safe_dump({
            "a": {"answered": 5, "median_days": 2}, "b": {"answered": 4, "median_days": 1},
            "c": {"answered": 9, "median_days": "soon"}, "d": "x",
        }),
        encoding="utf-8",
    )  # fmt: skip
    assert site_figures.read(tmp_path) == {"a": 2}
    assert site_figures.read(tmp_path / "missing") == {}


def test_profiles_and_cards_say_how_fast_a_mentor_usually_answers(tmp_path):
    from mentors.build import build_site

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "responsiveness.yaml").write_text(
        yaml.safe_dump({"marie-tremblay": {"answered": 7, "median_days": 2},
                        "alexandre-simard": {"answered": 3, "median_days": 1}}),
        encoding="utf-8",
    )  # fmt: skip
    out = tmp_path / "output"
    assert build_site(ROOT / "pelicanconf.py", out, overrides={"MENTORS_DATA_DIR": str(data)})
    fr = (out / "mentors" / "marie-tremblay" / "index.html").read_text("utf-8")
    en = (out / "en" / "mentors" / "marie-tremblay" / "index.html").read_text("utf-8")
    assert "Répond habituellement en 2 jours" in fr
    assert "Usually answers within 2 days" in en
    listing = (out / "secteurs" / "electricite" / "index.html").read_text("utf-8")
    assert listing.count("Répond habituellement en") >= 1
    few = (out / "en" / "mentors" / "alexandre-simard" / "index.html").read_text("utf-8")
    assert "Usually answers" not in few  # 3 answered threads: too few to say


def test_invoke_responsiveness_writes_the_file_the_build_reads(tmp_path, monkeypatch, capsys):
    import json

    from relay import cli

    manifest = tmp_path / "mentors.json"
    manifest.write_text(json.dumps({"mentors": {"marie-tremblay": {"accepting": True}}}))
    monkeypatch.setenv("PASSERELLE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PASSERELLE_STORE", "sqlite")
    monkeypatch.setenv("PASSERELLE_MANIFEST", str(manifest))
    monkeypatch.delenv("PASSERELLE_SECRET", raising=False)
    target = tmp_path / "responsiveness.yaml"
    cli.responsiveness(str(target))
    assert "of 0 mentors" in capsys.readouterr().out
    assert yaml.safe_load(target.read_text("utf-8")) == {}
    assert target.read_text("utf-8").startswith("# Written by `invoke responsiveness`")
