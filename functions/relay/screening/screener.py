"""Screening one message: mask its contact details, flag its risks, give it a priority."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path

from .contacts import POSSIBLE, ContactFinder
from .decode import Decoder
from .result import CONTACT, PLACEHOLDER, POSSIBLE_CONTACT, RISK_PREFIX, Flag, Screening
from .risks import RiskFinder
from .rules import Rules, load_rules
from .text import fold, words

MAX_PASSES = 4
"""Masking is repeated on its own output until nothing new appears, so that what is left
around a placeholder ("[...]@0" once "x@0" is masked) is never a contact detail either."""

CONTEXT_MESSAGES = 3
CONTEXT_CHARS = 200
"""How much of the author's earlier messages a message is screened with: enough for a number
or an address cut in two ("514 555" then "0199"), not a whole thread."""
_JOIN = "\n"


class Screener:
    """Holds the compiled detectors of one vocabulary; `screen` is pure and thread-safe."""

    def __init__(self, rules: Rules):
        self.rules = rules
        self.contacts = ContactFinder(rules.contact)
        self.decoder = Decoder(rules.contact.decoding)
        self.risks = RiskFinder(rules.categories)
        self.weights = {c.name: c.weight for c in rules.categories}
        self.weights[CONTACT] = rules.contact.weight
        self.weights[POSSIBLE_CONTACT] = rules.possible.weight
        self.help_categories = frozenset(c.name for c in rules.categories if c.help)
        self.labels = {c.name: {"fr": c.label_fr, "en": c.label_en} for c in rules.categories}
        self.labels[CONTACT] = {"fr": rules.contact.label_fr, "en": rules.contact.label_en}
        self.labels[POSSIBLE_CONTACT] = {
            "fr": rules.possible.label_fr,
            "en": rules.possible.label_en,
        }

    @classmethod
    def from_file(cls, path: Path | None = None) -> Screener:
        return cls(load_rules(path))

    def screen(
        self, text: str, *, context: Sequence[str] = (), shortcuts: bool = True
    ) -> Screening:
        """`context`: the same author's earlier messages in the thread, oldest first; a detail
        that starts there and ends in `text` is masked in `text`. `shortcuts=False` runs every
        contact detector whatever the text (for tests)."""
        if not isinstance(text, str):
            raise TypeError(f"screen() needs a str, not {type(text).__name__}")
        if isinstance(context, str) or not all(isinstance(c, str) for c in context):
            raise TypeError("screen(context=) needs a sequence of str")
        folded, offsets = fold(text)
        tokens = words(folded)
        risk_flags = [
            Flag(RISK_PREFIX + name, name, (offsets[start], offsets[end - 1] + 1))
            for name, start, end in self.risks.find(folded, tokens)
            if end > start
        ]
        contact_flags, possible = self._contacts(text, folded, offsets, tokens, shortcuts)
        if context:
            contact_flags = _outermost(contact_flags + self._across(text, context, shortcuts))
        delivered, pieces = _mask(text, contact_flags)
        for _ in range(MAX_PASSES if contact_flags else 0):  # nothing masked: nothing new
            found = []
            for lo, hi in _around_placeholders(delivered, pieces):
                part = delivered[lo:hi]
                here, _unsure = self._contacts(part, *fold(part), None, shortcuts)
                found += [_shifted(f, lo) for f in here]
            found = [_back(flag, pieces) for flag in found if not _in_placeholder(flag, pieces)]
            if not found:
                break
            contact_flags = _outermost(contact_flags + found)
            delivered, pieces = _mask(text, contact_flags)
        possible = [f for f in possible if not _overlaps(f, contact_flags)]
        flags = tuple(
            sorted(contact_flags + possible + risk_flags, key=lambda f: (f.excerpt_span, f.kind))
        )
        priority = max((self.weights[f.category] for f in flags), default=0)
        needs_help = any(f.category in self.help_categories for f in risk_flags)
        return Screening(delivered, flags, priority, needs_help)

    def _across(self, text: str, context: Sequence[str], shortcuts: bool) -> list[Flag]:
        """Contact details found in `text` read after the author's earlier messages (joined by
        a line break, then run together, as a reader would), clipped to `text`."""
        earlier = _JOIN.join(c[-CONTEXT_CHARS:] for c in context[-CONTEXT_MESSAGES:])
        earlier = earlier[-CONTEXT_CHARS:].rstrip()
        if not earlier:
            return []
        found_here = []
        head = _head(text)
        for glue in (" ", ""):  # read on, or run together ("514 555" + "0199")
            prefix = earlier + glue
            joined = prefix + head
            found, _unsure = self._contacts(joined, *fold(joined), None, shortcuts)
            cut = len(prefix)
            for f in found:
                start, end = max(f.excerpt_span[0], cut) - cut, f.excerpt_span[1] - cut
                if end > start and head[start:end].strip():
                    found_here.append(Flag(f.kind, f.category, (start, end)))
        return found_here

    def _contacts(self, text, folded, offsets, tokens, shortcuts) -> tuple[list[Flag], list[Flag]]:
        """Contact findings in `text` (outermost only, spans in `text`), and the possible ones.
        The detectors read the folded text, then its decoded copy when it had disguises."""
        if tokens is None and shortcuts:
            tokens = words(folded)

        def unaccented_at(start: int, end: int) -> bool:
            written = unicodedata.normalize("NFD", text[offsets[start] : offsets[end - 1] + 1])
            return not any(map(unicodedata.combining, written))

        def capital_at(index: int) -> bool:
            return text[offsets[index]].isupper()

        spans = [
            (hit.kind, offsets[hit.start], _through_marks(text, offsets[hit.end - 1] + 1))
            for hit in self.contacts.find(
                folded, tokens if shortcuts else None, unaccented_at, capital_at
            )
            if hit.end > hit.start
        ]
        for offset, decoded, back in self.decoder.parts(folded):

            def decoded_unaccented(start: int, end: int, back=back, offset=offset) -> bool:
                return unaccented_at(offset + back[start][0], offset + back[end - 1][1])

            def decoded_capital(index: int, back=back, offset=offset) -> bool:
                return capital_at(offset + back[index][0])

            for hit in self.contacts.find(
                decoded,
                words(decoded) if shortcuts else None,
                decoded_unaccented,
                decoded_capital,
            ):
                if hit.end > hit.start:
                    first = offset + back[hit.start][0]
                    last = offset + back[hit.end - 1][1]
                    end = _through_marks(text, offsets[last - 1] + 1)
                    spans.append((hit.kind, offsets[first], end))
        sure = _outermost(
            Flag(kind, CONTACT, (start, end)) for kind, start, end in spans if kind != POSSIBLE
        )
        unsure = _outermost(
            Flag(POSSIBLE, POSSIBLE_CONTACT, (start, end))
            for kind, start, end in spans
            if kind == POSSIBLE
        )
        return sure, unsure

    def label(self, category: str, lang: str) -> str:
        """A category's name for a moderator, in French or English."""
        names = self.labels[category]
        return names.get(lang, names["fr"])


