"""AWS entry point: API Gateway HTTP API (payload v2) -> the shared Powertools resolver."""

from __future__ import annotations

from .wiring import build_app

_app = None


def handler(event, context):
    global _app
    if _app is None:  # built once per warm container
        _app = build_app()
    return _app.resolve(event, context)
