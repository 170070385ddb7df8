"""Store adapters (see relay.ports.Store); `open_store()` picks one from the configuration."""

from __future__ import annotations

from ..config import Settings
from ..ports import Store


def open_store(settings: Settings) -> Store:
    if settings.store == "dynamodb":
        from .dynamodb import DynamoDBStore

        return DynamoDBStore(settings.table)
    from .sqlite import SqliteStore

    return SqliteStore(settings.database)
