"""Terminal entry points called by tasks.py (`invoke mentor-contact`, `moderate`, `audit`, ...).

Mentors' private addresses live only in the relay's store: this is how an
operator sets them. Output never prints a full address, and message texts are
printed through `safe()` so a body cannot drive the terminal (escape codes,
bidirectional overrides).
"""

from __future__ import annotations

import getpass
import re
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from . import container
from .config import Settings
from .domain import Conflict, InvalidInput, MentorContact, NotFound
from .presentation import flag_name, format_when


def mask(address: str) -> str:
    """`marie@example.org` -> `m***@example.org`: enough to recognise, not to copy."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(1)


def _known_slugs(relay) -> set[str] | None:
    try:
        return set(relay.manifest.get().mentors)
    except (OSError, ValueError):
        return None  # no build yet: cannot check the slug


def mentor_contact(slug: str, email: str | None = None, remove: bool = False) -> None:
    """Set, show or remove a mentor's private contact address."""
    from .api.models import EMAIL

    relay = container.from_env()
    settings, store = relay.settings, relay.store
    if email and remove:
        _fail("give --email or --remove, not both")
    known = _known_slugs(relay)
    if known is not None and slug not in known and not remove:
        _fail(f"no mentor {slug!r} in {settings.manifest} (run `invoke build` first?)")
    if remove:
        try:
            store.remove_mentor_contact(slug)
        except NotFound:
            _fail(f"{slug} has no contact address")
        print(f"{slug}: contact removed")
        return
    if email:
        email = email.strip()
        if not EMAIL.match(email) or len(email) > 254:
            _fail(f"not a valid e-mail address for {slug}")
        try:
            paused = store.get_mentor_contact(slug).paused
        except NotFound:
            paused = False
        store.set_mentor_contact(
            MentorContact(slug=slug, email=email, paused=paused, updated_at=relay.clock())
        )
    try:
        contact = store.get_mentor_contact(slug)
    except NotFound:
        _fail(f"{slug} has no contact address (set one with --email)")
    state = "paused" if contact.paused else "receiving questions"
    print(f"{slug}: {mask(contact.email)} ({state})")


def audit(thread_id: str) -> None:
    """Print a thread's audit log: who did what, when (no message text, no address)."""
    events = container.from_env().store.events(thread_id)
    if not events:
        _fail(f"no events for thread {thread_id}")
    for event in events:
        detail = " ".join(f"{k}={v}" for k, v in sorted(event.detail.items()))
        target = f" message={event.message_id}" if event.message_id else ""
        line = f"{event.at.isoformat()}  {event.actor:<24} {event.action}{target} {detail}"
        print(safe(line.rstrip()))


def purge() -> None:
    """Delete every expired row (unconfirmed questions after 72 h, old threads, counters)."""
    relay = container.from_env()
    removed = relay.store.purge(now=relay.clock())
    print(f"purged {removed} expired rows")


def report(csv_path: str | None = None) -> None:
    """Quality follow-up per mentor and overall, as a table or a CSV file (no personal data)."""
    from . import report as quality

    relay = container.from_env()
    found = quality.build(relay.store, now=relay.clock(), mentors=sorted(_known_slugs(relay) or ()))
    if csv_path:
        target = Path(csv_path)
        target.write_text(quality.to_csv(found), encoding="utf-8", newline="")
        print(f"wrote {len(found.mentors)} mentors and the total to {target}")
        return
    print(quality.to_table(found), end="")


def responsiveness(path: str = "data/responsiveness.yaml") -> None:
    """Write each mentor's usual answer time (5 answers or more) for the site's build."""
    from . import responsiveness as figures

    relay = container.from_env()
    found = figures.build(relay.store, now=relay.clock(), mentors=sorted(_known_slugs(relay) or ()))
    figures.write(Path(path), found)
    print(f"wrote the usual answer time of {len(found)} mentors to {path}")


# --- the moderation queue from a terminal ------------------------------------------------------

