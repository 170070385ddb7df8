"""The screening corpus (tests/data/screening_corpus.yaml): what is masked, what is left alone,
which risks are raised — in French and English, disguises included."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from relay.screening import PLACEHOLDER, screen

CORPUS = yaml.safe_load(
    (Path(__file__).parent / "data" / "screening_corpus.yaml").read_text(encoding="utf-8")
)


def contact_kinds(result) -> list[str]:
    return [f.kind for f in result.flags if f.category == "contact"]


def test_corpus_is_big_enough():
    assert len(CORPUS["masking"]) >= 40
    assert len(CORPUS["untouched"]) >= 15


@pytest.mark.parametrize("case", CORPUS["masking"], ids=lambda c: c["text"][:40])
def test_contact_details_are_masked(case):
    result = screen(case["text"])
    assert result.delivered_text == case["expected"].replace("{P}", PLACEHOLDER)
    assert contact_kinds(result) == case["kinds"]
    assert result.priority >= 1


@pytest.mark.parametrize("case", CORPUS["masking"], ids=lambda c: c["text"][:40])
def test_contact_flags_point_at_the_text_as_written(case):
    text = case["text"]
    result = screen(text)
    for flag in result.flags:
        start, end = flag.excerpt_span
        assert 0 <= start < end <= len(text)
        assert text[start:end].strip() == text[start:end]


@pytest.mark.parametrize("text", CORPUS["untouched"], ids=lambda t: t[:40])
def test_ordinary_text_is_left_alone(text):
    result = screen(text)
    assert result.delivered_text == text
    assert contact_kinds(result) == []


@pytest.mark.parametrize("case", CORPUS["risks"], ids=lambda c: c["text"][:40])
def test_risks_are_flagged(case):
    result = screen(case["text"])
    found = {f.category for f in result.flags if f.is_risk}
    assert set(case["categories"]) <= found
    assert result.delivered_text == case["text"]  # risk words are flagged, never hidden


@pytest.mark.parametrize("text", CORPUS["calm"], ids=lambda t: t[:40])
def test_ordinary_questions_raise_nothing(text):
    result = screen(text)
    assert result.flags == ()
    assert result.priority == 0
    assert not result.is_flagged
