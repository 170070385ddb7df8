"""What screening returns: the text to deliver, the flags a moderator sees, a queue priority."""

from __future__ import annotations

from dataclasses import dataclass

PLACEHOLDER = "[coordonnées masquées / contact hidden]"
"""Stands in for every masked contact detail, in both languages, so a mentor or a mentee
knows something was removed (and the site's text never has to guess the reader's language)."""

CONTACT = "contact"
POSSIBLE_CONTACT = "possible_contact"
"""The category of a span the moderator should check: highlighted, never masked."""
RISK_PREFIX = "risk:"


class Flag(str):
    """One finding. A flag *is* its kind ("contact_email", "risk:self_harm"), so it stores and
    compares as that string; in memory it also carries its `category` ("contact" or the risk
    category) and `excerpt_span`, the (start, end) it covers in the text as written, or None."""

    category: str
    excerpt_span: tuple[int, int] | None

    def __new__(cls, kind: str, category: str, excerpt_span: tuple[int, int] | None = None):
        flag = super().__new__(cls, kind)
        flag.__dict__.update(
            category=category, excerpt_span=None if excerpt_span is None else tuple(excerpt_span)
        )
        return flag

    def __setattr__(self, name, value):
        raise AttributeError("Flag is immutable")

    def __getnewargs__(self):
        return (str(self), self.category, self.excerpt_span)

    def __repr__(self) -> str:
        return f"Flag({str(self)!r}, {self.category!r}, {self.excerpt_span!r})"

    @property
    def kind(self) -> str:
        return str(self)

    @property
    def is_risk(self) -> bool:
        return self.startswith(RISK_PREFIX)


@dataclass(frozen=True)
class Screening:
    """The outcome of `screen(text)`."""

    delivered_text: str
    """The text with every contact detail replaced by PLACEHOLDER; otherwise unchanged."""
    flags: tuple[Flag, ...]
    """Every finding, in the order of the text."""
    priority: int
    """Highest weight among the flags' categories (data/screening.yaml); 0 when nothing was
    found. Higher is reviewed first; self-harm is the highest."""
    needs_help: bool = False
    """A risk whose category has `help: true` (self-harm, abuse): the author is shown at once
    where to get help (relay.screening.help)."""

    @property
    def is_flagged(self) -> bool:
        return bool(self.flags)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The distinct kinds found, in order of first appearance (what a store keeps)."""
        return tuple(dict.fromkeys(str(f) for f in self.flags))

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.category for f in self.flags))

    @property
    def masked(self) -> bool:
        return any(f.category == CONTACT for f in self.flags)

    @property
    def possible(self) -> tuple[Flag, ...]:
        """Spans that may be contact details: for the moderator to check, not masked."""
        return tuple(f for f in self.flags if f.category == POSSIBLE_CONTACT)
