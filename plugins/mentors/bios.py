"""A bio's Markdown as HTML: rendered once per text, by the build's memo when it has one.

A French bio gets its French spacing (`typography`) here too, once per text,
not on each page that shows it: at 10,000 mentors that was 4 % of rendering.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from .typography import french_spacing

_md = MarkdownIt("commonmark", {"html": False})
MEMO_KIND = "bio"
# Text that CommonMark can only read as paragraphs of plain text: no character that
# starts any inline syntax or entity, no control character but the line break...
_PLAIN_CHARS = re.compile(r"[^\\`*_\[\]<>&!~#|\x00-\x09\x0b-\x1f\x7f]*")
# ...and no line that could open a block (list, heading underline, code, quote) or end
# in a hard break: each starts with a letter-like character and ends without a space.
_PLAIN_LINE = re.compile(r"[^\s0-9+\-=](?:.*\S)?")


def render_markdown(text: str) -> str:
    """Bios are plain CommonMark without raw HTML: fast, and no markup injection."""
    plain = _paragraphs(text)
    return plain if plain is not None else _md.render(text)


def _paragraphs(text: str) -> str | None:
    """What CommonMark makes of `text` when it is only paragraphs of plain text, else None.

    Most bios are: at 10,000 mentors the full parser took 1.4 s where this takes
    0.1 s. Whatever this accepts, the parser renders the same (tests/test_bios.py
    compares them on random text).
    """
    if not _PLAIN_CHARS.fullmatch(text):
        return None
    paragraphs, lines = [], []
    for line in [*text.split("\n"), ""]:
        if line:
            if not _PLAIN_LINE.fullmatch(line):
                return None
            lines.append(line.replace('"', "&quot;"))
        elif lines:
            paragraphs.append("<p>" + "\n".join(lines) + "</p>\n")
            lines = []
    return "".join(paragraphs)


def _french(text: str) -> str:
    return french_spacing(render_markdown(text))


def memo_kind(lang: str) -> str:
    """The memo's kind for a bio in `lang`: a French one is not the same HTML."""
    return f"{MEMO_KIND} ({'fr' if lang == 'fr' else 'plain'})"


def bio_html(body: str, lang: str, memo=None) -> str:
    """`body` (a bio in `lang`) as HTML, spaced the French way when it is French."""
    make = _french if lang == "fr" else render_markdown
    return memo.get(memo_kind(lang), body, make) if memo else make(body)
