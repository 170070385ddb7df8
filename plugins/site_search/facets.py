"""The facet file and card pages that let a visitor browse by facets without a query.

Pagefind answers a filter-only search by downloading its whole index, so the
search page never asks it to. Instead the build writes, per interface
language, one small columnar file (each mentor's sector, region, languages and
accepting status, packed one character per value) from which the browser
counts every facet combination, and pages of result cards grouped by facet
value, so the browser fetches only the cards it shows. The client picks the
group of the rarest selected value, which bounds what it downloads.

Pure functions over plain records: nothing here knows Pelican.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mentors.incremental import remove_with_empty_folders, write_atomic

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
FACETS = ("sector", "region", "language", "accepting")
PAGE_SIZE = 24
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Card:
    """What a browse result shows and what its facets are, in one interface language."""

    url: str
    name: str
    occupation: str
    sector: str
    region: str
    languages: tuple[str, ...]
    accepting: bool
    photo: str = ""
    photo_alt: str = ""

    def values(self, facet: str) -> tuple[str, ...]:
        if facet == "language":
            return self.languages
        if facet == "accepting":
            return ("yes",) if self.accepting else ("no",)
        return (getattr(self, facet),)

    def row(self) -> list:
        """The compact array a card page holds (order documented in docs/architecture.md)."""
        return [
            self.url,
            self.name,
            self.occupation,
            self.sector,
            self.region,
            list(self.languages),
            1 if self.accepting else 0,
            self.photo,
            self.photo_alt,
        ]


@dataclass
class FacetBundle:
    """Everything written under search-data/<lang>/: relative path -> JSON document."""

    files: dict[str, dict] = field(default_factory=dict)

    def write(self, root: Path) -> int:
        """Write the files that changed, remove the others; return the bundle's size in bytes.

        A file is replaced by a rename, never written into: `root` may be
        the site being served (incremental builds).
        """
        total = 0
        root = Path(root)
        rows: dict[int, str] = {}  # a card's row is on a page per facet value: encoded once
        for relative, document in self.files.items():
            target = root / relative
            data = _encode(document, rows).encode()
            total += len(data)
            try:
                if target.stat().st_size == len(data) and target.read_bytes() == data:
                    continue
            except FileNotFoundError:
                pass
            write_atomic(target, data)
        if root.is_dir():
            found = list(root.rglob("*.json"))
            for path in found:
                if path.relative_to(root).as_posix() not in self.files:
                    remove_with_empty_folders(path, root)
        return total


def _encode(document: dict, rows: dict[int, str]) -> str:
    """`document` as compact JSON; the rows of a card page taken from `rows` (by identity)."""
    cards = document.get("cards") if len(document) == 1 else None
    if not isinstance(cards, list):
        return compact_json(document)
    parts = []
    for row in cards:
        text = rows.get(id(row))
        if text is None:
            text = rows[id(row)] = compact_json(row)
        parts.append(text)
    return '{"cards":[' + ",".join(parts) + "]}"


def compact_json(value) -> str:
    """JSON as the search data is written: no spaces, accents as they are."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def width_for(count: int) -> int:
    """Characters needed to write any index below `count` in ALPHABET."""
    return max(1, math.ceil(math.log(max(count, 2), len(ALPHABET))))


def encode(index: int, width: int) -> str:
    digits = []
    for _ in range(width):
        index, rest = divmod(index, len(ALPHABET))
        digits.append(ALPHABET[rest])
    if index:
        raise ValueError("index does not fit in the given width")
    return "".join(reversed(digits))


def order(cards: Iterable[Card]) -> list[Card]:
    """Mentors accepting questions first, then by name, accent- and case-insensitively."""
    from unicodedata import normalize

    def folded(text: str) -> str:
        return "".join(c for c in normalize("NFD", text.casefold()) if ord(c) < 0x300 or c > "ͯ")

    return sorted(cards, key=lambda c: (not c.accepting, folded(c.name), c.url))


def build_bundle(
    cards: Sequence[Card], vocab_codes: dict[str, Sequence[str]], page_size: int = PAGE_SIZE
) -> FacetBundle:
    """The facet file and the card pages for one language.

    `vocab_codes` lists the allowed codes per facet (from data/*.yaml, in file
    order); a card with a value outside them is a programming error upstream.
    """
    cards = order(cards)
    values = {facet: list(vocab_codes.get(facet, ())) for facet in FACETS}
    values["accepting"] = ["yes", "no"]
    positions = {
        facet: {code: i for i, code in enumerate(codes)} for facet, codes in values.items()
    }
    widths = {facet: width_for(len(codes)) for facet, codes in values.items()}

    columns: dict[str, str] = {}
    for facet in FACETS:
        parts = []
        for card in cards:
            try:
                indexes = [positions[facet][value] for value in card.values(facet)]
            except KeyError as error:
                raise ValueError(f"{card.url}: unknown {facet} {error.args[0]!r}") from None
            parts.append("".join(encode(i, widths[facet]) for i in indexes))
        # One value per mentor except languages, a list: separate mentors with '.'.
        columns[facet] = ".".join(parts) if facet == "language" else "".join(parts)

    groups: dict[str, dict[str, list[int]]] = {facet: {} for facet in FACETS}
    for position, card in enumerate(cards):
        for facet in FACETS:
            for value in card.values(facet):
                groups[facet].setdefault(value, []).append(position)

    rows = [card.row() for card in cards]  # a card is in one group per facet value
    bundle = FacetBundle()
    bundle.files["facets.json"] = {
        "version": FORMAT_VERSION,
        "count": len(cards),
        "page_size": page_size,
        "alphabet": ALPHABET,
        "values": values,
        "widths": widths,
        "columns": columns,
    }
    # The page offers "accepting" only as a yes; "no" never narrows a browse.
    groups["accepting"].pop("no", None)
    for facet, by_value in groups.items():
        for value, members in by_value.items():
            for page, start in enumerate(range(0, len(members), page_size)):
                chunk = members[start : start + page_size]
                path = f"{facet}/{value}/{page}.json"
                bundle.files[path] = {"cards": [rows[p] for p in chunk]}
    return bundle
