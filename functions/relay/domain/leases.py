"""Leases on delivery jobs: one worker at a time, taken over when the holder goes silent."""

from __future__ import annotations

from datetime import datetime, timedelta

from .errors import Conflict, LeaseLost
from .models import DeliveryJob, JobState


def claimable(job: DeliveryJob, now: datetime) -> bool:
    """Queued, due, alive and not held by a live lease."""
    return (
        job.state == JobState.QUEUED
        and job.next_attempt_at <= now
        and job.expires_at > now
        and (job.lease_until is None or job.lease_until <= now)
    )


def held(job: DeliveryJob, owner: str, now: datetime) -> bool:
    return job.lease_owner == owner and job.lease_until is not None and job.lease_until > now


def check_held(job: DeliveryJob, owner: str, now: datetime) -> None:
    """Conflict if the job is no longer queued, LeaseLost if `owner` lost its lease."""
    if job.state != JobState.QUEUED:
        raise Conflict(f"job {job.id} is already {job.state}")
    if not held(job, owner, now):
        raise LeaseLost(f"job {job.id} is not leased to {owner}")


def lease_until(now: datetime, lease: timedelta) -> datetime:
    return now + lease
