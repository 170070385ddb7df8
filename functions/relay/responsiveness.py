"""How fast each mentor usually answers, for the site: `invoke responsiveness` writes it to
data/responsiveness.yaml and the build shows "Usually answers within N days".

Only mentors with at least `MIN_ANSWERED` measured answers are written: below
that a median says more about chance than about the mentor. The time is the
operators' report's (`relay.report`): from the question reaching the mentor
(its delivery, else its approval) to the mentor's first message. Nothing
about a mentee is written.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import yaml

from . import report
from .ports import Store

MIN_ANSWERED = 5
HEADER = (
    "# Written by `invoke responsiveness` from the relay's store: do not edit by hand.\n"
    "# slug: {answered: threads with a measured answer, median_days: days, rounded up}\n"
)


def usual_days(answer_hours: list[float]) -> int | None:
    """Whole days (at least 1) of the median answer time, or None below `MIN_ANSWERED`."""
    if len(answer_hours) < MIN_ANSWERED:
        return None
    hours = sorted(answer_hours)
    middle = len(hours) // 2
    median = hours[middle] if len(hours) % 2 else (hours[middle - 1] + hours[middle]) / 2
    return max(1, math.ceil(median / 24))


def build(store: Store, *, now: datetime, mentors: Iterable[str] = ()) -> dict[str, dict]:
    found = {}
    for line in report.build(store, now=now, mentors=mentors).mentors:
        days = usual_days(line.answer_hours)
        if days is not None:
            found[line.mentor] = {"answered": len(line.answer_hours), "median_days": days}
    return found


def write(path: Path, figures: dict[str, dict]) -> None:
    body = yaml.safe_dump(figures, sort_keys=True, allow_unicode=True) if figures else "{}\n"
    path.write_text(HEADER + body, encoding="utf-8")
