"""Bios: Markdown made HTML, through a quick path for plain paragraphs that must render
exactly as the CommonMark parser does."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from mentors.bios import _md, _paragraphs, render_markdown
from mentors.frontmatter import parse

ROOT = Path(__file__).resolve().parent.parent
checks = settings(max_examples=400, deadline=None)

# Pieces of text, Markdown syntax, odd spaces and control characters, so that random text
# is sometimes plain and sometimes only nearly so.
PIECES = [
    "Je",
    "suis",
    "é",
    "É",
    "l'été",
    "’",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\n \n",
    "1",
    "12.",
    "2)",
    "- ",
    "-",
    "+",
    "=",
    "===",
    "---",
    "    ",
    "\t",
    "*",
    "_",
    "`",
    "~",
    "#",
    "# ",
    "> ",
    "<",
    ">",
    "&",
    "&amp;",
    "\\",
    "[",
    "]",
    "(",
    ")",
    "!",
    "?",
    ":",
    ";",
    ".",
    ",",
    '"',
    "«",
    "»",
    "|",
    "{",
    "}",
    "$",
    "%",
    "http://exemple.org",
    "\u00a0",
    "\u202f",
    "\u2028",
    "\u3000",
    "\x85",
    "\ufeff",
    "\r",
    "\x00",
    "\x0c",
]
PLAIN_WORDS = ["Je", "suis", "l'été", '"oui"', "«", "»", "a:", "b;", "c?", "été-2026", "x-y", "(z)"]


@checks
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_what_the_quick_path_accepts_renders_as_the_parser_does(text):
    quick = _paragraphs(text)
    if quick is not None:
        assert quick == _md.render(text)
    assert render_markdown(text) == _md.render(text)


@checks
@given(
    st.lists(
        st.lists(st.sampled_from(PLAIN_WORDS), min_size=1, max_size=8).map(" ".join),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["\n", "\n\n", "\n\n\n"]),
)
def test_paragraphs_of_plain_words_take_the_quick_path(lines, separator):
    text = separator.join(lines)
    assert _paragraphs(text) == _md.render(text)


def test_syntax_and_markup_go_to_the_parser():
    for text in ("*gras*", "- liste", "1. un", "Titre\n===", "<b>x</b>", "a  \nb", "    code"):
        assert _paragraphs(text) is None, text
    assert (
        render_markdown("<script>x</script> &") == "<p>&lt;script&gt;x&lt;/script&gt; &amp;</p>\n"
    )


def test_every_sample_bio_renders_as_the_parser_does():
    bodies = [parse(p.read_text("utf-8")).body for p in (ROOT / "content" / "mentors").glob("*.md")]
    assert bodies
    for body in bodies:
        assert render_markdown(body) == _md.render(body)
