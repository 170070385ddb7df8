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
_MAX_GAP = 4  # characters of punctuation, spaces or emoji between two pieces of one run
_MIN_SPACED = 4  # "j u l i e": fewer single letters in a row are ordinary words ("y a-t-il")


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str


def decode(folded: str, rules: Decoding) -> tuple[str, list[int] | None]:
    """The decoded text and, for each of its characters, its source index in `folded`; `folded`
    itself and None when nothing was disguised."""
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(folded)]
    edits = _numbers(folded, tokens, rules) + _leet(tokens, rules)
    text, offsets = _apply(folded, edits)
    if offsets is None:
        tokens_after = tokens
        text_after, offsets_after = folded, None
    else:
        tokens_after = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
        text_after, offsets_after = text, offsets
    spaced = _spaced(text_after, tokens_after)
    if spaced:
        text_after, second = _apply(text_after, spaced)
        offsets_after = second if offsets_after is None else [offsets_after[i] for i in second]
    if offsets_after is None:
        return folded, None
    return text_after, offsets_after


def _apply(text: str, edits: list[_Edit]) -> tuple[str, list[int] | None]:
    """Replace each edited span; a replacement's characters point into the span it replaces
    (its first at the span's start, its last at the span's end)."""
    if not edits:
        return text, None
    out: list[str] = []
    offsets: list[int] = []
    position = 0
    for edit in sorted(edits, key=lambda e: e.start):
        if edit.start < position:
            continue  # overlapping edits: the first one wins
        out.append(text[position : edit.start])
        offsets.extend(range(position, edit.start))
        out.append(edit.text)
        last = edit.end - 1
        offsets.extend(
            min(edit.start + i, last) if i < len(edit.text) - 1 else last
            for i in range(len(edit.text))
        )
        position = edit.end
    out.append(text[position:])
    offsets.extend(range(position, len(text)))
    return "".join(out), offsets


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

    def close():
        words = [t for t in run if t[0] in values]
        if words and not (len(words) == 1 and words[0][0] in rules.lone_words_kept):
            numbers = _parse([values[w[0]] for w in words])
            edits.append(_Edit(run[0][1], run[-1][2], " ".join(numbers)))
        run.clear()

    for index, token in enumerate(tokens):
        word, start, _end = token
        if word in values:
            if run and not _short_gap(folded, run[-1][2], start):
                close()
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
            close()
    if run:
        close()
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
    return [str(n) for n in numbers]


# --- leetspeak -----------------------------------------------------------------------------


def _leet(tokens, rules: Decoding) -> list[_Edit]:
    """A word that mixes letters and figures is read as figures when all its letters pass for
    figures ("5l4", "Ol99"), else as letters ("j00lie", "h0tmail")."""
    edits = []
    for word, start, end in tokens:
        if word.isalpha() or word.isdigit() or not word.isalnum():
            continue
        letters = {c for c in word if c.isalpha()}
        if letters <= rules.letters_as_digits.keys():
            decoded = "".join(rules.letters_as_digits.get(c, c) for c in word)
        else:
            decoded = "".join(rules.digits_as_letters.get(c, c) for c in word)
        if decoded != word:
            edits.append(_Edit(start, end, decoded))
    return edits


# --- letters spaced apart ------------------------------------------------------------------


def _spaced(text: str, tokens) -> list[_Edit]:
    """Runs of single letters or figures ("j u l i e", "j.u.l.i.e", "g m a i l . c o m") lose
    the separator that recurs between them; other separators stay, without their spaces."""
    edits: list[_Edit] = []
    run: list[tuple[str, int, int]] = []

    def close():
        if len(run) >= _MIN_SPACED and not all(t[0].isdigit() for t in run):
            gaps = [text[a[2] : b[1]] for a, b in zip(run, run[1:], strict=False)]
            usual = max(set(gaps), key=gaps.count)
            for (_, _, end), (_, start, _), gap in zip(run, run[1:], gaps, strict=False):
                kept = "" if gap == usual else gap.strip()
                if kept != gap:
                    edits.append(_Edit(end, start, kept))
        run.clear()

    for token in tokens:
        word, start, _end = token
        if len(word) == 1:
            if run and not _short_gap(text, run[-1][2], start):
                close()
            run.append(token)
        elif run:
            close()
    if run:
        close()
    return edits
