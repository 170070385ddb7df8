"""Which e-mail a delivery job is: composed at send time from the stored rows.

Sends nothing itself. Raises `Undeliverable` when there is nobody to send to
(erased thread, no address); `final` says whether waiting can help (a mentor
whose contact is not set yet may get one).
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from ..config import Settings
from ..domain import DeliveryJob, JobKind, Message, NotFound, Side, Status, Thread, ThreadState
from ..domain.applications import ApplicationState
from ..mail import compose
from ..mail.outbox import THREAD_HEADER
from ..manifest import ManifestSource
from ..ports import Store
from .links import THREADS_TTL, Links

MESSAGE_ID_DOMAIN = "relay.passerelle.example.org"


class Undeliverable(Exception):
    """Nothing to send to: a short code, never personal data."""

    def __init__(self, code: str, *, final: bool = True):
        super().__init__(code)
        self.code = code
        self.final = final


def message_id_for(job: DeliveryJob) -> str:
    """Same job, same Message-ID: a repeated send is one message for the reader's mail program."""
    return f"<{job.id}@{MESSAGE_ID_DOMAIN}>"


def _stamped(mail: EmailMessage, job: DeliveryJob) -> EmailMessage:
    """The job's own Message-ID and delivery header (and its thread, the outbox's folder key)."""
    del mail["Message-ID"]
    mail["Message-ID"] = message_id_for(job)
    mail["X-Passerelle-Delivery"] = job.id
    mail[THREAD_HEADER] = job.thread_id
    return mail


class Postman:
    def __init__(self, store: Store, settings: Settings, manifest: ManifestSource, links: Links):
        self.store = store
        self.settings = settings
        self.manifest = manifest
        self.links = links

    def _mentor(self, thread: Thread) -> tuple[str, str]:
        entry = self.manifest.get().mentors.get(thread.mentor)
        name = entry.name if entry else thread.mentor
        lang = entry.lang if entry and entry.lang in ("fr", "en") else "fr"
        return name, lang

    def _mentor_address(self, thread: Thread) -> str:
        try:
            return self.store.get_mentor_contact(thread.mentor).email
        except NotFound:
            raise Undeliverable("no_mentor_contact", final=False) from None

    @staticmethod
    def _mentee_address(thread: Thread) -> str:
        if not thread.mentee_email:
            raise Undeliverable("no_mentee_address")
        return thread.mentee_email

    def compose(self, job: DeliveryJob, thread: Thread, message: Message, now: datetime):
        """The e-mail of `job`, stamped with its Message-ID and its thread."""
        if thread.state == ThreadState.ERASED:
            raise Undeliverable("erased")
        kind = JobKind(job.kind)
        if kind == JobKind.MESSAGE:
            mail = self.delivery(thread, message, job.recipient, now)
        elif kind == JobKind.CONFIRMATION:
            mail = self.confirmation(thread, message, now)
        elif kind == JobKind.PASSED_ON:
            mail = self.passed_on(thread, now)
        elif kind == JobKind.THREADS_LINK:
            mail = self.threads_link(thread, now)
        else:
            mail = self.rejection(thread, message, now)
        return _stamped(mail, job)

    def compose_standalone(self, job: DeliveryJob, now: datetime) -> EmailMessage:
        """An e-mail that is not about a thread: a mentor applicant's confirmation link."""
        application = self.store.get_application(job.thread_id, now=now)
        if application.state != ApplicationState.UNCONFIRMED:
            raise Undeliverable(f"application_{application.state}")
        if not application.email:
            raise Undeliverable("no_applicant_address")
        mail = self._email(
            application.email, application.lang, "application_confirm",
            applicant=application.name, link=self.links.application(application.id, now),
        )  # fmt: skip
        return _stamped(mail, job)

    def threads_link(self, thread: Thread, now: datetime) -> EmailMessage:
        """The link to all the conversations of the thread's address (never the address)."""
        if not thread.mentee_key:
            raise Undeliverable("no_mentee_address")
        return self._email(
            self._mentee_address(thread), thread.lang, "threads_link",
            link=self.links.threads(thread.mentee_key, now), days=THREADS_TTL.days,
        )  # fmt: skip

    def _email(self, to: str, lang: str, name: str, **ctx) -> EmailMessage:
        return compose.email(
            sender=self.settings.sender, to=to, lang=lang, name=name,
            site_url=self.settings.site_url, relay_url=self.settings.relay_url,
            link_days=self.links.days, **ctx,
        )  # fmt: skip

    def confirmation(self, thread: Thread, message: Message, now: datetime) -> EmailMessage:
        """Asks the mentee to prove the address; quotes the question back to its own author."""
        name, _ = self._mentor(thread)
        return self._email(
            self._mentee_address(thread), thread.lang, "confirmation", mentor_name=name,
            question=message.body or "", link=self.links.confirm(thread.id, now),
        )  # fmt: skip

    def passed_on(self, thread: Thread, now: datetime) -> EmailMessage:
        """Tells the mentee their message reached the mentor (no text quoted)."""
        name, _ = self._mentor(thread)
        return self._email(
            self._mentee_address(thread), thread.lang, "passed_on", pseudonym=thread.pseudonym,
            mentor_name=name, link=self.links.conversation(thread.id, Side.MENTEE, now),
        )  # fmt: skip

    def delivery(self, thread: Thread, message: Message, recipient: Side, now: datetime):
        """The e-mail that carries an approved message to the other side."""
        if message.status != Status.APPROVED:
            raise Undeliverable(f"message_{message.status}")
        if message.delivered_text is None:
            raise Undeliverable("erased")
        name, mentor_lang = self._mentor(thread)
        if recipient == Side.MENTOR:
            messages = self.store.list_messages(thread.id, now=now)
            first = bool(messages) and messages[0].id == message.id
            # The mentee is a pseudonym, an age band and a region: never an address.
            return self._email(
                self._mentor_address(thread), mentor_lang, "to_mentor", mentor_name=name,
                pseudonym=thread.pseudonym or "", minor=str(thread.age_band) == "minor",
                region=thread.region, situation=thread.situation, text=message.delivered_text,
                first=first, link=self.links.conversation(thread.id, Side.MENTOR, now),
                pause_link=self.links.pause(thread.id, now),
            )  # fmt: skip
        return self._email(
            self._mentee_address(thread), thread.lang, "to_mentee", pseudonym=thread.pseudonym,
            mentor_name=name, text=message.delivered_text,
            link=self.links.conversation(thread.id, Side.MENTEE, now),
        )  # fmt: skip

    def rejection(self, thread: Thread, message: Message, now: datetime) -> EmailMessage:
        """Tells the author the reason (a template in their language), never who decided, and
        how to write again: the conversation, or for a first question the mentor's profile."""
        name, mentor_lang = self._mentor(thread)
        if message.author == Side.MENTOR:
            lang, to = mentor_lang, self._mentor_address(thread)
        else:
            lang, to = thread.lang, self._mentee_address(thread)
        messages = self.store.list_messages(thread.id, now=now)
        first = bool(messages) and messages[0].id == message.id
        link = None if first else self.links.conversation(thread.id, message.author, now)
        return self._email(
            to, lang, "rejection", reason=message.reason or "", link=link, first=first,
            mentor_name=name, mentor=thread.mentor, to_mentor=message.author == Side.MENTOR,
        )  # fmt: skip
