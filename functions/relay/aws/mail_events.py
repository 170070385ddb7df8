"""SES event notifications (through SNS) -> addresses marked undeliverable.

Only what says the mailbox will not take mail: permanent bounces and
complaints. A transient bounce (mailbox full, greylisting) is left to SES's own
retries. Nothing here logs an address: only counts and SES's bounce types.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from ..ports import Store
from .suppression import mark

log = logging.getLogger(__name__)


class NotAMailEvent(ValueError):
    """The SNS message is not an SES bounce or complaint notification we can read."""


@dataclass(frozen=True)
class Undeliverable:
    address: str
    reason: str  # bounce | complaint


def read(notification: dict) -> list[Undeliverable]:
    """One SES event (the SNS message, already parsed) -> the addresses to stop writing to."""
    kind = notification.get("eventType") or notification.get("notificationType")
    if kind == "Bounce":
        bounce = notification.get("bounce") or {}
        if bounce.get("bounceType") != "Permanent":
            return []
        recipients, reason = bounce.get("bouncedRecipients"), "bounce"
    elif kind == "Complaint":
        recipients = (notification.get("complaint") or {}).get("complainedRecipients")
        reason = "complaint"
    elif kind in ("Delivery", "Send", "DeliveryDelay", "Reject", "Open", "Click"):
        return []
    else:
        raise NotAMailEvent(f"not an SES event notification (eventType {kind!r})")
    if not isinstance(recipients, list):
        raise NotAMailEvent(f"an SES {kind} without its list of recipients")
    found = []
    for recipient in recipients:
        address = (recipient or {}).get("emailAddress") if isinstance(recipient, dict) else None
        if not isinstance(address, str) or "@" not in address:
            raise NotAMailEvent(f"an SES {kind} recipient without an e-mail address")
        found.append(Undeliverable(address=address, reason=reason))
    return found


def record(store: Store, secret: str, sns_event: dict, now: datetime) -> dict[str, int]:
    """Handle every SNS record of one invocation; returns counts per reason."""
    counts = {"bounce": 0, "complaint": 0, "ignored": 0}
    for entry in sns_event.get("Records") or []:
        try:
            notification = json.loads(entry["Sns"]["Message"])
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            raise NotAMailEvent("an SNS record without a JSON message") from exc
        found = read(notification)
        if not found:
            counts["ignored"] += 1
        for item in found:
            mark(store, secret, item.address, item.reason, now)
            counts[item.reason] += 1
    log.info("mail_events_recorded", extra=counts)
    return counts
