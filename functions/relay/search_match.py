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
from bisect import bisect_left
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
class Index:
    """Every searched word of the directory, sorted, with the mentors it belongs to: a query
    word's matches are one contiguous run of the sorted words (those it begins)."""

    words: tuple[str, ...]
    postings: tuple[tuple[tuple[int, float], ...], ...]  # per word: (mentor, heaviest field)

    @classmethod
    def of(
        cls, mentors: Sequence[Mapping[str, Iterable[str]]], weights: Mapping[str, float]
    ) -> Index:
        """`mentors`: each mentor's texts by field; `weights`: by field name (else 1)."""
        table: dict[str, dict[int, float]] = {}
        for position, fields in enumerate(mentors):
            for name, texts in fields.items():
                weight = float(weights.get(name, 1))
                for word in set(words(" ".join(texts))):  # folded once per field
                    held = table.setdefault(word, {})
                    if held.get(position, 0.0) < weight:
                        held[position] = weight
        ordered = sorted(table)
        return cls(tuple(ordered), tuple(tuple(table[w].items()) for w in ordered))

    def scores(self, term: str) -> dict[int, float]:
        """Each matching mentor's best score for one query word."""
        best: dict[int, float] = {}
        for at in range(bisect_left(self.words, term), len(self.words)):
            word = self.words[at]
            if not word.startswith(term):
                break
            factor = EXACT if word == term else PREFIX
            for position, weight in self.postings[at]:
                if weight * factor > best.get(position, 0.0):
                    best[position] = weight * factor
        return best


def rank(index: Index, query: str, lang: str) -> list[int]:
    """Positions of the mentors that match `query`, best first (ties keep the positions'
    order: the build's, accepting mentors first, then by name)."""
    total: dict[int, float] | None = None
    for term in terms(query, lang):
        found = index.scores(term)
        if total is not None:
            found = {p: total[p] + score for p, score in found.items() if p in total}
        total = found
        if not total:
            return []
    return sorted(total, key=lambda p: (-total[p], p)) if total else []
