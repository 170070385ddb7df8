"""Parts of a page that are the same on many pages, rendered once per build and language.

Templates mark such a part with a call block; what it outputs may depend only on
the page's language and SITEURL, on constants of the build (the vocabularies) and on
the arguments given as its key:

    {% call cached("nav", nav_section) %} ... {% endcall %}

A part the same on every page but for a few values (a mentor's name in a form)
takes them as slots: the block receives them as arguments and may only print
them, as `{{ name }}` or as a sentence's variable, never test or filter them.
It is rendered once with a mark in place of each, and each page gets the
marks replaced by its own values, escaped as printing them escapes them:

    {% call(slug, name) cached("form", slots=[mentor.slug, mentor.name]) %} ... {% endcall %}

The relay renders the same templates for one page at a time: its environment
gives `cached` as a plain pass-through (relay.presentation), so the part is
rendered every time there, with the slots' own values.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import pass_context
from markupsafe import Markup

from .escaping import printed

# A mark is a character no template or text of the site writes: Unicode's private use area.
_MARK = re.compile("\ue000([0-9]+)\ue001")


class FragmentCache:
    """`cached(*key, caller, slots=())` for a Jinja environment: the part's first output,
    kept per key; with slots, that output cut at the slots' marks."""

    def __init__(self) -> None:
        self.parts: dict[tuple, Markup] = {}
        self.slotted: dict[tuple, list[str | int]] = {}

    @pass_context
    def __call__(self, ctx, *key: Any, caller, slots=()) -> Markup:
        full = (ctx.get("lang"), ctx.get("SITEURL"), *key)
        if slots:
            return self._filled(full, caller, slots)
        part = self.parts.get(full)
        if part is None:
            part = self.parts[full] = Markup(caller())  # noqa: S704 - autoescaped template output
        return part

    def _filled(self, key: tuple, caller, slots) -> Markup:
        pieces = self.slotted.get(key)
        if pieces is None:
            marks = [f"\ue000{number}\ue001" for number in range(len(slots))]
            cut = _MARK.split(str(caller(*marks)))  # text, slot number, text, ...
            pieces = self.slotted[key] = [p if i % 2 == 0 else int(p) for i, p in enumerate(cut)]
        filled = [printed(slots[p]) if type(p) is int else p for p in pieces]
        return Markup("".join(filled))  # noqa: S704 - autoescaped output, escaped values
