"""The Lambda entry points template.yaml names: HTTP API, maintenance, SES mail events.

Each container builds the relay once and rebuilds it only when the secret or
the site's origin changed (read through the Parameters cache). Every
invocation logs with the Lambda context, flushes its metrics and is traced.
"""

from __future__ import annotations

from . import mail_events as events
from . import runtime
from .observability import logger, metrics, oldest_pending_delivery_seconds, tracer

_built: dict[str, tuple] = {}


def _relay(kind: str):
    """The relay for the current settings, built once per container (and kind)."""
    settings = runtime.settings()
    stamp = (settings.secret, settings.site_url)
    cached = _built.get(kind)
    if cached is None or cached[0] != stamp:
        if cached is not None:
            cached[1].close()
        cached = _built[kind] = (stamp, runtime.relay(settings))
    return cached[1]


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler
def http(event, context):
    return _relay("http").resolve(event, context)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler
def maintenance(event, context):
    """Every 5 minutes: deliveries, inactivity; the purge (a full Scan) once a day or on demand."""
    relay = _relay("maintenance")
    now = relay.clock()
    purge = bool((event or {}).get("purge")) or (now.hour == 3 and now.minute < 5)
    report = relay.maintenance.run(purge=purge)
    late = oldest_pending_delivery_seconds(relay.store, relay.clock())
    metrics.add_metric("OldestPendingDeliverySeconds", "Seconds", late)
    logger.info("maintenance_done", extra={**report, "oldest_pending_seconds": late})
    return report


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler
def mail_events(event, context):
    """SNS -> SES bounces and complaints: the addresses are marked undeliverable."""
    relay = _relay("mail_events")
    return events.record(relay.store, relay.settings.secret, event, relay.clock())
