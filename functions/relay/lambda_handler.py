"""AWS entry points: API Gateway HTTP API (payload v2) and the 5-minute maintenance schedule.

One relay per warm container, built by the composition root from the
function's environment (template.yaml) the first time it is needed.
"""

from __future__ import annotations

import threading

from . import container

_relay: container.Relay | None = None
_building = threading.Lock()


def relay() -> container.Relay:
    global _relay
    if _relay is None:
        with _building:
            if _relay is None:
                _relay = container.from_env()
    return _relay


def reset() -> None:
    """Forget the warm relay (tests that change the function's environment)."""
    global _relay
    _relay = None


def handler(event, context):
    return relay().resolve(event, context)


def maintenance(event, context):
    """Every 5 minutes (EventBridge). Purge is a full Scan on DynamoDB: once a day, or on demand."""
    current = relay()
    now = current.clock()
    purge = bool((event or {}).get("purge")) or (now.hour == 3 and now.minute < 5)
    return current.maintenance.run(purge=purge)
