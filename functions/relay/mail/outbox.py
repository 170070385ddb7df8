"""Mailer that writes each message as an .eml file in an outbox folder (local development)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from ..domain import new_id


class OutboxMailer:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def send(self, message: EmailMessage) -> str:
        if "Message-ID" not in message:
            message["Message-ID"] = make_msgid(domain="passerelle.example.org")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}-{new_id()[:8]}.eml"
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(message.as_bytes())
        os.replace(tmp, self.folder / name)  # readers never see half a file
        return str(message["Message-ID"])
