"""A bio's Markdown as HTML: rendered once per text, by the build's memo when it has one.

A French bio gets its French spacing (`typography`) here too, once per text,
not on each page that shows it: at 10,000 mentors that was 4 % of rendering.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

from .typography import french_spacing

_md = MarkdownIt("commonmark", {"html": False})
MEMO_KIND = "bio"


def render_markdown(text: str) -> str:
    """Bios are plain CommonMark without raw HTML: fast, and no markup injection."""
    return _md.render(text)


def _french(text: str) -> str:
    return french_spacing(render_markdown(text))


def memo_kind(lang: str) -> str:
    """The memo's kind for a bio in `lang`: a French one is not the same HTML."""
    return f"{MEMO_KIND} ({'fr' if lang == 'fr' else 'plain'})"


def bio_html(body: str, lang: str, memo=None) -> str:
    """`body` (a bio in `lang`) as HTML, spaced the French way when it is French."""
    make = _french if lang == "fr" else render_markdown
    return memo.get(memo_kind(lang), body, make) if memo else make(body)
