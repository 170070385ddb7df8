"""Finding contact details in folded text: e-mail addresses, phone numbers, links, handles,
street addresses — written plainly or disguised ("julie [at] exemple [point] com",
"cinq un quatre ...").

Each detector errs on the side of ordinary text: a year, an age, a salary, a
grade, a program code or a time of day is never a contact detail. What a
detector misses the moderator still sees; what it masks wrongly garbles a
young person's question.

Python's regular expressions are slow to try at every position, so each
detector runs only when a cheap test (a character, a word, a literal search)
says it could match: the tests are necessary conditions, never shortcuts that
change the outcome (tests/test_screening.py checks that).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .rules import ContactWords

EMAIL = "contact_email"
PHONE = "contact_phone"
LINK = "contact_link"
HANDLE = "contact_handle"
ADDRESS = "contact_address"
KINDS = (EMAIL, PHONE, LINK, HANDLE, ADDRESS)
DISGUISED_REACH = 120  # characters searched before "point com" for the rest of a domain


@dataclass(frozen=True)
class Hit:
    """A contact detail found at [start, end) of the folded text."""

    kind: str
    start: int
    end: int


def _one_of(words) -> str:
    """A regex alternation of literal words, longest first so "snapchat" wins over "snap"."""
    return "(?:" + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) + ")"


_ALNUM = r"[^\W_]"
_LABEL = r"[^\W_]++(?:[-_]++[^\W_]++)*+"  # possessive: no backtracking inside a word
_URL_TAIL = r"[^\s<>\"]*[^\s<>\".,;:!?)\]}'»]"
_OPEN = r"[\[\(\{<]"
_CLOSE = r"[\]\)\}>]"
_BRACKETS = "[({<"
_DIGITS = "0123456789"


class ContactFinder:
    """All contact detectors, compiled once from the vocabulary."""

    def __init__(self, words: ContactWords):
        self.words = words
        self.tld_set = frozenset(words.tlds)
        self.dot_set = frozenset(words.dot_words)
        self.at_set = frozenset(words.at_words)
        self.provider_set = frozenset(words.mail_providers)
        self.platform_set = frozenset(words.platforms)
        self.street_set = frozenset(words.street_types_before_name + words.street_types_after_name)
        self.not_domain = frozenset(words.not_domain_words)
        self.digit_words = words.digit_words

        tlds = _one_of(words.tlds) + r"(?![\w-])"
        any_tld = r"[^\W\d_]{2,}(?![\w-])"
        providers = _one_of(words.mail_providers) + r"(?![\w-])"
        dot_words = _one_of(words.dot_words)
        at_words = _one_of(words.at_words)

        dot_bracket = rf"\s*{_OPEN}\s*(?:{dot_words}|\.)\s*{_CLOSE}\s*"
        dot_word = rf"\s+{dot_words}\s+"
        dot_symbol = rf"(?:\s*\.\s*|{dot_bracket})"
        at_strong = rf"(?:\s*{_OPEN}\s*(?:at|@|{at_words})\s*{_CLOSE}\s*|\s+{at_words}\s+)"
        local = rf"(?<![\w.+-])[\w+-]++(?:(?:\.|{dot_bracket}|{dot_word})[\w+-]++)*+"
        domain = (
            rf"(?:(?:{_LABEL}(?:{dot_symbol}|{dot_word}))+{tlds}"
            rf"|(?:{_LABEL}{dot_symbol})+{any_tld}|{providers})"
        )
        flags = re.IGNORECASE

        # "@" touching a word: an address or a handle, whatever surrounds it.
        self.at_sign = re.compile(r"(?<![\w.+-])[\w.+-]*@\w(?:[\w.-]*\w)?", flags)
        self.email_at = re.compile(rf"{local}\s*@\s*{domain}|(?<![\w.+-])@\s+{domain}", flags)
        self.email_disguised = re.compile(rf"{local}{at_strong}{domain}", flags)
        self.email_weak = re.compile(
            rf"{local}\s+at\s+(?:{providers}(?:{dot_symbol}|{dot_word}){tlds}"
            rf"|(?:{_LABEL}(?:{dot_symbol}|{dot_word}))*{_LABEL}(?:{dot_bracket}|{dot_word}){tlds})",
            flags,
        )
        self.url = re.compile(
            rf"(?:https?|ftps?)://{_URL_TAIL}|(?<![\w.-])www\d{{0,3}}\.{_URL_TAIL}", flags
        )
        self.dot_tld = re.compile(rf"\.{tlds}", flags)
        self.bare_domain = re.compile(rf"(?<![\w@.-])(?:{_LABEL}\.)+{tlds}(?:/{_URL_TAIL}|/)?", flags)
        self.disguised_tld = re.compile(
            rf"{_OPEN}\s*(?:{dot_words}|\.)\s*{_CLOSE}\s*{tlds}|{dot_words}\s+{tlds}", flags
        )
        self.disguised_domain = re.compile(
            rf"(?<![\w@.-])(?P<first>{_LABEL})(?:(?:\.|{dot_bracket}|{dot_word})(?P<more>{_LABEL}))*"
            rf"(?:{dot_bracket}|{dot_word})(?P<tld>{tlds})",
            flags,
        )
        platforms = _one_of(words.platforms) + r"(?![\w-])"
        connectors = _one_of(words.handle_connectors)
        self.platform_handle = re.compile(
            rf"(?<!\w){platforms}(?:(?P<explicit>\s*(?:[:=]|->|=>)\s*)"
            rf"|\s+(?:{connectors}\s*:?\s+)?)@?(?P<handle>\w(?:[\w.#-]*\w)?)",
            flags,
        )
        self.tagged_handle = re.compile(r"(?<![\w#])[^\W_][\w.]{1,31}#\d{4}(?!\w)")

        self.phone_token = re.compile(r"[0-9]+|[^\W\d_]+")
        self.phone_gap = re.compile(r"[\s.\-/()+]{1,3}")

        self.postal_code = re.compile(
            r"(?<!\w)[abceghjklmnprstvxy][0-9][a-z][ -]?[0-9][a-z][0-9](?!\w)", flags
        )
        name = r"[^\W\d_][\w'-]*"
        before = _one_of(words.street_types_before_name)
        after = _one_of(words.street_types_after_name)
        self.street = re.compile(
            rf"(?<![\w-])[0-9]{{1,5}}(?:[a-z]|-[0-9]{{1,4}})?,?\s+{before}\.?\s+"
            rf"(?:(?:de\s+la|de\s+l'|du|des|de|d')\s*)?{name}"
            rf"|(?<![\w-])[0-9]{{1,5}}\s+(?:{name}\s+){{1,2}}{after}(?![\w-])",
            flags,
        )

    def find(
        self,
        folded: str,
        tokens: list[str] | None,
        ascii_at: Callable[[int, int], bool],
    ) -> Iterator[Hit]:
        """Every contact detail in `folded`. `tokens` are its words (letters and digits), used
        to skip detectors that cannot match; None runs them all. `ascii_at(start, end)` says
        whether the text as written at a folded span was plain ASCII ("ca", not "ça")."""
        every = tokens is None
        words = frozenset(tokens or ())
        has_at = "@" in folded
        if every or has_at:
            for match in self.at_sign.finditer(folded):
                kind = HANDLE if match.group().startswith("@") else EMAIL
                yield Hit(kind, match.start(), match.end())
            for match in self.email_at.finditer(folded):
                yield Hit(EMAIL, match.start(), match.end())
        has_bracket = any(b in folded for b in _BRACKETS)
        if every or words & self.at_set or ("at" in words and has_bracket):
            for match in self.email_disguised.finditer(folded):
                yield Hit(EMAIL, match.start(), match.end())
        if every or ("at" in words and words & (self.dot_set | self.provider_set)):
            for match in self.email_weak.finditer(folded):
                yield Hit(EMAIL, match.start(), match.end())
        if every or "://" in folded or "www" in folded:
            for match in self.url.finditer(folded):
                yield Hit(LINK, match.start(), match.end())
        if every or self.dot_tld.search(folded):
            for match in self.bare_domain.finditer(folded):
                yield Hit(LINK, match.start(), match.end())
        if every or words & self.tld_set:
            yield from self._disguised_domains(folded, ascii_at)
        if every or words & self.platform_set:
            for match in self.platform_handle.finditer(folded):
                value = match.group("handle")
                if match.group("explicit") or _looks_like_handle(value):
                    yield Hit(HANDLE, match.start("handle"), match.end("handle"))
        if every or "#" in folded:
            for match in self.tagged_handle.finditer(folded):
                yield Hit(HANDLE, match.start(), match.end())
        digits = sum(map(folded.count, _DIGITS))
        if every or self._digit_streak(tokens) >= 7:
            yield from self._phones(folded)
        if every or digits >= 3:
            for match in self.postal_code.finditer(folded):
                yield Hit(ADDRESS, match.start(), match.end())
        if every or (digits and words & self.street_set):
            for match in self.street.finditer(folded):
                yield Hit(ADDRESS, match.start(), match.end())

    def _disguised_domains(self, folded: str, ascii_at) -> Iterator[Hit]:
        """ "monsite point ca", "monsite [.] com" — but not "à ce point ça" nor "un point net".
        Only the DISGUISED_REACH characters before each "point ca" / "[.] com" are searched."""
        for trigger in self.disguised_tld.finditer(folded):
            start = max(0, trigger.start() - DISGUISED_REACH)
            for match in self.disguised_domain.finditer(folded, start, trigger.end()):
                if match.end() != trigger.end():
                    continue
                first = match.group("first")
                last = match.group("more") or first
                if first in self.not_domain or last in self.not_domain:
                    continue
                if ascii_at(*match.span("tld")):
                    yield Hit(LINK, match.start(), match.end())

    def _digit_streak(self, tokens: list[str]) -> int:
        """An upper bound of the digits in a row a phone number could use (words between
        digits break a run; spelled-out digits count one each)."""
        best = streak = 0
        for token in tokens:
            if token.isalpha():
                streak = streak + 1 if token in self.digit_words else 0
            else:
                streak += len(token)
            best = max(best, streak)
        return best

    def _phones(self, folded: str) -> Iterator[Hit]:
        """Phone numbers: runs of digit groups (figures or spelled-out digits) whose shape is a
        North American number."""
        run: list[tuple[str, int, int, str]] = []  # (digits, start, end, gap before)
        previous_end = None
        for match in self.phone_token.finditer(folded):
            token = match.group()
            digits = token if token[0] in _DIGITS else self.digit_words.get(token.lower())
            gap = "" if previous_end is None else folded[previous_end : match.start()]
            if digits is None or (run and not self.phone_gap.fullmatch(gap)):
                yield from self._phones_in_run(folded, run)
                run = []
            if digits is not None:
                run.append((digits, match.start(), match.end(), gap))
            previous_end = match.end()
        yield from self._phones_in_run(folded, run)

    def _phones_in_run(self, folded: str, run: list[tuple[str, int, int, str]]) -> Iterator[Hit]:
        i = 0
        while i < len(run):
            best = None
            total = 0
            for j in range(i, len(run)):
                total += len(run[j][0])
                if total > 11:
                    break
                if _phone_shaped(run[i : j + 1]):
                    best = j
            if best is None:
                i += 1
                continue
            start, end = run[i][1], run[best][2]
            while start > 0 and folded[start - 1] in "+(":
                start -= 1
            span = folded[start:end]
            if span.count("(") > span.count(")") and folded[end : end + 1] == ")":
                end += 1
            yield Hit(PHONE, start, end)
            i = best + 1


def _phone_shaped(groups: list[tuple[str, int, int, str]]) -> bool:
    """Ten digits (eleven after a leading 1), or 555-1234; never a year, an amount or a date."""
    sizes = [len(g[0]) for g in groups]
    total = sum(sizes)
    if total == 7:
        return sizes == [3, 4] and groups[1][3] in ("-", ".")
    if total == 11 and not groups[0][0].startswith("1"):
        return False
    if total not in (10, 11):
        return False
    if len(sizes) > 1 and (sizes[0] >= 4 or sizes[-1] == 3):
        return False  # "2019 514 555": opens like a year; "1 234 567 890": thousands
    return True


def _looks_like_handle(value: str) -> bool:
    """After a platform name without "insta:", only a word that is clearly a user name
    (letters with digits, "_", "." or "#") is masked: "snap julie_22", not "snap tous les jours"."""
    return (
        len(value) >= 4
        and any(c.isalpha() for c in value)
        and any(c.isdigit() or c in "_.#" for c in value)
    )
