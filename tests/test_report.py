"""`invoke report`: the quality follow-up per mentor and overall, on every Store adapter."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import timedelta

import pytest
from conftest import RelayServices
from relay import report
from relay.domain import Side, ThreadState
from relay.services.links import CONVERSATION
from relay.services.questions import Question

MENTEE_EMAIL = "alex.mentee@example.org"


@pytest.fixture
def local(sqlite_store, tmp_path) -> RelayServices:
    """The figures are computed above the port: one adapter is enough for them."""
    return RelayServices(sqlite_store, tmp_path / "services")


def mentor_answers(services, thread_id: str, text: str):
    token = services.conversations.links.token(thread_id, Side.MENTOR, CONVERSATION, services.now)
    return services.conversations.reply(token, text)


def scenario(services) -> dict[str, str]:
    """Five questions with every outcome; returns their thread ids by name."""
    ids = {}
    answered = services.ask("marie-tremblay")
    services.moderation.approve(answered.id, version=answered.version, actor="moderator:alice")
    services.delivery.drain()
    services.now += timedelta(hours=5)
    mentor_answers(services, answered.thread_id, "Bonjour! Il faut un DEC puis un baccalauréat.")
    ids["answered"] = answered.thread_id

    refused = services.ask("marie-tremblay", text="Achète mes cours en ligne, super prix pour toi!")
    services.moderation.reject(
        refused.id, version=refused.version, actor="moderator:bob", reason="off-topic"
    )
    ids["refused"] = refused.thread_id

    waiting = services.ask("jordan-lee", age=22)
    services.moderation.approve(waiting.id, version=waiting.version, actor="moderator:alice")
    services.delivery.drain()
    ids["waiting"] = waiting.thread_id

    pending = services.ask("marie-tremblay", text="Comment devient-on inspectrice en bâtiment?")
    ids["pending"] = pending.thread_id

    unconfirmed = services.questions.submit(
        Question(mentor="marie-tremblay", lang="fr", pseudonym="Sam", age=19, region="06",
                 situation="secondaire", email="sam@example.org",
                 question="Une question jamais confirmée par courriel."),
        client="203.0.113.9", idempotency_key=None,
    )  # fmt: skip
    ids["unconfirmed"] = unconfirmed.thread_id
    return ids


def test_list_threads_is_read_only_oldest_first_and_hides_expired_rows(services):
    """Store contract (both adapters): the read the report needs."""
    ids = scenario(services)
    threads = services.store.list_threads(now=services.now)
    order = ("answered", "refused", "waiting", "pending", "unconfirmed")
    assert [t.id for t in threads] == [ids[k] for k in order]
    assert {t.mentor for t in threads} == {"marie-tremblay", "jordan-lee"}
    assert next(t for t in threads if t.id == ids["refused"]).state == ThreadState.CLOSED
    later = services.now + timedelta(hours=73)  # an unconfirmed question lives 72 hours
    assert ids["unconfirmed"] not in {t.id for t in services.store.list_threads(now=later)}
    assert len(services.store.list_threads(now=later)) == 4
    assert len(services.store.list_threads(now=services.now)) == 5  # reading changed nothing


def test_figures_per_mentor_and_overall(local):
    scenario(local)
    found = report.build(local.store, now=local.now, mentors=["paul-absent"])
    lines = {line.mentor: line for line in found.mentors}
    assert set(lines) == {"marie-tremblay", "jordan-lee", "paul-absent"}
    marie, jordan, total = lines["marie-tremblay"], lines["jordan-lee"], found.total
    assert (marie.questions, marie.pending, marie.approved, marie.rejected) == (3, 1, 1, 1)
    assert marie.rejected_by == Counter({"off-topic": 1})
    assert (marie.answered, marie.waiting, marie.median_hours) == (1, 0, 5.0)
    assert (jordan.questions, jordan.approved, jordan.answered, jordan.waiting) == (1, 1, 0, 1)
    assert jordan.median_hours is None
    assert lines["paul-absent"].questions == 0
    assert (total.questions, total.approved, total.rejected, total.answered) == (4, 2, 1, 1)
    assert (total.pending, total.waiting, total.median_hours) == (1, 1, 5.0)
    assert found.reasons[:2] == ["contact-details", "off-topic"]  # data/rejection_reasons.yaml


def test_csv_and_table_hold_no_personal_data(local):
    scenario(local)
    found = report.build(local.store, now=local.now)
    text = report.to_csv(found)
    table = report.to_table(found)
    for private in (MENTEE_EMAIL, "sam@example.org", "Alex", "Sam", "DEC", "Achète"):
        assert private not in text and private not in table
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["mentor"] for r in rows] == ["jordan-lee", "marie-tremblay", "TOTAL"]
    marie = rows[1]
    assert marie["questions"] == "3" and marie["rejected_off-topic"] == "1"
    assert marie["median_hours_to_answer"] == "5.0" and rows[0]["median_hours_to_answer"] == ""
    assert "marie-tremblay" in table and "TOTAL" in table and "off-topic" in table


def test_cells_a_spreadsheet_would_run_are_neutralised():
    line = report.Line('=HYPERLINK("http://evil.example")', questions=2)
    line.rejected_by["@SUM(A1)"] = 1
    found = report.Report([line], report.Line(report.TOTAL), ["@SUM(A1)"], generated_at=None)
    rows = list(csv.reader(io.StringIO(report.to_csv(found))))
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example")'
    for value in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert report.neutralise(value) == "'" + value
    for value in ("marie-tremblay", "3", "5.0", ""):
        assert report.neutralise(value) == value
