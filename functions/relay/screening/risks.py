"""Risk words: what a moderator should read first (distress, abuse, requests to meet...).

Terms come from data/screening.yaml and are matched as whole words on folded
text, so "SUICIDAIRE", "suicidaire" and "suïcidaire" are one word. A big regex
alternation is slow in Python, so a term is only tried where its first word
occurs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .rules import Category

_WORD_SEPARATOR = r"[\s'-]+"
_ENDINGS = ("", "s", "x", "e", "es")


def _words(term: str) -> list[str]:
    return [w for w in re.split(_WORD_SEPARATOR, term.strip()) if w]


def _word_pattern(word: str) -> str:
    if word.endswith("*"):
        return re.escape(word[:-1]) + r"\w*"
    if len(word) >= 4:
        return re.escape(word) + "(?:s|x|e|es)?"
    return re.escape(word)


def term_pattern(term: str) -> str:
    """ "suicid*" is a stem; "cadeau" also finds "cadeaux" (words of four letters or more take
    s, x, e, es); words of a phrase may be separated by spaces, hyphens or apostrophes."""
    return _WORD_SEPARATOR.join(_word_pattern(w) for w in _words(term))


@dataclass(frozen=True)
class _Term:
    category: str
    pattern: re.Pattern
    others: tuple[frozenset[str], ...]  # forms of each further word (stems left out)


def _forms(word: str) -> frozenset[str]:
    endings = _ENDINGS if len(word) >= 4 else ("",)
    return frozenset(word + ending for ending in endings)


class RiskFinder:
    """Terms indexed by their first word: exact forms in a dict, stems by prefix."""

    def __init__(self, categories: tuple[Category, ...]):
        self.exact: dict[str, list[_Term]] = {}
        self.stems: dict[str, list[_Term]] = {}
        for category in categories:
            for text in category.terms:
                words = _words(text)
                if not words:
                    continue
                term = _Term(
                    category.name,
                    re.compile(rf"{term_pattern(text)}(?!\w)"),
                    tuple(_forms(w) for w in words[1:] if not w.endswith("*")),
                )
                first = words[0]
                if first.endswith("*"):
                    self.stems.setdefault(first[:-1], []).append(term)
                else:
                    for form in _forms(first):
                        self.exact.setdefault(form, []).append(term)
        self.stem_lengths = sorted({len(s) for s in self.stems})
        self._by_word: dict[str, tuple[_Term, ...]] = {}

    def _terms_starting(self, word: str) -> tuple[_Term, ...]:
        known = self._by_word.get(word)
        if known is None:
            found = list(self.exact.get(word, ()))
            for length in self.stem_lengths:
                found += self.stems.get(word[:length], ())
            known = tuple(found)
            if len(self._by_word) > 100_000:  # unbounded input must not grow memory
                self._by_word.clear()
            self._by_word[word] = known
        return known

    def find(self, folded: str, tokens: list[str]) -> Iterator[tuple[str, int, int]]:
        """(category, start, end) of every risk term in `folded`, whose words are `tokens`;
        at one place, the longest term of each category."""
        present = set(tokens)
        for word in present:
            terms = self._terms_starting(word)
            if terms:
                terms = [
                    term
                    for term in terms
                    if all(not forms.isdisjoint(present) for forms in term.others)
                ]
            if not terms:
                continue
            for start in occurrences(folded, word):
                longest: dict[str, int] = {}
                for term in terms:
                    match = term.pattern.match(folded, start)
                    if match and match.end() > longest.get(term.category, -1):
                        longest[term.category] = match.end()
                for category, end in longest.items():
                    yield category, start, end


def occurrences(text: str, word: str) -> Iterator[int]:
    """Where `word` is a whole word of `text` (letters and digits; "_" counts as a separator
    here, and the term's own pattern then decides)."""
    start = text.find(word)
    while start != -1:
        end = start + len(word)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not before.isalnum() and not after.isalnum():
            yield start
        start = text.find(word, start + 1)
