"""Screening one message: mask its contact details, flag its risks, give it a priority."""

from __future__ import annotations

from pathlib import Path

from .contacts import ContactFinder
from .result import CONTACT, PLACEHOLDER, RISK_PREFIX, Flag, Screening
from .risks import RiskFinder
from .rules import Rules, load_rules
from .text import fold, words


class Screener:
    """Holds the compiled detectors of one vocabulary; `screen` is pure and thread-safe."""

    def __init__(self, rules: Rules):
        self.rules = rules
        self.contacts = ContactFinder(rules.contact)
        self.risks = RiskFinder(rules.categories)
        self.weights = {c.name: c.weight for c in rules.categories}
        self.weights[CONTACT] = rules.contact.weight
        self.labels = {c.name: {"fr": c.label_fr, "en": c.label_en} for c in rules.categories}
        self.labels[CONTACT] = {"fr": rules.contact.label_fr, "en": rules.contact.label_en}

    @classmethod
    def from_file(cls, path: Path | None = None) -> Screener:
        return cls(load_rules(path))

    def screen(self, text: str, *, shortcuts: bool = True) -> Screening:
        """`shortcuts=False` runs every contact detector whatever the text (for tests)."""
        if not isinstance(text, str):
            raise TypeError(f"screen() needs a str, not {type(text).__name__}")
        folded, offsets = fold(text)
        tokens = words(folded)

        def source(start: int, end: int) -> tuple[int, int]:
            return offsets[start], offsets[end - 1] + 1

        def ascii_at(start: int, end: int) -> bool:
            begin, stop = source(start, end)
            return text[begin:stop].isascii()

        contact_flags = _outermost(
            Flag(hit.kind, CONTACT, source(hit.start, hit.end))
            for hit in self.contacts.find(folded, tokens if shortcuts else None, ascii_at)
            if hit.end > hit.start
        )
        risk_flags = [
            Flag(RISK_PREFIX + name, name, source(start, end))
            for name, start, end in self.risks.find(folded, tokens)
            if end > start
        ]
        flags = tuple(
            sorted(contact_flags + risk_flags, key=lambda f: (f.excerpt_span, f.kind))
        )
        priority = max((self.weights[f.category] for f in flags), default=0)
        return Screening(_mask(text, contact_flags), flags, priority)

    def label(self, category: str, lang: str) -> str:
        """A category's name for a moderator, in French or English."""
        names = self.labels[category]
        return names.get(lang, names["fr"])


def _outermost(flags) -> list[Flag]:
    """Drop a finding that lies inside another (the "exemple.com" of "julie@exemple.com")."""
    kept: list[Flag] = []
    reach = -1  # furthest end of a kept finding; they are visited by start
    for flag in sorted(flags, key=lambda f: (f.excerpt_span[0], -f.excerpt_span[1])):
        if flag.excerpt_span[1] <= reach:
            continue
        kept.append(flag)
        reach = flag.excerpt_span[1]
    return kept


def _mask(text: str, flags: list[Flag]) -> str:
    """Replace each contact span (overlapping spans merged) by the placeholder."""
    pieces = []
    position = 0
    for start, end in _merged(f.excerpt_span for f in flags):
        pieces.append(text[position:start])
        pieces.append(PLACEHOLDER)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _merged(spans) -> list[tuple[int, int]]:
    result: list[list[int]] = []
    for start, end in sorted(spans):
        if result and start <= result[-1][1]:
            result[-1][1] = max(result[-1][1], end)
        else:
            result.append([start, end])
    return [(s, e) for s, e in result]
