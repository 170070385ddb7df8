"""Mailer that writes each message as an .eml file in an outbox folder (local development).

The folder and its files are private (0700 / 0600): they hold addresses and
texts. A file's name carries the thread it belongs to, so an erasure removes
the thread's copies (`forget`).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from ..config import private_dir
from ..domain import new_id

THREAD_HEADER = "X-Passerelle-Thread"
SAFE_ID = re.compile(r"^[0-9a-f]{32}$")


class OutboxMailer:
    def __init__(self, folder: Path):
        self.folder = private_dir(Path(folder))

    def send(self, message: EmailMessage) -> str:
        if "Message-ID" not in message:
            message["Message-ID"] = make_msgid(domain="passerelle.example.org")
        thread = str(message.get(THREAD_HEADER, ""))
        tag = thread if SAFE_ID.match(thread) else "none"
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}-{tag}-{new_id()[:8]}.eml"
        tmp = self.folder / f".{name}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(message.as_bytes())
        os.replace(tmp, self.folder / name)  # readers never see half a file
        return str(message["Message-ID"])

    def forget(self, thread_id: str) -> None:
        if not SAFE_ID.match(thread_id):
            return
        for path in self.folder.glob(f"*-{thread_id}-*.eml"):
            path.unlink(missing_ok=True)
