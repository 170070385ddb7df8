"""`invoke moderate` and `invoke report`: the queue and the figures from a terminal, on a real
SQLite file in a temp data dir (the same one the local server uses)."""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest
from conftest import MODERATOR_TOKENS, RelayServices
from relay import cli
from relay.auth import hash_token
from relay.container import settings_from_env
from relay.domain import Status, utcnow
from relay.store import open_store

MENTEE_EMAIL = "alex.mentee@example.org"


@pytest.fixture
def local(tmp_path, monkeypatch) -> RelayServices:
    """Services on the SQLite file the CLI opens from the environment, clock at the real now."""
    data = tmp_path / "var"
    monkeypatch.setenv("PASSERELLE_DATA_DIR", str(data))
    monkeypatch.setenv("PASSERELLE_STORE", "sqlite")
    monkeypatch.setenv("PASSERELLE_MAILER", "outbox")
    monkeypatch.setenv("PASSERELLE_MANIFEST", str(tmp_path / "services" / "mentors.json"))
    entries = ",".join(f"{name}={hash_token(t)}" for name, t in MODERATOR_TOKENS.items())
    monkeypatch.setenv("PASSERELLE_MODERATOR_TOKENS", entries)
    monkeypatch.setenv("PASSERELLE_MODERATOR_TOKEN", MODERATOR_TOKENS["alice"])
    monkeypatch.setenv("PASSERELLE_DEFAULT_CAPACITY", "10")
    data.mkdir()
    from dataclasses import replace

    from relay.config import Limits

    services = RelayServices(
        open_store(settings_from_env()), tmp_path / "services",
        limits=replace(Limits(), default_capacity=10),
    )  # fmt: skip
    services.now = utcnow() - timedelta(minutes=5)
    return services


class Terminal:
    """Types the given lines, keeps what the CLI prints."""

    def __init__(self, *lines: str):
        self.lines = list(lines)
        self.out: list[str] = []

    def read(self, prompt: str) -> str:
        if not self.lines:
            raise EOFError
        return self.lines.pop(0)

    def write(self, *parts) -> None:
        self.out.append(" ".join(str(p) for p in parts))

    @property
    def text(self) -> str:
        return "\n".join(self.out)


def moderate(*lines: str) -> Terminal:
    terminal = Terminal(*lines)
    cli.moderate(read=terminal.read, write=terminal.write)
    return terminal


def status_of(local, message) -> tuple[Status, object]:
    stored = local.store.get_message(message.id, now=utcnow())
    return stored.status, stored


def test_list_and_show_escape_control_characters_and_never_show_the_address(local):
    message = local.ask()
    # The relay refuses such characters now (domain.text); a row written before still shows
    # them escaped in a terminal.
    hostile = "Bonjour\x1b[2J\x1b]0;pwned\x07 je veux devenir \u202eenigni ingénieure"
    with local.store._con() as con:
        con.execute("UPDATE messages SET body = ? WHERE id = ?", (hostile, message.id))
    terminal = moderate("l", "s 1", "q")
    text = terminal.text
    assert "as moderator:alice" in text and "1 message(s) waiting" in text
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "\\u001b[2J" in text and "\\u202e" in text
    assert "MINOR (14-17)" in text and "marie-tremblay" in text
    assert MENTEE_EMAIL not in text and "alex.mentee" not in text
    assert status_of(local, message)[0] == Status.PENDING  # looking decides nothing


def test_show_gives_masked_text_original_and_history(local):
    first = local.ask()
    local.moderation.approve(first.id, version=first.version, actor="moderator:bob")
    local.delivery.drain()
    from relay.domain import Side
    from relay.services.links import CONVERSATION

    token = local.conversations.links.token(first.thread_id, Side.MENTEE, CONVERSATION, local.now)
    local.conversations.reply(token, "Merci! Écrivez-moi à alex.prive@example.org si possible.")
    text = moderate("s 1", "q").text
    assert "[coordonnées masquées / contact hidden]" in text  # as it will be delivered
    assert "alex.prive@example.org" in text  # as written: the moderator sees the original
    assert "flags: Contact details hidden (e-mail address)" in text  # in words
    assert "Thread history:" in text and "Quelles études" in text


