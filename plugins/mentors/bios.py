"""A bio's Markdown as HTML: rendered once per text, by the build's memo when it has one."""

from __future__ import annotations

from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False})
MEMO_KIND = "bio"


def render_markdown(text: str) -> str:
    """Bios are plain CommonMark without raw HTML: fast, and no markup injection."""
    return _md.render(text)


def bio_html(body: str, memo=None) -> str:
    return memo.get(MEMO_KIND, body, render_markdown) if memo else render_markdown(body)
