"""The relay's copy of the search data: what the page for visitors without JavaScript matches.

Written per page language next to the relay's manifest (`relay/search-<lang>.json`)
from the same views and the same weighted fields as the Pagefind records
(`records.WEIGHTS`; the name counts as the record's <h1>), plus what a card
shows and the listing page of every facet value. The relay loads a language's
file on its first search (relay.search_data).
"""

from __future__ import annotations

from pathlib import Path

from mentors.incremental import write_atomic

from .facets import Card, compact_json
from .records import WEIGHTS

FORMAT = 1
FILE = "relay/search-{lang}.json"
NAME_WEIGHT = 7  # Pagefind's weight of the record's <h1>


def fields_of(view) -> dict[str, list[str]]:
    """The searched texts of a profile, by field: the name, the fields of `records.WEIGHTS`, and
    the rest of the record but the bio (`other`)."""
    noc = view.noc or {}
    return {
        "name": [view.name],
        "occupation": [view.occupation],
        "sector": [view.sector.name],
        "noc": [f"{noc['title']} {noc['code']}"] if noc else [],
        "topics": list(view.topics),
        # Weight 1 in the records too: the region, the languages spoken, the school path.
        "other": [view.region.name, *(ref.name for ref in view.languages)]
        + [f"{step['title']} {step.get('place') or ''}" for step in view.education],
    }


def document(lang: str, views, cards: list[Card], refs: dict[str, list]) -> dict:
    """One language's file: weights, facet values with their listing URLs, and the mentors.

    `refs` is the directory's `vocab_refs(lang)`; a region is named by its slug, as on the
    search page."""
    return {
        "format": FORMAT,
        "lang": lang,
        "weights": {"name": NAME_WEIGHT, **WEIGHTS},
        "facets": {
            facet: [
                {
                    "value": ref.slug if facet == "region" else ref.code,
                    "name": ref.name,
                    "url": ref.url,
                }
                for ref in refs[facet + "s"]
            ]  # fmt: skip
            for facet in ("sector", "region", "language")
        },
        "mentors": [mentor_row(view, card) for view, card in _in_order(views, cards)],
    }


def _in_order(views, cards: list[Card]) -> list[tuple]:
    """Accepting mentors first, each group in the directory's order (by name)."""
    return sorted(zip(views, cards, strict=True), key=lambda pair: not pair[1].accepting)


def mentor_row(view, card: Card) -> dict:
    return {
        "url": view.url,
        "name": card.name,
        "occupation": card.occupation,
        "sector": card.sector,
        "region": card.region,
        "languages": list(card.languages),
        "accepting": card.accepting,
        "fields": fields_of(view),
    }


def text(lang: str, views, cards: list[Card], refs: dict[str, list], row_text=None) -> bytes:
    """`document` encoded; `row_text(view, card)` may give a mentor's row encoded already
    (a build keeps them between builds), else each is encoded here."""
    head = compact_json(document(lang, [], [], refs))
    rows = [
        row_text(view, card) if row_text else compact_json(mentor_row(view, card))
        for view, card in _in_order(views, cards)
    ]
    return (head[: -len("[]}")] + "[" + ",".join(rows) + "]}").encode("utf-8")


def write(output: Path, lang: str, data: dict | bytes) -> int:
    """Write a language's file (`document`, or its `text`); return its size in bytes."""
    body = data if isinstance(data, bytes) else compact_json(data).encode("utf-8")
    write_atomic(Path(output) / FILE.format(lang=lang), body)
    return len(body)
