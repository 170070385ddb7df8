"""The Powertools resolver, with its per-request state kept per request.

Powertools stores the current event on `BaseRouter` itself (a class
attribute shared by every resolver in the process) and the route context on
the instance. This subclass keeps the event on the instance, and the
container gives each server thread its own instance, so concurrent requests
never see each other's event or context, with no lock around `resolve`.
On Lambda (one request at a time per container) it behaves as the parent.
`finish`, when set, sees every answer last (the relay adds its security headers there).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver


class PerRequestResolver(APIGatewayHttpResolver):
    _event: Any = None
    finish: Callable[[dict], dict] | None = None

    def resolve(self, event, context) -> dict:
        result = super().resolve(event, context)
        return self.finish(result) if self.finish is not None else result

    def _to_proxy_event(self, event: dict):
        self._event = super()._to_proxy_event(event)
        return self._event

    @property
    def current_event(self):  # read by our routes and by Powertools' middlewares via `app`
        return self._event
