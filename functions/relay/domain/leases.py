"""Leases on delivery jobs: one worker at a time, taken over when the holder goes silent."""

from __future__ import annotations

from dataclasses import replace
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


def moved(job: DeliveryJob, *, expected: JobState, new: JobState, now: datetime) -> DeliveryJob:
    """A moderator's resend (back to queued, due now) or close: only an unleased job moves.

    Conflict when it is no longer in `expected` or a worker holds it (it may be sending).
    """
    if job.state != expected or (job.lease_until is not None and job.lease_until > now):
        raise Conflict(f"job {job.id} is {job.state} (or being sent), not {expected}")
    return replace(
        job, state=JobState(new), next_attempt_at=now, lease_owner=None, lease_until=None,
        permanent=False if new == JobState.QUEUED else job.permanent,
    )  # fmt: skip
