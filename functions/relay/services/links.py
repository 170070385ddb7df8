"""Signed, expiring links of the e-mails: one side, one thread, one purpose each."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..config import Settings
from ..domain import Side, applications, policies, tokens

CONFIRM = "confirm"  # token purpose: the mentee proves the address
CONVERSATION = "conversation"  # token purpose: read the thread, reply, (mentee) erase
PAUSE = "pause"  # token purpose: the mentor pauses or resumes themself
APPLICATION = "application"  # token purpose: a mentor applicant proves the address
THREADS = "threads"  # token purpose: a mentee lists all their conversations
THREADS_TTL = timedelta(days=7)  # a list of conversations: a week, then ask again


class Links:
    def __init__(self, settings: Settings):
        self.secret = settings.secret
        self.base = settings.relay_url  # the API's origin (PASSERELLE_API_URL on AWS)
        self.limits = settings.limits

    @property
    def days(self) -> int:
        return self.limits.link_ttl.days

    def token(self, thread_id: str, side: Side | str, purpose: str, now: datetime) -> str:
        return tokens.issue(
            self.secret, thread_id=thread_id, side=str(side), purpose=purpose, now=now,
            ttl=self.limits.link_ttl,
        )  # fmt: skip

    def confirm(self, thread_id: str, now: datetime) -> str:
        token = tokens.issue(
            self.secret, thread_id=thread_id, side=str(Side.MENTEE), purpose=CONFIRM, now=now,
            ttl=policies.UNCONFIRMED_TTL,
        )  # fmt: skip
        return f"{self.base}/api/questions/confirm?token={token}"

    def conversation(self, thread_id: str, side: Side | str, now: datetime) -> str:
        token = self.token(thread_id, side, CONVERSATION, now)
        return f"{self.base}/api/conversation?token={token}"

    def pause(self, thread_id: str, now: datetime) -> str:
        token = self.token(thread_id, Side.MENTOR, PAUSE, now)
        return f"{self.base}/api/mentors/pause?token={token}"

    def application(self, application_id: str, now: datetime) -> str:
        token = tokens.issue(
            self.secret, thread_id=application_id, side=str(Side.MENTOR), purpose=APPLICATION,
            now=now, ttl=applications.UNCONFIRMED_TTL,
        )  # fmt: skip
        return f"{self.base}/api/applications/confirm?token={token}"

    def threads(self, mentee_key: str, now: datetime) -> str:
        """The link to all the conversations of one address (the token names its salted key)."""
        token = tokens.issue(
            self.secret, thread_id=mentee_key, side=str(Side.MENTEE), purpose=THREADS, now=now,
            ttl=THREADS_TTL,
        )  # fmt: skip
        return f"{self.base}/api/my-conversations?token={token}"

    def verify(self, token: str, purpose: str, now: datetime, side: Side | None = None):
        return tokens.verify(
            self.secret, token or "", purpose=purpose, now=now,
            side=None if side is None else str(side),
        )  # fmt: skip
