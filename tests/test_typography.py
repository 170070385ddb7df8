"""French typography: non-breaking spaces before : ; ! ? » and after «, in text only."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from mentors.typography import NBSP, NNBSP, _text, french_spacing


def test_spaces_before_high_punctuation_and_inside_guillemets_do_not_break():
    text = "Devenir électricien : DEP ; et après ? Oui ! « Bravo »"
    assert french_spacing(text) == (
        f"Devenir électricien{NBSP}: DEP{NNBSP}; et après{NNBSP}? Oui{NNBSP}! «{NBSP}Bravo{NBSP}»"
    )


def test_no_space_is_added_where_the_author_wrote_none():
    assert french_spacing("Québec: oui; non? http://exemple.org") == (
        "Québec: oui; non? http://exemple.org"
    )


def test_tags_and_attributes_are_left_alone_and_markup_stays_markup():
    html = Markup('<a title="a : b" href="/x?y=1">Lien :</a> <em>fin</em> !')
    fixed = french_spacing(html)
    assert isinstance(fixed, Markup)
    assert fixed == Markup(f'<a title="a : b" href="/x?y=1">Lien{NBSP}:</a> <em>fin</em>{NNBSP}!')  # noqa: S704


def _tag_by_tag(text: str) -> str:
    """The rule applied to each text part between tags, as the one place it is defined."""
    parts = re.split(r"(<[^>]*>)", text)
    return "".join(part if part.startswith("<") else _text(part) for part in parts)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab <>/="«»:;!?p') + [NBSP, NNBSP]), max_size=40))
def test_text_is_spaced_as_tag_by_tag_whatever_the_tags(text):
    assert french_spacing(text) == _tag_by_tag(text)
