"""Undoing the disguises of folded text: numbers spelled out, letters spaced apart, leetspeak.

"cinq, un, quatre", "j u l i e @ g m a i l . c o m", "j.u.l.i.e",
"j00lie at h0tmail d0t c0m" and "5l4 555 Ol99" are written so that a plain
pattern misses them. `decode` rewrites such text into what it stands for
("514", "julie@gmail.com", "joolie at hotmail dot com", "514 555 0199") and
keeps, for each character it writes, the index of its source in the folded
text, so that a detail found in the decoded copy is masked where it was
written. Ordinary text comes back unchanged (the same object), and the
detectors then run once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .rules import Decoding

_TOKEN = re.compile(r"[^\W_]+")
_MAX_GAP = 5  # characters of punctuation, spaces or emoji between two pieces of one run
_MIN_SPACED = 4  # "j u l i e": fewer single letters in a row are ordinary words ("y a-t-il")


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str
    sources: tuple[int, ...] | None = None  # where each character of `text` was, if known


Spans = list[tuple[int, int]]
"""For each character of a decoded text, the [start, end) it stands for in the folded text."""


def decode(folded: str, rules: Decoding) -> tuple[str, Spans | None]:
    """The decoded text and, for each of its characters, the span of `folded` it stands for;
    `folded` itself and None when nothing was disguised."""
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(folded)]
    edits = _numbers(folded, tokens, rules) + _leet(folded, tokens, rules) + _dots(folded, tokens)
    text, spans = _apply(folded, edits)
    if spans is not None:
        tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    spaced = _spaced(text, tokens)
    if spaced:
        text, second = _apply(text, spaced)
        if spans is not None:
            second = [(spans[a][0], spans[b - 1][1]) for a, b in second]
        spans = second
    if spans is None:
        return folded, None
    return text, spans


_ORDINAL = re.compile(
    r"[0-9]+(?:e|er|re|eme|ieme|nd|rd|th|st|h|min|km|kg|k|m|g|gb|go|mb|mo|ans|an|am|pm|x|mm"
    r"|cm|ml)"
)  # "5e", "3rd", "10h", "30min": no leetspeak (but "0rg" and "5l4" are)
_CODE = re.compile(r"[^\W\d_]+[0-9]{2,}")  # "inf1120", "julie2008": figures after a word
_PROGRAM = re.compile(r"[0-9]{3}\.$")  # "420.B0": the "b0" of a program code


def _not_leet(folded: str, word: str, start: int, digitish: dict[str, str]) -> bool:
    """Words with figures that are no disguise: ordinals and units, course codes, names
    followed by a year, the end of a program code."""
    return bool(
        _ORDINAL.fullmatch(word)
        or (_CODE.fullmatch(word) and not set(word.rstrip("0123456789")) <= digitish.keys())
        or (len(word) == 2 and _PROGRAM.search(folded, max(0, start - 4), start))
    )


_MIN_LETTERS = 3
_MARGIN = 60  # characters decoded around a disguise, so the whole detail is in the window


class Decoder:
    """Decodes only the windows of a text that hold something to decode: a long message with
    one "j00lie" is not decoded whole."""

    def __init__(self, rules: Decoding):
        self.rules = rules
        self.numbers = frozenset(rules.number_words)
        self.said = self.numbers - rules.lone_words_kept  # never left as a word

    def _triggers(self, folded: str) -> list[tuple[int, int]]:
        """Tokens where decoding may change something (a necessary condition of each step)."""
        tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(folded)]
        found = []
        numbers, said = self.numbers, self.said
        digitish = self.rules.letters_as_digits
        letters = 0  # single letters in the current run of single characters
        for index, (word, start, end) in enumerate(tokens):
            if len(word) == 1:
                joined = index and _short_gap(folded, tokens[index - 1][2], start)
                if not (joined and len(tokens[index - 1][0]) == 1):
                    letters = 0
                letters += word.isalpha()
                if letters >= _MIN_LETTERS:  # "j u l": every run that is joined holds as many
                    found.append((start, end))
            if word.isalpha():
                if word in said or word == "dot":
                    found.append((start, end))
                elif word in numbers or not word.strip("oli"):
                    for other in (index - 1, index + 1):
                        if 0 <= other < len(tokens):
                            near, a, b = tokens[other]
                            gap = (b, start) if other < index else (end, a)
                            if (near in numbers or near.isdigit()) and _short_gap(folded, *gap):
                                found.append((start, end))
                                break
            elif not word.isdigit() and not _not_leet(folded, word, start, digitish):
                found.append((start, end))  # letters with figures
        return found

    def windows(self, folded: str) -> list[tuple[int, int]]:
        """Merged [start, end) regions around every possible disguise, cut at white space."""
        regions: list[list[int]] = []
        for first, last in self._triggers(folded):
            start = max(0, first - _MARGIN)
            end = min(len(folded), last + _MARGIN)
            while start > 0 and not folded[start - 1].isspace():
                start -= 1
            while end < len(folded) and not folded[end].isspace():
                end += 1
            if regions and start <= regions[-1][1]:
                regions[-1][1] = max(regions[-1][1], end)
            else:
                regions.append([start, end])
        return [(a, b) for a, b in regions]

    def parts(self, folded: str):
        """(offset, decoded text, spans relative to the window) for each window that decoding
        changed."""
        for start, end in self.windows(folded):
            text, spans = decode(folded[start:end], self.rules)
            if spans is not None:
                yield start, text, spans


def _apply(text: str, edits: list[_Edit]) -> tuple[str, Spans | None]:
    """Replace each edited span; a replacement stands for the whole span it replaces (its
    characters where `sources` says so)."""
    if not edits:
        return text, None
    out: list[str] = []
    spans: Spans = []
    position = 0
    for edit in sorted(edits, key=lambda e: e.start):
        if edit.start < position:
            continue  # overlapping edits: the first one wins
        out.append(text[position : edit.start])
        spans.extend((i, i + 1) for i in range(position, edit.start))
        out.append(edit.text)
        if edit.sources is not None:
            spans.extend((i, i + 1) for i in edit.sources)
        else:
            size = len(edit.text)
            for i in range(size):
                first = edit.start if i == 0 else min(edit.start + i, edit.end - 1)
                last = edit.end if i == size - 1 else first + 1
                spans.append((first, last))
        position = edit.end
    out.append(text[position:])
    spans.extend((i, i + 1) for i in range(position, len(text)))
    return "".join(out), spans


_BETWEEN_FIGURES = re.compile(r"[^\S\n]*[.,;:/|*_-]?[^\S\n]*")
"""What may stand between spelled-out digits and figures of one number: "cinq un quatre, 555"
— not "890 $? Un budget"."""


def _spacing(gap: str) -> bool:
    """A gap between two spaced letters: short, on one line, and an "@" only with spaces around
    it ("j u l i e @ g m a i l", but "a 0{@a.a.com" is an address after "à")."""
    return len(gap) <= _MAX_GAP and "\n" not in gap and ("@" not in gap or gap.strip() != gap)


def _short_gap(text: str, end: int, start: int) -> bool:
    gap = text[end:start]
    return len(gap) <= _MAX_GAP and "\n" not in gap


# --- numbers spelled out -------------------------------------------------------------------


def _numbers(folded: str, tokens, rules: Decoding) -> list[_Edit]:
    """Runs of number words ("cinq cent quatorze", "five-one-four") become their figures, with
    one space between the numbers of a run, whatever punctuation stood there."""
    values = rules.number_words
    edits: list[_Edit] = []
    run: list[tuple[str, int, int]] = []

    def figures_at(index: int, gap_from: int, gap_to: int) -> bool:
        return (
            0 <= index < len(tokens)
            and tokens[index][0].isdigit()
            and _BETWEEN_FIGURES.fullmatch(folded, gap_from, gap_to) is not None
        )

    def close(after: int):
        """`after`: index of the token that follows the run."""
        words = [t for t in run if t[0] in values]
        before = after - len(run) - 1
        figures_before = before >= 0 and figures_at(before, tokens[before][2], run[0][1])
        figures_after = after < len(tokens) and figures_at(after, run[-1][2], tokens[after][1])
        lone = len(words) == 1 and words[0][0] in rules.lone_words_kept
        if words and (not lone or figures_before or figures_after):
            numbers = _parse([values[w[0]] for w in words])
            edits.append(_Edit(run[0][1], run[-1][2], " ".join(numbers)))
            # "cinq un quatre, 555, zéro": the figures next to the words are one number
            if figures_before and folded[tokens[before][2] : run[0][1]].strip():
                edits.append(_Edit(tokens[before][2], run[0][1], " "))
            if figures_after and folded[run[-1][2] : tokens[after][1]].strip():
                edits.append(_Edit(run[-1][2], tokens[after][1], " "))
        run.clear()

    for index, token in enumerate(tokens):
        word, start, _end = token
        if word in values:
            if run and not _short_gap(folded, run[-1][2], start):
                close(index)
            run.append(token)
            continue
        joins = (
            word in rules.number_joiners
            and run
            and index + 1 < len(tokens)
            and tokens[index + 1][0] in values
            and _short_gap(folded, run[-1][2], start)
        )
        if joins:
            run.append(token)  # "vingt et un", "hundred and five"
            continue
        if run:
            close(index)
    if run:
        close(len(tokens))
    return edits


def _parse(values: list[int]) -> list[str]:
    """Number words in order → the numbers they say: [5, 100, 14] → ["514"],
    [4, 20, 10, 9] → ["99"], [5, 1, 4] → ["5", "1", "4"], [50, 5] → ["55"]."""
    numbers: list[int] = []
    current: int | None = None
    hundreds = False  # current ends with "cent" / "hundred" and may take tens and units

    def push(value: int) -> None:
        nonlocal current, hundreds
        if current is not None:
            numbers.append(current)
        current, hundreds = value, False

    for value in values:
        below = None if current is None else current % 100
        if value == 100:
            if current is not None and 1 <= current <= 9:
                current, hundreds = current * 100, True
            else:
                push(100)
                hundreds = True
        elif value >= 20:  # tens
            if current is not None and below == 4 and value == 20 and current < 1000:
                current += 76  # quatre-vingt(s)
            elif hundreds and below == 0:
                current += value
            else:
                push(value)
        elif value >= 10:  # ten to nineteen
            if current is not None and below in (60, 80):
                current += value  # soixante-dix, quatre-vingt-onze
            elif hundreds and below == 0:
                current += value
            else:
                push(value)
        else:  # a digit
            tens_open = current is not None and below >= 20 and below % 10 == 0
            if value and (tens_open or (hundreds and below == 0)):
                current += value
            else:
                push(value)
    if current is not None:
        numbers.append(current)
    said: list[str] = []
    for number in numbers:  # "zéro cent quatre-vingt-dix-neuf" is 0199
        if said and said[-1] == "0" and number >= 100:
            said[-1] += str(number)
        else:
            said.append(str(number))
    return said


# --- "julie dot tremblay" ---------------------------------------------------------------------


def _dots(folded: str, tokens) -> list[_Edit]:
    """The English word "dot" between two words is a dot ("julie dot tremblay"); the French
    "point" is too common a word to read so."""
    edits = []
    for index in range(1, len(tokens) - 1):
        word, start, end = tokens[index]
        if word != "dot":
            continue
        before, after = tokens[index - 1], tokens[index + 1]
        if folded[before[2] : start].isspace() and folded[end : after[1]].isspace():
            edits.append(_Edit(before[2], after[1], "."))
    return edits


# --- leetspeak -----------------------------------------------------------------------------


def _leet(folded: str, tokens, rules: Decoding) -> list[_Edit]:
    """A word that mixes letters and figures is read as figures when all its letters pass for
    figures ("5l4", "Ol99"), else as letters ("j00lie", "h0tmail"). A word made only of letters
    that pass for figures is read as figures next to figures ("555 OlOO")."""
    edits = []
    digitish = rules.letters_as_digits
    for index, (word, start, end) in enumerate(tokens):
        if word.isdigit() or not word.isalnum() or _not_leet(folded, word, start, digitish):
            continue
        letters = {c for c in word if c.isalpha()}
        if word.isalpha():
            beside = [
                tokens[j]
                for j in (index - 1, index + 1)
                if 0 <= j < len(tokens) and tokens[j][0].isdigit()
            ]
            near = any(_short_gap(folded, min(end, t[2]), max(start, t[1])) for t in beside)
            if len(word) < 2 or not letters <= set("oli") or not near:
                continue
            decoded = "".join(digitish.get(c, c) for c in word)
        elif letters <= digitish.keys():
            decoded = "".join(digitish.get(c, c) for c in word)
        else:
            decoded = "".join(rules.digits_as_letters.get(c, c) for c in word)
        if decoded != word:
            edits.append(_Edit(start, end, decoded))
    return edits


# --- letters spaced apart ------------------------------------------------------------------


def _spaced(text: str, tokens) -> list[_Edit]:
    """Runs of single letters or figures ("j u l i e", "j.u.l.i.e", "g m a i l . c o m") lose
    the separator that recurs between them; other separators stay, without their spaces."""
    runs: list[list[tuple[str, int, int]]] = []  # runs of single characters, in order
    after: list[int] = []  # index of the token after each run
    run: list[tuple[str, int, int]] = []
    for index, token in enumerate(tokens):
        if len(token[0]) == 1:
            if run and not _spacing(text[run[-1][2] : token[1]]):
                runs.append(run)
                after.append(index)
                run = []
            run.append(token)
        elif run:
            runs.append(run)
            after.append(index)
            run = []
    if run:
        runs.append(run)
        after.append(len(tokens))

    def chained(i: int, j: int) -> bool:
        """Runs i < j hold one word between them ("z o e arobase g m a i l")."""
        first, second = runs[i], runs[j]
        return (
            after[i] + 1 == after[j] - len(second)
            and len(first) >= 2
            and len(second) >= 2
            and len(first) + len(second) >= 5
        )

    edits: list[_Edit] = []
    for i, current in enumerate(runs):
        joined = (
            len(current) >= _MIN_SPACED
            or (i > 0 and chained(i - 1, i))
            or (i + 1 < len(runs) and chained(i, i + 1))
        )
        if len(current) < 2 or not joined:
            continue
        if not any(
            sum(t[0].isalpha() for t in run) >= _MIN_LETTERS
            for run in (current, *(runs[j] for j in (i - 1, i + 1) if 0 <= j < len(runs)))
        ):
            continue  # "à 8 h 30", "a b": not a word spelled out
        gaps = [text[a[2] : b[1]] for a, b in zip(current, current[1:], strict=False)]
        usual = max(set(gaps), key=gaps.count)
        for (_, _, end), (_, start, _), gap in zip(current, current[1:], gaps, strict=False):
            if gap == usual:
                edits.append(_Edit(end, start, ""))
            elif gap.strip() != gap:
                kept = tuple(i for i in range(end, start) if not text[i].isspace())
                edits.append(_Edit(end, start, "".join(text[i] for i in kept), kept))
    return edits
