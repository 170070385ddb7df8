"""A listing cut into pages, and the few page links each page shows.

A page links the first and last pages and the two on each side of its own, with a
gap between: at 10,000 mentors the directory has 417 pages, and linking every one
from each made a wall of 417 buttons on a phone (and 54 KB of HTML a page).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from . import urls

AROUND = 2  # pages linked on each side of the current one


def window(number: int, count: int, around: int = AROUND) -> list[int | None]:
    """The page numbers page `number` of `count` links, in order; None marks a gap.

    A gap of a single page shows that page instead: a gap sign would take its place.
    """
    near = range(max(1, number - around), min(count, number + around) + 1)
    shown: list[int | None] = []
    for page in sorted({1, count, *near}):
        if shown and page - shown[-1] == 2:
            shown.append(page - 1)
        elif shown and page - shown[-1] > 2:
            shown.append(None)
        shown.append(page)
    return shown


def paginate(base_url: str, items: list, per_page: int) -> Iterator[tuple[str, list, dict]]:
    """Each page's URL, its items and its `paginator` (docs/architecture.md, templates)."""
    count = max(1, math.ceil(len(items) / per_page))
    for number in range(1, count + 1):
        pages: list[dict[str, Any] | None] = [
            None if page is None else {"number": page, "url": urls.page_number(base_url, page)}
            for page in window(number, count)
        ]
        yield (
            urls.page_number(base_url, number),
            items[(number - 1) * per_page : number * per_page],
            {
                "number": number,
                "num_pages": count,
                "count": len(items),
                "has_previous": number > 1,
                "has_next": number < count,
                "previous_url": urls.page_number(base_url, number - 1) if number > 1 else None,
                "next_url": urls.page_number(base_url, number + 1) if number < count else None,
                "pages": pages,
            },
        )
