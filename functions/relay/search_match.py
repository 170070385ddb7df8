"""Which mentors a search for words finds, and in what order: the no-JavaScript search's rules.

Pure functions over the build's search data (relay/search-<lang>.json): accents
and case are folded; a query word matches a word it equals or begins (never a
shorter word, so "programmeur" does not find "programme"); every query word must
match. A match in the name, occupation, sector, NOC title or topics counts as
much as the field's weight (the Pagefind records' weights); an exact word counts
twice a prefix. Only plural and feminine endings are trimmed from the query, as
the search page does, so "infirmières" finds "infirmier" while "génie" never
finds "gens", "générale" or "génération".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

WORD = re.compile(r"[^\W_]+")
MIN_TERM = 2  # one letter ("l", "d" of an elision) would match nearly every mentor
EXACT, PREFIX = 2.0, 1.0
# Query endings trimmed per language (folded text), the search page's `stemless` rules.
ENDINGS = {
    "fr": [
        (r"ennes?$", "en"), (r"ieres?$", "ier"), (r"euses?$", "eu"), (r"elles?$", "el"),
        (r"ees?$", "e"), (r"([^aeiouy])es$", r"\1"), (r"aux$", "a"), (r"([^s])s$", r"\1"),
        (r"x$", ""),
    ],
    "en": [(r"ies$", "i"), (r"ing$", ""), (r"([^s])s$", r"\1")],
}  # fmt: skip
TRIM_FROM, TRIMMED_AT_LEAST = 5, 4


def fold(text: str) -> str:
    """Lower case without accents: "Ingénieure" -> "ingenieure"."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> tuple[str, ...]:
    """The folded words of a text; hyphens and apostrophes separate words."""
    return tuple(WORD.findall(fold(text)))


def trim(word: str, lang: str) -> str:
    """A query word without its plural or feminine ending (left whole when short)."""
    if len(word) < TRIM_FROM:
        return word
    for ending, replacement in ENDINGS.get(lang, ()):
        trimmed = re.sub(ending, replacement, word)
        if trimmed != word:
            return trimmed if len(trimmed) >= TRIMMED_AT_LEAST else word
    return word


def terms(query: str, lang: str) -> tuple[str, ...]:
    """The words of a query that are searched, each once, trimmed."""
    found = (trim(w, lang) for w in words(query) if len(w) >= MIN_TERM)
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True, slots=True)
class Indexed:
    """One mentor's searched words by weight, heaviest field first."""

    fields: tuple[tuple[float, frozenset[str]], ...]

    @classmethod
    def of(cls, fields: Mapping[str, Iterable[str]], weights: Mapping[str, float]) -> Indexed:
        by_field = []
        for name, texts in fields.items():
            found = frozenset(w for text in texts for w in words(text))
            if found:
                by_field.append((float(weights.get(name, 1)), found))
        return cls(tuple(sorted(by_field, key=lambda f: -f[0])))

    def score(self, wanted: Sequence[str]) -> float:
        """The sum over query words of their best match; 0 when any word matches nothing."""
        total = 0.0
        for term in wanted:
            best = 0.0
            for weight, found in self.fields:
                if weight * EXACT <= best:
                    break
                if term in found:
                    best = weight * EXACT
                elif weight * PREFIX > best and any(w.startswith(term) for w in found):
                    best = weight * PREFIX
            if not best:
                return 0.0
            total += best
        return total


def rank(indexed: Sequence[Indexed], query: str, lang: str) -> list[int]:
    """Positions in `indexed` of the mentors that match `query`, best first (ties keep their
    order: the build's, accepting mentors first, then by name)."""
    wanted = terms(query, lang)
    if not wanted:
        return []
    scored = [(entry.score(wanted), i) for i, entry in enumerate(indexed)]
    return [i for score, i in sorted(scored, key=lambda s: (-s[0], s[1])) if score > 0]
