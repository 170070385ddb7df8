"""Leases on delivery jobs: one worker at a time, taken over when the holder goes silent."""

from __future__ import annotations

from datetime import datetime

from .errors import Conflict, LeaseLost
from .models import DeliveryJob, JobState


def held(job: DeliveryJob, owner: str, now: datetime) -> bool:
    return job.lease_owner == owner and job.lease_until is not None and job.lease_until > now


def check_held(job: DeliveryJob, owner: str, now: datetime) -> None:
    """Conflict if the job is no longer queued, LeaseLost if `owner` lost its lease."""
    if job.state != JobState.QUEUED:
        raise Conflict(f"job {job.id} is already {job.state}")
    if not held(job, owner, now):
        raise LeaseLost(f"job {job.id} is not leased to {owner}")
