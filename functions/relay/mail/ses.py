"""Mailer on Amazon SES v2: sends the composed message as raw MIME.

Raw, because mail/compose.py already built the exact message (text + HTML,
headers, encodings); SES takes the recipients from its headers. Nothing here
logs an address or a body, and a failure carries only SES's error code: SES
error texts can quote the addresses involved.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import getaddresses

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from ..domain import MailRefused

log = logging.getLogger(__name__)


class SesSendError(RuntimeError):
    """SES refused or could not be reached; `code` is safe to log and to store on the job."""

    def __init__(self, code: str):
        super().__init__(f"SES did not accept the message ({code})")
        self.code = code


class SesRefused(SesSendError, MailRefused):
    """SES refused this message for good (bad address, suppressed): retrying cannot help."""


#: SES error codes that no retry can fix (the message or its recipient is refused).
PERMANENT = frozenset({"MessageRejected", "BadRequestException", "InvalidParameterValue"})


class SesMailer:
    """The Mailer port on SES v2 (boto3 honours AWS_ENDPOINT_URL, so tests point it at moto)."""

    def __init__(self, client=None, configuration_set: str | None = None):
        self._client = client or boto3.client("sesv2")
        self._configuration_set = configuration_set

    def send(self, message: EmailMessage) -> str:
        senders = getaddresses(message.get_all("From", []))
        if len(senders) != 1 or not senders[0][1]:
            raise SesRefused("InvalidFrom")
        if not getaddresses(message.get_all("To", []) + message.get_all("Cc", [])):
            raise SesRefused("NoRecipient")
        request = {
            "FromEmailAddress": senders[0][1],
            "Content": {"Raw": {"Data": message.as_bytes(policy=SMTP)}},
        }
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        try:
            response = self._client.send_email(**request)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "ClientError")
            log.warning("ses refused a message", extra={"ses_error": code})
            raise (SesRefused if code in PERMANENT else SesSendError)(code) from None
        except BotoCoreError as exc:
            code = type(exc).__name__
            log.warning("ses unreachable", extra={"ses_error": code})
            raise SesSendError(code) from None
        message_id = response["MessageId"]
        log.info("ses accepted a message", extra={"ses_message_id": message_id})
        return message_id

    def forget(self, thread_id: str) -> None:
        """Sent mail is out of our hands; SES keeps no copy the relay could remove."""
