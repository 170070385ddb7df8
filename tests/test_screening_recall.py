"""Recall and false alarms of screening on the project's corpus (tests/data/): disguised contact
details that must be masked, ordinary career talk that must come through untouched. Both
figures are printed at the end of the run (section "figures")."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml
from relay.screening import screen

DATA = Path(__file__).parent / "data"
LEAKS = yaml.safe_load((DATA / "screening_leaks.yaml").read_text(encoding="utf-8"))["leaks"]
CLEAN = yaml.safe_load((DATA / "screening_clean.yaml").read_text(encoding="utf-8"))["clean"]

MIN_RECALL = 0.95
MAX_FALSE_ALARMS = 0.01
CATEGORIES = {
    "email", "email_intro", "spaced", "leet", "homoglyph", "phone", "spelled", "emoji",
    "domain", "dot_words", "platform", "intro", "gamer", "messaging", "street_fr",
    "street_en", "postal", "thread", "mixed",
}  # fmt: skip


def masked_everywhere(case: dict) -> bool:
    """Every visible character of `hide` lies inside a masked span of `text`."""
    text, hide = case["text"], case["hide"]
    result = screen(text, context=case.get("context", ()))
    spans = [f.excerpt_span for f in result.flags if f.category == "contact"]
    start = text.index(hide)
    return all(
        any(a <= i < b for a, b in spans)
        for i in range(start, start + len(hide))
        if not text[i].isspace()
    )


def false_alarm(text: str) -> bool:
    """Anything at all on ordinary text: a mask, a possible contact detail, a risk."""
    result = screen(text)
    return result.delivered_text != text or bool(result.flags)


def test_the_corpus_covers_every_disguise_in_both_languages():
    assert len(LEAKS) >= 400
    assert len(CLEAN) >= 250
    assert len(set(CLEAN)) == len(CLEAN)
    assert {case["cat"] for case in LEAKS} == CATEGORIES
    for case in LEAKS:
        assert case["hide"] in case["text"], case
    counts = Counter(case["cat"] for case in LEAKS)
    assert min(counts.values()) >= 10, counts


def test_recall_and_false_alarms(record_property):
    missed = [case for case in LEAKS if not masked_everywhere(case)]
    alarms = [text for text in CLEAN if false_alarm(text)]
    recall = 1 - len(missed) / len(LEAKS)
    rate = len(alarms) / len(CLEAN)
    line = (
        f"screening: recall {recall:.1%} ({len(LEAKS) - len(missed)}/{len(LEAKS)} disguised "
        f"contact details masked), false alarms {rate:.1%} ({len(alarms)}/{len(CLEAN)} "
        "career messages flagged)"
    )
    record_property("figure", line)
    detail = "\n".join(
        [f"missed [{c['cat']}]: {c['text']!r}" for c in missed]
        + [f"false alarm: {t!r}" for t in alarms]
    )
    assert recall >= MIN_RECALL and rate <= MAX_FALSE_ALARMS, f"{line}\n{detail}"


def test_a_miss_or_a_false_alarm_is_measured_as_such():
    """The two measures can fail: an undisguised detail left visible is a miss, a flagged
    career question is a false alarm."""
    assert not masked_everywhere({"text": "julie at home", "hide": "julie"})
    assert masked_everywhere({"text": "julie@exemple.com", "hide": "julie@exemple.com"})
    assert false_alarm("Appelle-moi au 514-555-0123")
    assert not false_alarm("Quel est le salaire d'un soudeur?")