AROUND = 100
"""How much of the delivered text around a placeholder is read again: what masking left
there, and only there, is new."""


def _shifted(flag: Flag, by: int) -> Flag:
    start, end = flag.excerpt_span
    return Flag(flag.kind, flag.category, (start + by, end + by))


def _around_placeholders(delivered: str, pieces) -> list[tuple[int, int]]:
    """Merged regions of `delivered` around each placeholder, cut at white space."""
    regions: list[list[int]] = []
    for start, end, _a, _b, masked in pieces:
        if not masked:
            continue
        lo, hi = max(0, start - AROUND), min(len(delivered), end + AROUND)
        while lo > 0 and not delivered[lo - 1].isspace():
            lo -= 1
        while hi < len(delivered) and not delivered[hi].isspace():
            hi += 1
        if regions and lo <= regions[-1][1]:
            regions[-1][1] = max(regions[-1][1], hi)
        else:
            regions.append([lo, hi])
    return [(lo, hi) for lo, hi in regions]


HEAD_CHARS = 120
"""How far into a message a detail begun in an earlier one can reach."""


def _head(text: str) -> str:
    """The start of `text` that can continue an earlier message, cut at white space."""
    if len(text) <= HEAD_CHARS:
        return text
    end = HEAD_CHARS
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[:end]


def _through_marks(text: str, end: int) -> int:
    """A span's end moved past the marks and invisible characters that follow it (the keycap
    of "9️⃣"), so that none is left dangling after the placeholder."""
    while end < len(text) and unicodedata.category(text[end]) in ("Mn", "Me", "Cf"):
        end += 1
    return end


def _overlaps(flag: Flag, others: list[Flag]) -> bool:
    start, end = flag.excerpt_span
    return any(o.excerpt_span[0] < end and start < o.excerpt_span[1] for o in others)


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


# A piece of the delivered text: (start, end) in it, (start, end) in the text as written,
# and whether it is a placeholder.
Piece = tuple[int, int, int, int, bool]


def _mask(text: str, flags: list[Flag]) -> tuple[str, list[Piece]]:
    """Replace each contact span (overlapping or touching spans merged) by the placeholder."""
    out: list[str] = []
    pieces: list[Piece] = []
    length = position = 0
    for start, end in _merged(f.excerpt_span for f in flags):
        for chunk, source, masked in ((text[position:start], (position, start), False),
                                      (PLACEHOLDER, (start, end), True)):  # fmt: skip
            if chunk:
                pieces.append((length, length + len(chunk), *source, masked))
                out.append(chunk)
                length += len(chunk)
        position = end
    if position < len(text):
        pieces.append((length, length + len(text) - position, position, len(text), False))
        out.append(text[position:])
    return "".join(out), pieces


def _merged(spans) -> list[tuple[int, int]]:
    result: list[list[int]] = []
    for start, end in sorted(spans):
        if result and start <= result[-1][1]:
            result[-1][1] = max(result[-1][1], end)
        else:
            result.append([start, end])
    return [(s, e) for s, e in result]


def _piece_at(pieces: list[Piece], position: int) -> Piece:
    for piece in pieces:
        if piece[0] <= position < piece[1]:
            return piece
    raise ValueError(position)


def _in_placeholder(flag: Flag, pieces: list[Piece]) -> bool:
    start, end = flag.excerpt_span
    piece = _piece_at(pieces, start)
    return piece[4] and end <= piece[1]


def _back(flag: Flag, pieces: list[Piece]) -> Flag:
    """A finding in the delivered text, moved to the text as written (a placeholder stands
    for the whole span it replaced)."""
    start, end = flag.excerpt_span
    first, last = _piece_at(pieces, start), _piece_at(pieces, end - 1)
    begin = first[2] if first[4] else first[2] + start - first[0]
    stop = last[3] if last[4] else last[2] + end - last[0]
    return Flag(flag.kind, flag.category, (begin, stop))
