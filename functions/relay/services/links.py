"""Signed, expiring links of the e-mails: one side, one thread, one purpose each."""

from __future__ import annotations

from datetime import datetime

from ..config import Settings
from ..domain import Side, policies, tokens

CONFIRM = "confirm"  # token purpose: the mentee proves the address
CONVERSATION = "conversation"  # token purpose: read the thread, reply, (mentee) erase
PAUSE = "pause"  # token purpose: the mentor pauses or resumes themself


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

    def verify(self, token: str, purpose: str, now: datetime, side: Side | None = None):
        return tokens.verify(
            self.secret, token or "", purpose=purpose, now=now,
            side=None if side is None else str(side),
        )  # fmt: skip
