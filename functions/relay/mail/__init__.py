"""Mail adapters (see relay.ports.Mailer) and the composition of messages."""

from __future__ import annotations

from ..config import Settings
from ..ports import Mailer


def open_mailer(settings: Settings) -> Mailer:
    if settings.mailer == "ses":
        from .ses import SesMailer

        return SesMailer()
    from .outbox import OutboxMailer

    return OutboxMailer(settings.outbox_dir)
