"""Parts of a page that are the same on many pages, rendered once per build and language.

Templates mark such a part with a call block; what it outputs may depend only on
the page's language and SITEURL, on constants of the build (the vocabularies) and on
the arguments given as its key:

    {% call cached("nav", nav_section) %} ... {% endcall %}

The relay renders the same templates for one page at a time: its environment
gives `cached` as a plain pass-through (relay.presentation), so the part is
rendered every time there.
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from markupsafe import Markup


class FragmentCache:
    """`cached(*key, caller)` for a Jinja environment: the part's first output, kept per key."""

    def __init__(self) -> None:
        self.parts: dict[tuple, Markup] = {}

    @pass_context
    def __call__(self, ctx, *key: Any, caller) -> Markup:
        full = (ctx.get("lang"), ctx.get("SITEURL"), *key)
        part = self.parts.get(full)
        if part is None:
            part = self.parts[full] = Markup(caller())  # noqa: S704 - autoescaped template output
        return part
