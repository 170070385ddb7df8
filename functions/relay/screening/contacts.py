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

from .domains import is_top_level_domain, registrable
from .risks import occurrences
from .rules import ContactWords
from .text import words as word_list

EMAIL = "contact_email"
PHONE = "contact_phone"
LINK = "contact_link"
HANDLE = "contact_handle"
ADDRESS = "contact_address"
KINDS = (EMAIL, PHONE, LINK, HANDLE, ADDRESS)
POSSIBLE = "contact_possible"
"""Not masked: a span the moderator should check (a bare word after a platform name, a
domain that ends like a country's code, a handle-like word after "je suis")."""


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
_MARK_RUN = re.compile("[wd]{7,}")


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
        self.not_handle = frozenset(words.not_handle_words)
        self.digit_words = words.digit_words
        self.file_extensions = frozenset(words.file_extensions)
        self.public_sites = frozenset(words.public_sites)
        self.intro_first = frozenset(word_list(" ".join(p.split()[0] for p in words.intro_phrases)))
        self.handle_only_first = frozenset(
            word_list(" ".join(p.split()[0] for p in words.handle_only_platforms))
        )
        self.not_street = frozenset(words.not_street_words)

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
        self.at_sign = re.compile(  # also "@julie:exemple.org" (Matrix)
            r"[\w.+-]*@\w(?:[\w.-]*\w)?(?::\w(?:[\w.-]*\w)?\.\w+)?", flags
        )
        self.email_at = re.compile(rf"{local}\s*@\s*{domain}|@\s+{domain}", flags)
        self.email_disguised = re.compile(rf"{local}{at_strong}{domain}", flags)
        self.email_weak = re.compile(
            rf"{local}\s+at\s+(?:{providers}(?:{dot_symbol}|{dot_word}){tlds}"
            rf"|(?:{_LABEL}(?:{dot_symbol}|{dot_word}))*{_LABEL}(?:{dot_bracket}|{dot_word}){tlds})",
            flags,
        )
        self.url = re.compile(
            rf"(?:https?|ftps?)://{_URL_TAIL}|(?<![\w.-])www\d{{0,3}}\.{_URL_TAIL}", flags
        )
        self.dot_tld = re.compile(r"\.[^\W\d_]{2}", flags)
        self.bare_domain = re.compile(
            rf"(?<![\w@.-])(?:{_LABEL}\.)+(?P<tld>[^\W\d_]{{2,63}})(?![\w-])"
            rf"(?P<path>/{_URL_TAIL}|/)?",
            flags,
        )
        # "linktr dot ee", "julie [.] studio": any ending after "dot" or a bracketed dot.
        self.disguised_any_tld = re.compile(
            rf"(?:{_OPEN}\s*(?:{dot_words}|\.)\s*{_CLOSE}\s*|(?<!\w)(?:dot|point)\s+)"
            rf"(?P<tld>[^\W\d_]{{2,63}})(?![\w-])",
            flags,
        )
        # A disguised domain is found from its end ("point ca", "[.] com"), then its labels are
        # read backwards on the reversed text: searching forwards from every word is too slow.
        self.disguised_tld = re.compile(
            rf"(?:{_OPEN}\s*(?:{dot_words}|\.)\s*{_CLOSE}\s*|{dot_words}\s+)(?P<tld>{tlds})",
            flags,
        )
        backwards_dot_words = _one_of([w[::-1] for w in words.dot_words])
        backwards_dot_bracket = rf"\s*{_CLOSE}\s*(?:{backwards_dot_words}|\.)\s*{_OPEN}\s*"
        backwards_dot_word = rf"\s+{backwards_dot_words}\s+"
        self.labels_backwards = re.compile(
            rf"(?P<last>{_LABEL})"
            rf"(?:(?:\.|{backwards_dot_bracket}|{backwards_dot_word})(?P<first>{_LABEL}))*"
            rf"(?![\w@.-])",
            flags,
        )
        platforms = _one_of(words.platforms) + r"(?![\w-])"
        connectors = _one_of(words.handle_connectors + words.intro_phrases)
        handle = r"@?(?P<handle>(?:u/)?\w(?:[\w.#-]*\w)?)"
        self.platform_handle = re.compile(
            rf"(?<!\w){platforms}(?:(?P<explicit>\s*(?:[:=]|->|=>)\s*)"
            rf"|,?\s+(?:{connectors}\s*:?\s+)?){handle}",
            flags,
        )
        handle_only = _one_of(words.handle_only_platforms) + r"(?![\w-])"
        self.handle_only = re.compile(
            rf"(?<!\w){handle_only}(?:\s*(?:[:=]|->|=>)\s*|\s+{connectors}\s*:?\s+){handle}",
            flags,
        )
        every_platform = _one_of(words.platforms + words.handle_only_platforms) + r"(?![\w-])"
        self.handle_before_platform = re.compile(
            rf"(?<![\w@.#-])(?P<handle>[^\W_][\w.#-]*[^\W_])\s*,?\s+(?:sur|on|sous|dans|via|in)"
            rf"\s+(?:(?:mon|ma|my|le|la|the)\s+)?{every_platform}",
            flags,
        )
        intros = _one_of(words.intro_phrases)
        self.intro_handle = re.compile(  # a lookahead: "trouve-moi sous le nom de ..." overlaps
            rf"(?<![\w'])(?:{intros})\s*:?\s+(?={handle}(?![\w@]))", flags
        )
        self.provider_local = re.compile(
            rf"(?<!\w){providers}\s*(?:[:=,]\s*|\s+)(?:{connectors}\s*:?\s*)?"
            rf"(?P<handle>[^\W_][\w.+-]*[^\W_])(?![\w@])",
            flags,
        )
        self.tagged_handle = re.compile(
            r"(?<![\w#])[^\W_][\w.]{1,31}#(?:\d{4}|(?=[a-z]*\d)[a-z0-9]{2,5})(?!\w)"
        )
        self.messenger_id = re.compile(r"(?<![\w.])live:\.?[\w-]+(?:\.[\w-]+)*", flags)
        self.friend_code = re.compile(r"(?<![\w-])(?:sw-)?[0-9]{4}-[0-9]{4}-[0-9]{4}(?![\w-])")

        self.phone_token = re.compile(r"[0-9]+|[^\W\d_]+")
        # Spaces and punctuation between digit groups; a line break ends a number.
        self.phone_gap = re.compile(r"(?:[^\S\r\n]|[.\-/()+,_*]){1,4}")
        self.figures = re.compile(r"[0-9]+")
        self.figure_run = re.compile(r"[0-9]+(?:(?:[^\S\r\n]|[.\-/()+,_*]){1,4}[0-9]+)*")

        self.postal_code = re.compile(
            r"(?<!\w)[abceghjklmnprstvxy][0-9][a-z][ -]?[0-9][a-z][0-9](?!\w)", flags
        )
        name = r"[^\W\d_][\w'-]*"
        before = _one_of(words.street_types_before_name)
        after = _one_of(words.street_types_after_name)
        unit = rf"(?:,?\s*(?:{_one_of(words.street_units)})\.?\s*#?\s*[0-9]{{1,5}}[a-z]?(?!\w))?"
        number = r"(?<![\w-])(?:#?[0-9]{1,5}-)?[0-9]{1,5},?"
        self.street = re.compile(
            rf"{number}\s+{before}\.?\s+"
            rf"(?:(?:de\s+la|de\s+l'|du|des|de|d')\s*)?{name}{unit}"
            rf"|{number}\s+[0-9]{{1,3}}(?:e|er|re|eme|th|st|nd|rd)\s+{before}(?![\w-]){unit}",
            flags,
        )
        self.street_after = re.compile(
            rf"{number}\s+(?P<name>(?:{name}\s+){{1,2}}){after}\.?(?![\w-]){unit}", flags
        )

    def find(
        self,
        folded: str,
        tokens: list[str] | None,
        unaccented_at: Callable[[int, int], bool],
        capital_at: Callable[[int], bool] = lambda index: False,
    ) -> Iterator[Hit]:
        """Every contact detail in `folded`. `tokens` are its words (letters and digits), used
        to skip detectors that cannot match; None runs them all. `unaccented_at(start, end)` says
        whether the text as written at a folded span had no accent ("ca", not "ça");
        `capital_at(index)` whether a folded character was written as a capital."""
        every = tokens is None
        words = frozenset(tokens or ())
        present = words if not every else frozenset(word_list(folded))
        has_at = "@" in folded
        if every or has_at:
            for match in self.at_sign.finditer(folded):
                kind = HANDLE if match.group().startswith("@") else EMAIL
                yield Hit(kind, match.start(), match.end())
            for match in self.email_at.finditer(folded):
                yield Hit(EMAIL, match.start(), match.end())
        has_bracket = any(b in folded for b in _BRACKETS)
        if every or words & self.at_set or (has_bracket and ("at" in words or has_at)):
            for match in self.email_disguised.finditer(folded):
                yield Hit(EMAIL, match.start(), match.end())
        if every or ("at" in words and (has_bracket or words & (self.dot_set | self.provider_set))):
            for match in self.email_weak.finditer(folded):
                yield Hit(EMAIL, match.start(), match.end())
        if every or "://" in folded or "www" in folded:
            for match in self.url.finditer(folded):
                if not self._public(match.group()):
                    yield Hit(LINK, match.start(), match.end())
        if every or self.dot_tld.search(folded):
            for match in self.bare_domain.finditer(folded):
                kind = self._domain_kind(match, capital_at)
                if kind:
                    yield Hit(kind, match.start(), match.end())
        if every or (words & self.tld_set and (has_bracket or words & self.dot_set)):
            yield from self._disguised_domains(folded, unaccented_at)
        if every or has_bracket or words & self.dot_set:
            yield from self._disguised_any_domains(folded)
        if every or "live" in words:
            for match in self.messenger_id.finditer(folded):
                yield Hit(HANDLE, match.start(), match.end())
        if every or "-" in folded:
            for match in self.friend_code.finditer(folded):
                yield Hit(HANDLE, match.start(), match.end())
        if every or words & self.handle_only_first:
            for match in _at_words(self.handle_only, folded, present & self.handle_only_first):
                if _looks_like_handle(match.group("handle")):
                    yield Hit(HANDLE, match.start("handle"), match.end("handle"))
        if every or words & (self.platform_set | self.handle_only_first):
            platforms = present & (self.platform_set | self.handle_only_first)
            for match in _before_words(self.handle_before_platform, folded, platforms):
                value = match.group("handle")
                if value in self.not_handle or value in self.intro_first:
                    continue
                kind = HANDLE if _looks_like_handle(value) else POSSIBLE
                yield Hit(kind, match.start("handle"), match.end("handle"))
        if every or words & self.intro_first:
            for match in _at_words(self.intro_handle, folded, present & self.intro_first):
                value = match.group("handle")
                if value in self.not_handle:
                    continue
                if _clearly_handle(value):
                    yield Hit(HANDLE, match.start("handle"), match.end("handle"))
                elif (
                    _looks_like_handle(value)
                    and not _code_like(value)
                    and any(c.isdigit() or c == "_" for c in value)
                ):
                    yield Hit(POSSIBLE, match.start("handle"), match.end("handle"))
        if every or words & self.provider_set:
            for match in _at_words(self.provider_local, folded, present & self.provider_set):
                value = match.group("handle")
                if _looks_like_handle(value) and value not in self.not_handle:
                    yield Hit(EMAIL, match.start("handle"), match.end("handle"))
        if every or words & self.platform_set:
            for match in _at_words(self.platform_handle, folded, present & self.platform_set):
                value = match.group("handle")
                if _looks_like_handle(value) or (
                    match.group("explicit")
                    and value not in self.not_handle
                    and _ends_clause(folded, match.end("handle"))
                ):
                    yield Hit(HANDLE, match.start("handle"), match.end("handle"))
        if every or "#" in folded:
            for match in self.tagged_handle.finditer(folded):
                yield Hit(HANDLE, match.start(), match.end())
        digits = sum(map(folded.count, _DIGITS))
        phones = "spelled" if every else self._phone_kind(tokens)
        if phones == "spelled":
            yield from self._phones(folded)
        elif phones == "digits":
            yield from self._phones_in_figures(folded)
        if every or digits >= 3:
            for match in self.postal_code.finditer(folded):
                yield Hit(ADDRESS, match.start(), match.end())
        if every or (digits and words & self.street_set):
            for match in self.street.finditer(folded):
                yield Hit(ADDRESS, match.start(), match.end())
            for match in self.street_after.finditer(folded):
                if self.not_street.isdisjoint(match.group("name").split()):
                    yield Hit(ADDRESS, match.start(), match.end())

    def _domain_kind(self, match: re.Match, capital_at) -> str | None:
        """A sure link ("exemple.ca", "linktr.ee/julie", "julie.studio"), a possible one
        ("julie.je": a two-letter country ending), or ordinary text ("M.Sc.", "main.py",
        "les maths.Je ...": a sentence run into the next one)."""
        tld = match.group("tld")
        name = match.group()[: match.start("tld") - match.start() - 1].rsplit(".", 1)[-1]
        if name.isdigit() or self._public(match.group()):
            return None  # "100.A1" read as "100.ai" is a program code
        if tld in self.tld_set:
            return LINK
        if not is_top_level_domain(tld) or tld in self.file_extensions:
            return None
        if match.group("path"):
            return LINK
        if capital_at(match.start("tld")):
            return None
        return LINK if len(tld) >= 3 else POSSIBLE

    def _public(self, link: str) -> bool:
        """ "ulaval.ca", "https://www.quebec.ca/emploi": a school's, an order's or a
        government's site (data/screening.yaml, public_sites)."""
        host = link.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].rstrip(".")
        if "@" in host or "~" in link:
            return False
        if host in self.public_sites:
            return True
        domain = registrable(host) if host.isascii() else None
        if domain is None:
            return False
        parents = host.split(".")
        return any(".".join(parents[i:]) in self.public_sites for i in range(len(parents)))

    def _disguised_any_domains(self, folded: str) -> Iterator[Hit]:
        """ "linktr dot ee", "julie [.] studio": "dot" and brackets are sure, "point" is
        French for many things, so an ending outside the usual ones is only possible there."""
        for trigger in self.disguised_any_tld.finditer(folded):
            tld = trigger.group("tld")
            if tld in self.tld_set or tld in self.not_domain or not is_top_level_domain(tld):
                continue
            end = trigger.start()
            while end > 0 and folded[end - 1].isspace():
                end -= 1
            labels = self.labels_backwards.match(folded[::-1], len(folded) - end)
            if labels is None:
                continue
            first = (labels.group("first") or labels.group("last"))[::-1]
            last = labels.group("last")[::-1]
            if first in self.not_domain or last in self.not_domain:
                continue
            sure = "point" not in trigger.group()
            yield Hit(LINK if sure else POSSIBLE, len(folded) - labels.end(), trigger.end())

    def _disguised_domains(self, folded: str, unaccented_at) -> Iterator[Hit]:
        """ "monsite point ca", "monsite [.] com" — but not "à ce point ça" nor "un point net"."""
        backwards = None
        for trigger in self.disguised_tld.finditer(folded):
            end = trigger.start()
            while end > 0 and folded[end - 1].isspace():
                end -= 1
            if end == trigger.start() and folded[end] not in _BRACKETS:
                continue  # "appoint ca": the dot word must stand alone
            if not unaccented_at(*trigger.span("tld")):
                continue
            if backwards is None:
                backwards = folded[::-1]
            labels = self.labels_backwards.match(backwards, len(folded) - end)
            if labels is None:
                continue
            last = labels.group("last")[::-1]
            first = (labels.group("first") or labels.group("last"))[::-1]
            if first in self.not_domain or last in self.not_domain:
                continue
            yield Hit(LINK, len(folded) - labels.end(), trigger.end())

    def _phone_kind(self, tokens: list[str]) -> str | None:
        """None when no run of words holds seven digits (counting spelled-out digits, and
        over-counting words that mix letters and digits; any other word breaks a phone
        number); "spelled" when such a run has a spelled-out digit; else "digits"."""
        digit_words = self.digit_words
        # One letter per digit a word may hold: "w" spelled out, "d" figures, "a" neither.
        marks = "".join(
            [
                ("w" if token in digit_words else "a") if token.isalpha() else "d" * len(token)
                for token in tokens
            ]
        )
        found = None
        for run in _MARK_RUN.findall(marks):
            if "w" in run:
                return "spelled"
            found = "digits"
        return found

    def _phones_in_figures(self, folded: str) -> Iterator[Hit]:
        """The same as _phones when no digit is spelled out, without visiting every word."""
        for run_match in self.figure_run.finditer(folded):
            if sum(map(run_match.group().count, _DIGITS)) < 7:
                continue
            run = []
            previous_end = None
            for match in self.figures.finditer(folded, run_match.start(), run_match.end()):
                gap = "" if previous_end is None else folded[previous_end : match.start()]
                run.append((match.group(), match.start(), match.end(), gap))
                previous_end = match.end()
            yield from self._phones_in_run(folded, run)

    def _phones(self, folded: str) -> Iterator[Hit]:
        """Phone numbers: runs of digit groups (figures or spelled-out digits) whose shape is a
        North American number."""
        run: list[tuple[str, int, int, str]] = []  # (digits, start, end, gap before)
        count = 0  # digits in the run
        previous_end = 0
        digit_words = self.digit_words
        gap_ok = self.phone_gap.fullmatch
        for match in self.phone_token.finditer(folded):
            token = match.group()
            digits = token if token[0] in _DIGITS else digit_words.get(token)
            if digits is None:
                if count >= 7:
                    yield from self._phones_in_run(folded, run)
                run, count = [], 0
                continue
            start = match.start()
            gap = folded[previous_end:start]
            if run and not gap_ok(gap):
                if count >= 7:
                    yield from self._phones_in_run(folded, run)
                run, count = [], 0
            run.append((digits, start, match.end(), gap))
            count += len(digits)
            previous_end = match.end()
        if count >= 7:
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
    if any(set(g[3]) & set(",_*") for g in groups[1:]):  # "514,555,0192": never a list of marks
        return sizes in ([3, 3, 4], [1, 3, 3, 4])
    if total == 7:  # 555-0123, or seven digits written one by one
        return (sizes == [3, 4] and groups[1][3] in ("-", ".")) or len(sizes) >= 5
    if total == 11 and not groups[0][0].startswith("1"):
        return False
    if total not in (10, 11):
        return False
    # "2019 514 555" opens like a year (but "1514 555 0123" is a country code and an area
    # code); "1 234 567 890" ends like thousands.
    opens_like_a_year = sizes[0] == 4 and total == 10
    ends_like_thousands = all(size == 3 for size in sizes[1:])
    return len(sizes) == 1 or (not opens_like_a_year and not ends_like_thousands)


