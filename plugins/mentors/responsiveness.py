"""Usual answer times written by `invoke responsiveness` (data/responsiveness.yaml), if any.

A mentor is shown as "usually answers within N days" only with at least
`MIN_ANSWERED` answered threads; a missing or unreadable file shows nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path

import yaml

FILE = "responsiveness.yaml"
MIN_ANSWERED = 5
log = logging.getLogger(__name__)


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def read(data_dir: str | Path) -> dict[str, int]:
    """slug -> days (a positive whole number) for mentors with enough answered threads."""
    path = Path(data_dir) / FILE
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        log.warning("%s: unreadable, no answer times shown (%s)", path, exc)
        return {}
    found = {}
    for slug, entry in data.items() if isinstance(data, dict) else ():
        if not isinstance(entry, dict):
            continue
        answered, days = _whole(entry.get("answered")), _whole(entry.get("median_days"))
        if answered and answered >= MIN_ANSWERED and days:
            found[str(slug)] = days
    return found