#: Characters that move the cursor, recolour, or reorder text on a terminal: C0/C1 controls
#: (but newline and tab) and the bidirectional embeddings, overrides and isolates.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe(text: str | None) -> str:
    """Text as a terminal may print it: every control character shown as an escape."""
    if text is None:
        return "(erased)"
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _age(now: datetime, then: datetime) -> str:
    minutes = int((now - then).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // 1440} d"


def _quote(text: str | None, indent: str = "    | ") -> str:
    return "\n".join(indent + line for line in safe(text).split("\n"))


def _moderator_tokens(settings: Settings) -> str:
    """Configured moderators; locally, the demo moderator's token file if there is one."""
    if settings.moderator_tokens:
        return settings.moderator_tokens
    if (Path(settings.data_dir) / "moderator-token").exists():
        from .auth import demo_token

        return demo_token(settings.data_dir)[1]
    return ""


HELP = """commands:
  l            list the queue (most urgent first)
  s N          show message N: flags, masked text, original, thread history
  a N          approve message N as it will be delivered
  e N          edit message N, then approve the edited text
  r N          reject message N with a reason (the author gets the reason)
  x N          escalate message N (second look, top of the queue)
  t N          audit log of message N's thread
  d            list the e-mails that could not go (refused, or still failing)
  d N          audit log of undeliverable e-mail N's thread
  resend N     try undeliverable e-mail N again now
  close N      stop trying undeliverable e-mail N
  h            this help
  q            quit"""


class Console:
    """The interactive loop; `read` and `write` are replaceable so tests drive it."""

    def __init__(self, moderation, actor: str, read: Callable[[str], str], write: Callable):
        self.moderation = moderation
        self.actor = actor
        self.read = read
        self.write = write
        self.items: list = []  # the last listed queue: N is a position in it
        self.alerts: list = []  # the last listed undeliverable messages: `d N`

    def run(self) -> None:
        self.write(f"Passerelle moderation as {self.actor}. Type h for help.")
        self.list()
        given_up = len(self.moderation.undeliverable())
        if given_up:
            self.write(f"{given_up} e-mail(s) could not be delivered: type d to see.")
        while True:
            try:
                line = self.read("moderate> ").strip()
            except EOFError:
                break
            command, _, arg = line.partition(" ")
            if command in ("q", "quit", "exit"):
                break
            if command in ("", "h", "help", "?"):
                self.write(HELP)
            elif command in ("l", "list"):
                self.list()
            elif command == "d":
                self.undeliverable(arg.strip())
            elif command in ("resend", "close"):
                self.job(command, arg.strip())
            elif command in ("s", "a", "e", "r", "x", "t"):
                self.act(command, arg.strip())
            else:
                self.write(f"unknown command {safe(command)!r}; type h for help")

    def list(self) -> None:
        self.items = self.moderation.queue()
        if not self.items:
            self.write("The queue is empty.")
            return
        now = self.moderation.clock()
        self.write(f"{len(self.items)} message(s) waiting:")
        for n, review in enumerate(self.items, 1):
            m, t = review.message, review.thread
            marks = " ".join(
                x for x in ("ESCALATED" if m.escalated else "", "MINOR" if t.age_band == "minor"
                            else "", ", ".join(flag_name(f, "en") for f in m.flags)) if x
            )  # fmt: skip
            preview = safe(m.delivered_text or "").replace("\n", " ")
            preview = preview if len(preview) <= 60 else preview[:59] + "…"
            self.write(
                f"{n:>3}. [{m.priority:>4}] {_age(now, m.created_at):>6}  {m.author}→{t.mentor}"
                f"  {marks}\n       {preview}"
            )

    def undeliverable(self, arg: str) -> None:
        """`d`: e-mails that could not go (no text, no address); `d N`: that thread's audit log."""
        if arg:
            alert = self._alert(arg)
            if alert is not None:
                self.events(alert.thread_id)
            return
        self.alerts = self.moderation.undeliverable()
        if not self.alerts:
            self.write("No undeliverable e-mail.")
            return
        now = self.moderation.clock()
        self.write(f"{len(self.alerts)} e-mail(s) could not be delivered:")
        for n, alert in enumerate(self.alerts, 1):
            job = alert.job
            how = ("REFUSED for good" if alert.permanent else
                   f"failed {alert.at:%Y-%m-%d %H:%M} UTC" if alert.state == "failed" else
                   f"still failing, next try {alert.at:%Y-%m-%d %H:%M} UTC")  # fmt: skip
            self.write(safe(
                f"{n:>3}. {job.kind} to the {job.recipient}  {how} ({_age(now, alert.at)})"
                f"  after {alert.attempts} attempt(s)  error {alert.error or '-'}\n"
                f"       thread {alert.thread_id}  message {alert.message.id}  job {job.id}"
            ))  # fmt: skip
        self.write("d N shows the thread's audit log; resend N tries again; close N stops.")

    def _alert(self, arg: str):
        if not arg.isdecimal() or not 1 <= int(arg) <= len(self.alerts):
            self.write("give the number of an undeliverable e-mail from the list (d)")
            return None
        return self.alerts[int(arg) - 1]

    def job(self, command: str, arg: str) -> None:
        alert = self._alert(arg)
        if alert is None:
            return
        act = self.moderation.resend if command == "resend" else self.moderation.close
        try:
            job = act(alert.job.id, actor=self.actor)
        except (Conflict, NotFound):
            self.write(f"E-mail {arg} changed meanwhile. Type d to reload.")
            return
        self.write(f"E-mail {arg} {'queued again' if command == 'resend' else 'closed'}"
                   f" ({job.state}).")  # fmt: skip

    def events(self, thread_id: str) -> None:
        """A thread's audit log: events hold no message text and no address."""
        for event in self.moderation.audit(thread_id):
            target = f" message={event.message_id}" if event.message_id else ""
            detail = " ".join(f"{k}={v}" for k, v in sorted(event.detail.items()))
            self.write(safe(f"{event.at:%Y-%m-%d %H:%M:%S}  {event.actor}  "
                            f"{event.action}{target} {detail}".rstrip()))  # fmt: skip

    def pick(self, arg: str):
        if not arg.isdecimal() or not 1 <= int(arg) <= len(self.items):
            self.write("give the number of a message from the list (l)")
            return None
        return self.items[int(arg) - 1]

    def act(self, command: str, arg: str) -> None:
        chosen = self.pick(arg)
        if chosen is None:
            return
        message = chosen.message
        try:
            if command == "s":
                self.show(self.moderation.review(message.id))
            elif command == "t":
                self.events(message.thread_id)
            elif command == "a":
                self.moderation.approve(message.id, version=message.version, actor=self.actor)
                self.done(arg, "approved")
            elif command == "e":
                self.edit(message, arg)
            elif command == "r":
                self.reject(message, arg)
            elif command == "x":
                self.moderation.escalate(message.id, version=message.version, actor=self.actor)
                self.done(arg, "escalated")
        except Conflict:
            try:
                status = self.moderation.review(message.id).message.status
                now_is = f" (it is now {status})"
            except NotFound:
                now_is = ""
            self.write(f"Someone else decided message {arg} first{now_is}. Type l to reload.")
        except NotFound:
            self.write(f"Message {arg} no longer exists (expired or erased). Type l to reload.")
        except InvalidInput as invalid:
            problems = ", ".join(f"{k}: {v}" for k, v in invalid.errors.items())
            self.write(f"Not done: {problems}")

    def done(self, arg: str, what: str) -> None:
        """Say what happened, then show the queue afresh (others may have decided too)."""
        self.write(f"Message {arg} {what}.")
        self.list()

    def show(self, review) -> None:
        from . import vocab
        from .domain.policies import MAJORITY, MAX_AGE, MIN_AGE

        m, t = review.message, review.thread
        band = (f"MINOR ({MIN_AGE}-{MAJORITY - 1})" if t.age_band == "minor"
                else f"adult ({MAJORITY}-{MAX_AGE})")  # fmt: skip
        self.write(
            f"message {m.id} · from the {m.author} · priority {m.priority}"
            f"{' · ESCALATED' if m.escalated else ''} · version {m.version}\n"
            f"thread {t.id} · mentor {t.mentor} · {safe(t.pseudonym or '—')} · {band} · "
            f"{vocab.label('regions', t.region, 'en')} · "
            f"{vocab.label('situations', t.situation, 'en')}"
            f" · {t.state}\n"
            f"flags: {'; '.join(flag_name(f, 'en') for f in m.flags) or 'none'}\n"
            f"received {format_when(m.created_at, 'en')} (Québec time)"
        )
        self.write("As it will be delivered:\n" + _quote(m.delivered_text))
        if m.body != m.delivered_text:
            self.write("As written (never delivered as is):\n" + _quote(m.body))
        if review.history:
            self.write("Thread history:")
            for h in review.history:
                text = h.delivered_text if h.status in ("approved", "delivered") else h.body
                self.write(f"  {h.created_at:%Y-%m-%d %H:%M} {h.author} [{h.status}]\n"
                           + _quote(text, "      | "))  # fmt: skip

    def edit(self, message, arg: str) -> None:
        self.write("Current text to deliver:\n" + _quote(message.delivered_text))
        self.write("Type the text to deliver instead; end with a line holding only '.'"
                   " (an empty text cancels).")  # fmt: skip
        lines = []
        while True:
            try:
                line = self.read("")
            except EOFError:
                break
            if line == ".":
                break
            lines.append(line)
        text = "\n".join(lines).strip()
        if not text:
            self.write("Edit cancelled.")
            return
        self.moderation.approve(message.id, version=message.version, actor=self.actor, text=text)
        self.done(arg, "approved with your edit")

    def reject(self, message, arg: str) -> None:
        from .services.moderation import reasons

        choices = reasons()
        for n, reason in enumerate(choices, 1):
            fr = reason["fr"] if len(reason["fr"]) <= 70 else reason["fr"][:69] + "…"
            self.write(f"  {n}. {reason['code']:<18} {fr}")
        answer = self.read("reason (number or code, empty cancels): ").strip()
        if not answer:
            self.write("Rejection cancelled.")
            return
        codes = [r["code"] for r in choices]
        chosen = answer.isdecimal() and 0 < int(answer) <= len(codes)
        code = codes[int(answer) - 1] if chosen else answer
        decision = self.moderation.reject(
            message.id, version=message.version, actor=self.actor, reason=code
        )
        told = " The author was told the reason." if decision.notified else ""
        self.done(arg, f"rejected ({code}).{told}".rstrip("."))


def moderate(read: Callable[[str], str] = input, write: Callable = print) -> None:
    """Review the queue from a terminal: list, show, approve, edit, reject, escalate, resend."""
    from .auth import Authenticator, Unauthenticated

    relay = container.from_env()
    config = _moderator_tokens(relay.settings)
    if not config:
        _fail("no moderator is configured: set PASSERELLE_MODERATOR_TOKENS"
              " (`python -m relay.auth NAME` makes an entry)")  # fmt: skip
    token = relay.settings.moderator_token or getpass.getpass("Moderator token: ")
    try:
        actor = Authenticator(config).from_bearer(f"Bearer {token.strip()}").actor
    except Unauthenticated:
        _fail("this moderator token is not known")
    Console(relay.moderation, actor, read, write).run()


def undeliverable() -> None:
    """List the e-mails that could not go (refused for good, or still failing)."""
    relay = container.from_env()
    alerts = relay.moderation.undeliverable()
    if not alerts:
        print("No undeliverable e-mail.")
    for alert in alerts:
        job = alert.job
        state = "refused" if alert.permanent else alert.state
        print(
            safe(
                f"{job.id}  {job.kind} to the {job.recipient}  {state}  attempts"
                f" {alert.attempts}  error {alert.error or '-'}  thread {alert.thread_id}"
            )
        )


def resend(job_id: str, actor: str = "operator") -> None:
    """Try an undeliverable e-mail again now (after fixing the mail service or the address)."""
    _job_decision("resend", job_id, actor)


def close(job_id: str, actor: str = "operator") -> None:
    """Stop trying an undeliverable e-mail (cancelled, audited)."""
    _job_decision("close", job_id, actor)


def _job_decision(command: str, job_id: str, actor: str) -> None:
    relay = container.from_env()
    act = relay.moderation.resend if command == "resend" else relay.moderation.close
    try:
        job = act(job_id, actor=f"operator:{actor}")
    except NotFound:
        _fail(f"no e-mail job {job_id}")
    except Conflict:
        _fail(f"e-mail job {job_id} is not waiting (sent, closed, or being sent now)")
    print(f"{job.id}: {job.state}")


# --- applications to become a mentor (issue 14) ------------------------------------------------


def _application_line(a) -> str:
    flags = f"  flags: {', '.join(a.flags)}" if a.flags else ""
    return safe(
        f"{a.id}  {a.created_at:%Y-%m-%d}  {a.state:<11}  {a.name} — {a.occupation}"
        f" ({a.sector}, {a.region}){flags}"
    )


def applications(show: str | None = None, decline: str | None = None, reason: str = "",
                 editor: str = "editor") -> None:  # fmt: skip
    """List the applications, show one (`show`), or decline one with a reason."""
    from .domain.applications import ApplicationState

    relay = container.from_env()
    if decline:
        if not reason.strip():
            _fail("say why with --reason")
        try:
            done = relay.applications.decline(decline, reason=reason, by=editor)
        except NotFound:
            _fail(f"no application {decline}")
        except Conflict as conflict:
            _fail(str(conflict))
        print(f"{done.id}: declined")
        return
    if show:
        try:
            a = relay.applications.get(show)
        except NotFound:
            _fail(f"no application {show}")
        print(_application_line(a))
        print(f"  language of the profile: {a.lang}")
        print(f"  languages spoken: {', '.join(a.languages)}")
        print(f"  years of experience: {a.years_experience}")
        print(safe(f"  topics: {'; '.join(a.topics)}"))
        if a.email:
            print(f"  address: {mask(a.email)} (kept by the relay, never in content/)")
        if a.bio:
            print("  bio:")
            print(_quote(a.bio))
        if a.state == ApplicationState.WAITING:
            print(f"  take it:    invoke new-mentor --from-application {a.id}")
            print(f"  decline it: invoke applications --decline {a.id} --reason '...'")
        elif a.reason:
            print(safe(f"  declined: {a.reason}"))
        elif a.slug:
            print(f"  profile: content/mentors/{a.slug}.md")
        return
    found = relay.applications.all()
    waiting = [a for a in found if a.state == ApplicationState.WAITING]
    for a in found:
        print(_application_line(a))
    print(f"{len(waiting)} waiting for an editor, {len(found)} in all")


def new_mentor_from_application(
    root: Path, application_id: str, slug: str | None = None, editor: str = "editor",
    ask: Callable[[str], str] = input,
) -> Path:  # fmt: skip
    """Write the profile of a waiting application (valid against the schema, by the scaffold),
    then mark it taken and store the address as the new mentor's private contact, in one write.
    The address is never written under content/; if the store refuses, the file is removed."""
    from mentors.scaffold import new_mentor_cli, slugify

    from .domain.applications import ApplicationState

    relay = container.from_env()
    try:
        a = relay.applications.get(application_id)
    except NotFound:
        _fail(f"no application {application_id}")
    if a.state != ApplicationState.WAITING or not a.email:
        _fail(f"application {a.id} is {a.state}: only a waiting one can become a profile")
    target = new_mentor_cli(
        root, slug=slug or slugify(a.name), name=a.name, occupation=a.occupation,
        sector=a.sector, region=a.region, languages=",".join(a.languages), lang=a.lang,
        topics=list(a.topics), years_experience=a.years_experience,
        bio=(a.bio or "").replace("<", "&lt;"), ask=ask,
    )  # fmt: skip
    if a.email.casefold() in target.read_text(encoding="utf-8").casefold():
        target.unlink()
        _fail("the profile would contain the applicant's address: edit the application first")
    try:
        relay.applications.take(a.id, slug=target.stem, by=editor)
    except (Conflict, NotFound) as refused:
        target.unlink()
        _fail(f"nothing written: {refused}")
    print(f"Stored the address of {target.stem} in the relay: {mask(a.email)}")
    print("Review the profile (education, photo), set accepting: true, then commit it.")
    return target
