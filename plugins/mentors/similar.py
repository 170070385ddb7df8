"""Candidate mentors to suggest when a mentor cannot take a question: same sector, then region.

The build only knows who accepts at build time; the page's script and the
relay keep the first few that the live availability says can answer now.
Each group is read from just after the mentor, so one busy profile does not
send everyone to the same few names.
"""

from __future__ import annotations

CANDIDATES = 8


def _after(group: list[str], position: dict[str, int], slug: str) -> list[str]:
    start = position.get(slug, -1) + 1
    return group[start:] + group[:start]


def candidates(directory, limit: int = CANDIDATES) -> dict[str, list[str]]:
    """slug -> up to `limit` other slugs accepting at build time, nearest first."""
    views = directory.views["fr"]
    open_ = {slug for slug in directory.slugs if views[slug].accepting}
    groups = {
        kind: {code: [s for s in members if s in open_] for code, members in by_code.items()}
        for kind, by_code in directory.groups.items()
        if kind in ("sector", "region")
    }
    positions = {
        kind: {code: {s: i for i, s in enumerate(members)} for code, members in by_code.items()}
        for kind, by_code in groups.items()
    }
    found: dict[str, list[str]] = {}
    for slug in directory.slugs:
        profile = directory.sources[slug].profile
        picked: dict[str, None] = {}
        for kind, code in (("sector", profile.sector), ("region", profile.region)):
            for other in _after(groups[kind].get(code, []), positions[kind].get(code, {}), slug):
                if len(picked) >= limit:
                    break
                if other != slug:
                    picked.setdefault(other)
        found[slug] = list(picked)
    return found
