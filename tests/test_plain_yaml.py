"""The quick reader of plain front matter: whatever it accepts, PyYAML (the project's
loader) reads the same values of the same types; the rest is left to PyYAML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from mentors.frontmatter import FrontMatterError, _Loader, _plain, parse
from mentors.plain_yaml import NOT_PLAIN

ROOT = Path(__file__).resolve().parent.parent
KEYS = ["name", "lang", "a-b", "_x", "x1", "yes", "null", "On", "True", "~", "1a", "x y", "'q'"]
VALUES = [
    "Jean Tremblay",
    "fr",
    "06",
    "2000",
    "-5",
    "1_000",
    "0x1F",
    "017",
    "1:20",
    "3.5",
    "1e3",
    ".inf",
    ".nan",
    "yes",
    "No",
    "on",
    "~",
    "null",
    "2026-06-17",
    "2026-13-45",
    "2026-6-7",
    "2026-06-17T10:00:00Z",
    "2026-06-17 10:00:00.5 -5",
    '"quoted"',
    '"q\\"x"',
    '""',
    "''",
    "'single'",
    "'it''s'",
    "a: b",
    "a #b",
    "a#b",
    "[x]",
    "{y}",
    "&a x",
    "*a",
    "!t x",
    "|",
    ">",
    "%x",
    "@x",
    "`x",
    "x:",
    "x  ",
    "",
    "http://x.y",
    "é à «»",
    "a\tb",
    "a\rb",
    "a\u2028b",
    "\ufeff",
    "---",
    "...",
    "? x",
    "- x",
    "-x",
    "+1",
    "0b101",
    "1,000",
    "Ça va ?",
    "=",
    "<<",
]
checks = settings(max_examples=500, deadline=None)


def _same(a, b) -> bool:
    """Equal values of the same types, all the way down (1, 1.0 and True differ here)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return b != b
    return a == b


def _check(text: str) -> None:
    quick = _plain.load(text)
    if quick is NOT_PLAIN:
        return
    try:
        slow = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        pytest.fail(f"read what PyYAML refuses ({error}): {text!r}")
    assert _same(quick, slow), text


indent = st.sampled_from(["", "", "", " ", "  ", "  ", "   ", "    ", "      "])
value = st.sampled_from(VALUES)
key = st.sampled_from(KEYS)
any_line = st.one_of(
    st.tuples(indent, key, st.sampled_from([":", ": ", ":  ", " :"]), value).map("".join),
    st.tuples(indent, st.sampled_from(["- ", "-  ", "-"]), value).map("".join),
    st.tuples(indent, st.just("- "), key, st.just(": "), value).map("".join),
    st.tuples(indent, st.just("# "), value).map("".join),
    st.sampled_from(["", " "]),
)


@checks
@given(st.lists(any_line, min_size=1, max_size=8).map("\n".join))
def test_any_lines_are_read_as_pyyaml_reads_them_or_left_to_it(text):
    _check(text)


# Mostly values PyYAML reads, now and then any of them.
plain_value = st.one_of(*[st.sampled_from(VALUES[:24] + ["x", "y z", '"a b"', "'c'"])] * 3, value)
plain_key = st.sampled_from(["name", "lang", "topics", "kind", "title", "year", "a-b"])


@st.composite
def front_matter(draw) -> str:
    """Front matter shaped as profiles are: scalars, lists under a key (indented or not),
    lists of small mappings; with now and then a comment, a blank or a misplaced line."""
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        shape = draw(st.sampled_from(["scalar", "list", "records"]))
        name = draw(plain_key)
        if shape == "scalar":
            lines.append(f"{name}: {draw(plain_value)}")
            continue
        lines.append(f"{name}:")
        lead = draw(st.sampled_from(["", "  "]))
        for _ in range(draw(st.integers(0, 3))):
            if shape == "list":
                lines.append(f"{lead}- {draw(plain_value)}")
                continue
            step = draw(st.sampled_from([2, 3, 4]))
            for number in range(draw(st.integers(1, 3))):
                prefix = lead + ("-" + " " * (step - 1) if number == 0 else " " * step)
                prefix = draw(st.sampled_from([prefix] * 9 + [lead + " "]))
                lines.append(f"{prefix}{draw(plain_key)}: {draw(plain_value)}")
        lines += draw(st.lists(st.sampled_from(["# note", "  # note", "", "   "]), max_size=1))
    return "\n".join(lines)


@checks
@given(front_matter())
def test_front_matter_shaped_text_is_read_as_pyyaml_reads_it(text):
    _check(text)


def test_every_sample_profile_is_plain_and_read_as_pyyaml_reads_it():
    texts = [p.read_text("utf-8") for p in (ROOT / "content" / "mentors").glob("*.md")]
    assert texts
    for text in texts:
        front = text.split("\n---\n", 1)[0].removeprefix("---\n")
        assert _plain.load(front) is not NOT_PLAIN
        _check(front)


def test_values_keep_pyyaml_types():
    front = 'region: "06"\nyear: 06\nlast_confirmed: 2026-06-17\nbad: 2026-13-45\non_call: yes\n'
    assert _plain.load(front) == {
        "region": "06",
        "year": 6,
        "last_confirmed": dt.date(2026, 6, 17),
        "bad": "2026-13-45",
        "on_call": True,
    }


def test_what_is_not_plain_is_left_to_pyyaml_and_its_errors_keep_their_line():
    for front in ("a: [x, y]", "a: |\n  text", "a: b # note", "yes: 1", "a: 'x''y'", "a:\tb"):
        assert _plain.load(front) is NOT_PLAIN, front
    assert parse("---\ntopics: [a, b]\n---\n").meta == {"topics": ["a", "b"]}
    with pytest.raises(FrontMatterError) as error:
        parse("---\nname: A\n  bad: indent\n---\n")
    assert error.value.line == 3
