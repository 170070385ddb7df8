"""Text folding: one comparable form of a message, and where each folded character came from.

People hide an address behind full-width letters, zero-width spaces, look-alike
letters from another script (UTS #39 confusables), emoji between digits, or
accents. Every detector therefore reads a *folded* copy of the message (NFKC,
case folded, accents and invisible characters removed, look-alikes made ASCII,
digits of any script made ASCII), and the offsets let a match in that copy be
masked in the text exactly as it was written.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .lookalikes import ascii_lookalike

# Typographic apostrophes and dashes that should compare as their ASCII forms (the
# confusables table maps some of them to non-ASCII prototypes).
_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "`": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u3002": ".",
        "\u2024": ".",
    }
)
_DROPPED = {"Cf", "Mn", "Me"}  # invisible characters, marks, the keycap and emoji selectors
_SEPARATORS = {"So", "Sk", "Co", "Cn"}  # emoji and symbols stand between letters, like a space


@lru_cache(maxsize=8192)
def fold_char(char: str) -> str:
    """The folded form of one character: "" for invisible ones and marks, " " for emoji and
    symbols, the ASCII letter a look-alike imitates (UTS #39), sometimes several characters."""
    category = unicodedata.category(char)
    if category in _DROPPED:  # zero-width spaces, joiners, soft hyphen, bidi marks, U+20E3
        return ""
    if category in _SEPARATORS and not char.isascii():
        compatible = unicodedata.normalize("NFKC", char)
        if not compatible.isalnum():  # "ⓙ" is a letter in a circle, "🔥" stands between
            return " "
    digit = unicodedata.decimal(char, None)
    if digit is not None:
        return str(digit)
    if char in "\u2018\u2019\u02bc\u2032`\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u3002\u2024":
        return char.translate(_PUNCTUATION)
    parts = []
    for piece in unicodedata.normalize("NFKC", char):
        lookalike = ascii_lookalike(piece)
        if lookalike is None:
            piece = piece.casefold()
            lookalike = "".join(ascii_lookalike(c) or c for c in piece)
        parts.append(lookalike)
    folded = unicodedata.normalize("NFD", "".join(parts))
    return "".join(c for c in folded if not unicodedata.combining(c))


# Characters below U+0250 and in General Punctuation whose folded form is not
# exactly one character are handled one by one, and so are runs of characters
# outside those ranges (emoji, Cyrillic, ...), through a cache.
_COMMON = [chr(c) for c in range(0x250)] + [chr(c) for c in range(0x2000, 0x2070)]
_TABLE = {ord(c): fold_char(c) for c in _COMMON}
_IRREGULAR = re.compile(
    "["
    + "".join(re.escape(c) for c in _COMMON if len(fold_char(c)) != 1)
    + "]|[^\u0000-\u024f\u2000-\u206f]+"
)


class _FoldCache(dict):
    def __missing__(self, char: str) -> str:
        if len(self) > 50_000:  # arbitrary input must not grow memory without end
            self.clear()
        self[char] = folded = fold_char(char)
        return folded


_FOLDED = _FoldCache()


def fold(text: str) -> tuple[str, list[int]]:
    """Folded text, and for each of its characters the index of its source in `text`."""
    parts: list[str] = []
    offsets: list[int] = []
    position = 0
    for match in _IRREGULAR.finditer(text):
        start, end = match.span()
        if start > position:
            parts.append(text[position:start].translate(_TABLE))
            offsets.extend(range(position, start))
        folded = [_FOLDED[c] for c in match.group()]
        joined = "".join(folded)
        parts.append(joined)
        if len(joined) == end - start and "" not in folded:  # one character each
            offsets.extend(range(start, end))
        else:
            for index, piece in enumerate(folded, start):
                offsets.extend([index] * len(piece))
        position = end
    if position < len(text):
        parts.append(text[position:].translate(_TABLE))
        offsets.extend(range(position, len(text)))
    return "".join(parts), offsets


class _WordTable(dict):
    """str.translate table: letters and digits stay, everything else becomes a space."""

    def __missing__(self, code: int) -> int:
        char = chr(code)
        self[code] = value = code if char.isalnum() else 32
        return value


_WORD_TABLE = _WordTable()


def words(folded: str) -> list[str]:
    """The words of folded text: runs of letters and digits (what regex `[^\\W_]+` finds)."""
    return folded.translate(_WORD_TABLE).split()


_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Text for comparisons: NFKC, case folded, accents and invisible characters removed,
    runs of white space made one space."""
    return _SPACES.sub(" ", fold(text)[0]).strip()
