"""Addresses that bounced or complained: the relay stops writing to them.

The store keeps only a salted hash of the address (`address_key`), so the list
can be read, logged and counted without holding anybody's address. SES's own
suppression list (the configuration set's SuppressionOptions) stops the mail
too; this one makes the relay know it, so the moderators see it: a delivery to
such an address gives up at once (error `address_bounce` / `address_complaint`)
and lands in their "Undeliverable messages" list.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import getaddresses

from ..domain import MailRefused, tokens, utcnow
from ..ports import Mailer, Store

log = logging.getLogger(__name__)

BUCKET = "undeliverable"
KEPT = timedelta(days=365)  # a mailbox that bounced a year ago may work again
REASONS = ("bounce", "complaint")
DELIVERY_HEADER = "X-Passerelle-Delivery"  # set by relay.delivery on every delivery e-mail


def address_key(secret: str, address: str) -> str:
    return tokens.key_hash(secret, BUCKET, address.strip().lower())


class AddressUndeliverable(MailRefused):
    """The recipient is on the list: a permanent refusal, `code` is safe to store."""

    final = True

    def __init__(self, reason: str):
        super().__init__(f"address_{reason}")


def mark(store: Store, secret: str, address: str, reason: str, now: datetime) -> str:
    if reason not in REASONS:
        raise ValueError(f"reason must be one of {', '.join(REASONS)}, not {reason!r}")
    key = address_key(secret, address)
    store.mark_undeliverable(key, reason=reason, expires_at=now + KEPT, now=now)
    return key


class SuppressingMailer:
    """The Mailer port, refusing recipients on the list before anything reaches SES."""

    def __init__(
        self, mailer: Mailer, store: Store, secret: str, clock: Callable[[], datetime] = utcnow
    ):
        self.mailer = mailer
        self.store = store
        self.secret = secret
        self.clock = clock

    def send(self, message: EmailMessage) -> str:
        now = self.clock()
        for _, address in getaddresses(message.get_all("To", []) + message.get_all("Cc", [])):
            reason = self.store.undeliverable_reason(address_key(self.secret, address), now=now)
            if reason is None:
                continue
            log.warning("mail_suppressed", extra={"reason": reason})
            if message.get(DELIVERY_HEADER):
                raise AddressUndeliverable(reason)
            return "suppressed"  # a confirmation or a notice: SES would drop it anyway
        return self.mailer.send(message)