def _ends_clause(folded: str, end: int) -> bool:
    """ "insta: julie" or "insta: julie, ..." end there; "Instagram: oui j'ai un compte" or
    "Discord: c'est quoi?" go on with ordinary words."""
    rest = folded[end : end + 8].lstrip(" \t")
    return not rest or rest[0] in "\n\r,;!?)]}" or (rest[0] == "." and not rest[1:2].strip())


def _looks_like_handle(value: str) -> bool:
    """After a platform name without "insta:", only a word that is clearly a user name
    (letters with digits, "_", "." or "#") is masked: "snap julie_22", not "snap tous les jours"."""
    return (
        len(value) >= 4
        and any(c.isalpha() for c in value)
        and any(c.isdigit() or c in "_.#" for c in value)
    )


def _clearly_handle(value: str) -> bool:
    """After "je suis" or "c'est", only a word no sentence holds: "julie_22", "julie2008",
    "julie.tremblay" — not "Node.js", "sec4" or "420.B0"."""
    letters = sum(c.isalpha() for c in value)
    if letters < 3 or not value[0].isalpha() or len(value) < 5:
        return False
    if "_" in value:
        return True
    if re.search(r"[^\W\d_]{3}[^\W_]*[0-9]{2}", value) and "." not in value:
        return True
    parts = value.split(".")
    return len(parts) >= 2 and all(len(p) >= 4 and p.isalpha() for p in parts)


def _code_like(value: str) -> bool:
    """Program and course codes, versions: "420.b0", "mat-5150", "v2.0"."""
    return bool(re.fullmatch(r"[0-9.]+[a-z]?[0-9]*|[a-z]{1,5}[-.]?[0-9][0-9.a-z-]*", value))


def _at_words(pattern: re.Pattern, folded: str, firsts) -> Iterator[re.Match]:
    """Matches of a pattern that starts with one of `firsts`, tried only where those words
    are (a big alternation tried at every position is slow in Python)."""
    for word in firsts:
        for start in occurrences(folded, word):
            match = pattern.match(folded, start)
            if match:
                yield match


_REACH = 60  # characters before a platform's name where the handle that it follows can start


def _before_words(pattern: re.Pattern, folded: str, lasts) -> Iterator[re.Match]:
    """Matches of a pattern that ends with one of `lasts` ("julie_22 sur insta"), searched
    only just before those words."""
    for word in lasts:
        for start in occurrences(folded, word):
            end = start + len(word)
            yield from pattern.finditer(folded, max(0, start - _REACH), end + 20)
