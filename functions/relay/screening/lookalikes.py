"""Look-alike characters (Unicode UTS #39 confusables) folded to the ASCII letter they imitate.

The data is the Unicode consortium's confusables table as shipped by the
confusable-homoglyphs package (offline, read once): Armenian "օ", dotless "ı",
Cyrillic "а", mathematical "𝐣" all read as the Latin letter they pass for.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables

_TABLE: dict[str, list[dict]] = confusables.confusables_data
_MAX_STEPS = 3  # "з" → "ɜ" → "3": the table lists neighbours, not one prototype


def _plain(text: str) -> str:
    """Without marks or invisible characters ("l̸" → "l", "\u200e׀\u200e" → "׀")."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(
        c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
    )


def _rank(candidate: str) -> tuple[int, str] | None:
    """ASCII letters first (what an address is made of), then digits, then punctuation."""
    if not candidate or not candidate.isascii() or not candidate.isprintable():
        return None
    if candidate.isalpha():
        return (0, candidate)
    if candidate.isdigit():
        return (1, candidate)
    if len(candidate) == 1 and not candidate.isspace():
        return (2, candidate)
    return None


@lru_cache(maxsize=65536)
def ascii_lookalike(char: str) -> str | None:
    """The ASCII text `char` passes for, lower case, or None when it imitates nothing ASCII."""
    if char.isascii():
        return None
    seen = {char}
    frontier = [char]
    for _ in range(_MAX_STEPS):
        found = []
        following = []
        for current in frontier:
            for entry in _TABLE.get(current, ()):
                candidate = _plain(entry["c"])
                rank = _rank(candidate)
                if rank is not None:
                    found.append(rank)
                elif len(candidate) == 1 and candidate not in seen:
                    seen.add(candidate)
                    following.append(candidate)
        if found:
            return min(found)[1].lower()
        frontier = following
    return None