def test_approve_edit_reject_escalate_from_the_terminal(local):
    approved = local.ask(text="Quelles études faut-il pour devenir ingénieure civile au Québec?")
    edited = local.ask(text="Quel cégep choisir pour le génie civil? Mon numéro: 514-555-0199")
    rejected = local.ask(text="Achète mes cours en ligne, super prix, écris-moi vite!")
    escalated = local.ask(text="Je me sens seule et je ne sais pas quoi faire de ma vie.")
    local.now = utcnow()
    queue = [r.message.id for r in local.moderation.queue()]
    position = {m.id: str(queue.index(m.id) + 1) for m in (approved, edited, rejected, escalated)}

    terminal = moderate("x " + position[escalated.id], "q")
    assert "escalated" in terminal.text
    status, stored = status_of(local, escalated)
    assert status == Status.PENDING and stored.escalated
    # escalated comes first now; the others keep their order behind it
    queue = [r.message.id for r in local.moderation.queue()]
    assert queue[0] == escalated.id
    at = {m.id: str(queue.index(m.id) + 1) for m in (approved, edited, rejected)}

    moderate("a " + at[approved.id], "q")
    assert status_of(local, approved)[0] == Status.APPROVED

    queue = [r.message.id for r in local.moderation.queue()]
    moderate("e " + str(queue.index(edited.id) + 1), "Quel cégep choisir pour le génie civil?",
             "Merci!", ".", "q")  # fmt: skip
    status, stored = status_of(local, edited)
    assert status == Status.APPROVED
    assert stored.delivered_text == "Quel cégep choisir pour le génie civil?\nMerci!"

    queue = [r.message.id for r in local.moderation.queue()]
    terminal = moderate("r " + str(queue.index(rejected.id) + 1), "commercial", "q")
    assert "rejected (commercial)" in terminal.text
    status, stored = status_of(local, rejected)
    assert status == Status.REJECTED and stored.reason == "commercial"

    actors = {(e.action, e.actor) for m in (approved, edited, rejected, escalated)
              for e in local.store.events(m.thread_id)}  # fmt: skip
    assert {("approved", "moderator:alice"), ("rejected", "moderator:alice"),
            ("escalated", "moderator:alice")} <= actors  # fmt: skip


def test_a_bad_reason_or_number_decides_nothing(local):
    message = local.ask()
    text = moderate("a 9", "r 1", "not-a-reason", "r 1", "", "zz", "q").text
    assert "give the number of a message" in text
    assert "Not done: reason: invalid_choice" in text
    assert "Rejection cancelled." in text and "unknown command 'zz'" in text
    assert status_of(local, message)[0] == Status.PENDING


def test_the_second_moderator_is_told_someone_decided_first(local):
    message = local.ask()

    class Race(Terminal):
        def read(self, prompt):
            line = super().read(prompt)
            if line == "a 1":  # bob decides while alice's list is on screen
                local.moderation.reject(message.id, version=message.version,
                                        actor="moderator:bob", reason="off-topic")  # fmt: skip
            return line

    terminal = Race("a 1", "q")
    cli.moderate(read=terminal.read, write=terminal.write)
    assert "Someone else decided message 1 first (it is now rejected)" in terminal.text
    status, stored = status_of(local, message)
    assert status == Status.REJECTED and stored.reason == "off-topic"


def test_an_unknown_token_is_refused(local, monkeypatch, capsys):
    local.ask()
    monkeypatch.setenv("PASSERELLE_MODERATOR_TOKEN", "forged-token")
    with pytest.raises(SystemExit):
        moderate("a 1")
    assert "not known" in capsys.readouterr().err
    monkeypatch.setenv("PASSERELLE_MODERATOR_TOKENS", "")
    with pytest.raises(SystemExit):
        moderate("a 1")
    assert "PASSERELLE_MODERATOR_TOKENS" in capsys.readouterr().err


def test_audit_prints_a_thread_log_without_text_or_address(local, capsys):
    message = local.ask()
    local.moderation.approve(message.id, version=message.version, actor="moderator:bob")
    cli.audit(message.thread_id)
    out = capsys.readouterr().out
    assert "moderator:bob" in out and "approved" in out
    assert MENTEE_EMAIL not in out and "Quelles études" not in out


