"""AWS entry point: API Gateway HTTP API (payload v2) -> the shared Powertools resolver."""

from __future__ import annotations

from .wiring import build_app

_app = None


def handler(event, context):
    global _app
    if _app is None:  # built once per warm container
        _app = build_app()
    return _app.resolve(event, context)


_questions = None


def maintenance(event, context):
    """Every 5 minutes (EventBridge). Purge is a full Scan on DynamoDB: once a day, or on demand."""
    global _questions
    from .domain import utcnow
    from .maintenance import run_maintenance
    from .wiring import build_questions

    if _questions is None:
        _questions = build_questions()
    now = utcnow()
    purge = bool((event or {}).get("purge")) or (now.hour == 3 and now.minute < 5)
    return run_maintenance(_questions, purge=purge)
