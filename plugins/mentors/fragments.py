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

from jinja2 import nodes, pass_context
from markupsafe import Markup

from .escaping import PrintingCodeGenerator, printed

# A mark is a character no template or text of the site writes: Unicode's private use area.
_MARK = re.compile("\ue000([0-9]+)\ue001")


class FragmentCache:
    """`cached(*key, caller, slots=())` for the templates of one page language and SITEURL
    (a language environment's): the part's first output, kept per key; with slots, that
    output cut at the slots' marks."""

    def __init__(self) -> None:
        self.parts: dict[tuple, Markup] = {}
        self.slotted: dict[tuple, list[str | int]] = {}

    def __call__(self, *key: Any, caller, slots=()) -> Markup:
        part = self.kept(key, slots)
        return part if part is not None else self._made(key, caller, slots)

    def kept(self, key: tuple, slots=()) -> Markup | None:
        """The part kept for `key`, its slots filled with `slots`; None until it is made."""
        if slots:
            pieces = self.slotted.get(key)
            return None if pieces is None else _fill(pieces, slots)
        return self.parts.get(key)

    def _made(self, key: tuple, caller, slots) -> Markup:
        if not slots:
            part = self.parts[key] = Markup(caller())  # noqa: S704 - autoescaped template output
            return part
        marks = [f"\ue000{number}\ue001" for number in range(len(slots))]
        cut = _MARK.split(str(caller(*marks)))  # text, slot number, text, ...
        pieces = self.slotted[key] = [p if i % 2 == 0 else int(p) for i, p in enumerate(cut)]
        return _fill(pieces, slots)


def _fill(pieces: list[str | int], slots) -> Markup:
    """A slotted part's pieces with each slot number replaced by that slot's value, printed."""
    filled = [printed(slots[p]) if type(p) is int else p for p in pieces]
    return Markup("".join(filled))  # noqa: S704 - autoescaped output, escaped values


class PageFragmentCache(FragmentCache):
    """`cached` for an environment whose pages vary in language and SITEURL (Pelican's own):
    both read from each page's context and added to the key."""

    @pass_context
    def __call__(self, ctx, *key: Any, caller, slots=()) -> Markup:
        return super().__call__(
            ctx.get("lang"), ctx.get("SITEURL"), *key, caller=caller, slots=slots
        )


class FragmentCodeGenerator(PrintingCodeGenerator):
    """The language environments' code generator: a `cached` part is looked up before its
    block is made a caller.

    Jinja makes a `Macro` of a call block's body and calls `cached` through the
    context each time the block is reached, about 3 µs, a dozen times a profile
    page, for a part that is almost always there already. The key (and the slots)
    are evaluated once; when the environment's `FragmentCache` has the part
    (`FragmentCache.kept`), it is output at once, its slots filled; otherwise (the
    first time, or another `cached`, such as the relay's pass-through) the block
    is made a caller and `cached` called through the context with them, as
    Jinja's own code does (without a loop's or block's own variables: `cached`
    reads no context).
    """

    def visit_CallBlock(self, node: nodes.CallBlock, frame) -> None:
        call = node.call
        slots = [kw.value for kw in call.kwargs if kw.key == "slots"]
        if not (
            isinstance(call.node, nodes.Name)
            and call.node.name == "cached"
            and len(call.kwargs) == len(slots)
            and call.dyn_args is None
            and call.dyn_kwargs is None
        ):
            super().visit_CallBlock(node, frame)
            return
        cache, key, values, part = (self.temporary_identifier() for _ in range(4))
        self.writeline(f"{cache} = ")
        self.visit(call.node, frame)
        self.writeline(f"{key} = (")
        for arg in call.args:
            self.visit(arg, frame)
            self.write(", ")
        self.write(")")
        if slots:
            self.writeline(f"{values} = ")
            self.visit(slots[0], frame)
        given = f"{key}, {values}" if slots else key
        self.writeline(
            f"{part} = {cache}.kept({given})"
            f" if {cache}.__class__ is environment.passerelle_fragments else None"
        )
        self.writeline(f"if {part} is None:")
        self.indent()
        call_frame, macro_ref = self.macro_body(node, frame)
        self.writeline("caller = ")
        self.macro_def(macro_ref, call_frame)
        extra = f", slots={values}" if slots else ""
        self.writeline(f"{part} = context.call({cache}, *{key}, caller=caller{extra})")
        self.outdent()
        self.start_write(frame, node)
        self.write(part)
        self.end_write(frame)