def test_report_as_table_and_csv(local, tmp_path, capsys):
    message = local.ask()
    local.moderation.reject(message.id, version=message.version, actor="moderator:bob",
                            reason="too-vague")  # fmt: skip
    local.ask(mentor="jordan-lee", age=25)
    cli.report()
    table = capsys.readouterr().out
    assert "marie-tremblay" in table and "jordan-lee" in table and "TOTAL" in table
    assert MENTEE_EMAIL not in table
    target = tmp_path / "report.csv"
    cli.report(csv_path=str(target))
    assert "wrote 2 mentors" in capsys.readouterr().out
    rows = {r["mentor"]: r for r in csv.DictReader(target.open(encoding="utf-8"))}
    assert rows["marie-tremblay"]["rejected_too-vague"] == "1"
    assert rows["jordan-lee"]["pending"] == "1" and rows["TOTAL"]["questions"] == "2"


def test_d_lists_undeliverable_e_mails_with_side_attempts_and_history(local):
    from relay.domain import Side, policies
    from relay.services.links import CONVERSATION

    local.now = utcnow() - timedelta(hours=3)
    to_mentor = local.ask(text="Quel DEC mène au génie civil? Je veux bâtir des ponts.")
    answered = local.ask(mentor="jordan-lee", text="Comment devient-on pilote de ligne au Québec?")
    local.moderation.approve(answered.id, version=answered.version, actor="moderator:bob")
    local.delivery.drain()  # this question reaches its mentor...
    token = local.conversations.links.token(
        answered.thread_id, Side.MENTOR, CONVERSATION, local.now
    )
    reply = local.conversations.reply(token, "Bonjour! Il faut d'abord une licence de pilote.")
    assert moderate("d", "q").text.count("No undeliverable e-mail.") == 1
    local.mailer.refuse = {"marie-tremblay@example.org"}  # this mentor's address bounces...
    local.moderation.approve(to_mentor.id, version=to_mentor.version, actor="moderator:bob")
    local.delivery.drain()
    local.give_up(reply)  # ...and the mentor's answer keeps failing

    terminal = moderate("h", "d", "d 2", "d 9", "q")
    text = terminal.text
    assert "d            list the e-mails that could not go" in text  # in the help
    assert "2 e-mail(s) could not be delivered: type d to see." in text
    lines = {a: next(x for x in terminal.out if a in x) for a in (to_mentor.id, reply.id)}
    assert "message to the mentor  REFUSED for good" in lines[to_mentor.id]
    assert "error MessageRejected" in lines[to_mentor.id]
    assert to_mentor.thread_id in lines[to_mentor.id]
    assert "message to the mentee  still failing" in lines[reply.id]
    assert f"after {policies.STUCK_AFTER} attempt(s)  error ConnectionError" in lines[reply.id]
    # Never an address, never a message text.
    for secret in (MENTEE_EMAIL, "@example.org", "ponts", "licence de pilote"):
        assert secret not in text
    # `d 2`: the audit log of the second listed e-mail's thread, every failed attempt in it.
    listed = [x for x in terminal.out if x.lstrip().startswith(("1. message", "2. message"))]
    second = reply if reply.id in listed[1] else to_mentor
    first = to_mentor if second is reply else reply
    failed = [x for x in terminal.out if "delivery_failed" in x]
    assert failed and all(f"message={second.id}" in x for x in failed)
    assert not any(f"message={first.id}" in x for x in terminal.out)
    assert "give the number of an undeliverable e-mail from the list (d)" in text
    # `resend N` after the address is fixed: delivered once.
    local.mailer.refuse = set()
    terminal = moderate("d", "resend " + str(1 + [a.job.message_id for a in
                        local.moderation.undeliverable()].index(to_mentor.id)), "q")  # fmt: skip
    assert "queued again (queued)" in terminal.text
    local.delivery.drain()
    assert len(local.mail_to("marie-tremblay@example.org")) == 1
    assert status_of(local, to_mentor)[0] == Status.DELIVERED
