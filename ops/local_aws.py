"""`invoke serve --aws`: the relay on DynamoDB and SES, both from a moto server on 127.0.0.1.

The same site and relay as `make serve`, with the AWS adapters: the table
(shaped by relay.store.dynamodb, as template.yaml shapes it) and the SES
identity of the sender are created on the moto server first. Nothing leaves
this machine; the demo contacts go into moto's table only.
"""

from __future__ import annotations

from email.utils import parseaddr

from ops.moto_server import MotoServer

TABLE = "passerelle"
SENDER = "Passerelle <relais@passerelle.example.org>"


def start(table: str = TABLE, sender: str = SENDER) -> tuple[MotoServer, dict[str, str]]:
    """A running moto server with the table and the identity, and the environment to use it."""
    from relay.store.dynamodb import create_table

    server = MotoServer().start()
    create_table(server.client("dynamodb"), table)
    domain = parseaddr(sender)[1].rpartition("@")[2]
    server.client("sesv2").create_email_identity(EmailIdentity=domain)
    env = {
        **server.env(),
        "PASSERELLE_STORE": "dynamodb",
        "PASSERELLE_TABLE": table,
        "PASSERELLE_MAILER": "ses",
        "PASSERELLE_SENDER": sender,
    }
    return server, env
