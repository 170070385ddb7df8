"""What the real build writes for live availability: the home count, the pills' hooks, the
similar mentors per profile (page and relay manifest)."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import read_json


def manifest(site: Path) -> dict[str, dict]:
    return read_json(site / "relay" / "mentors.json")["mentors"]


def test_the_home_counts_only_mentors_who_accept(built_site):
    mentors = manifest(built_site)
    accepting = sum(1 for m in mentors.values() if m["accepting"])
    assert 0 < accepting < len(mentors)  # the sample has mentors who do not accept
    fr = (built_site / "index.html").read_text("utf-8")
    en = (built_site / "en" / "index.html").read_text("utf-8")
    assert f"{accepting} mentors attendent tes questions." in fr
    assert f"{accepting} mentors are waiting for your questions." in en
    assert f"{len(mentors)} mentors attendent" not in fr


def test_similar_mentors_share_the_sector_first_then_the_region_and_accept(built_site):
    mentors = manifest(built_site)
    assert any(m["similar"] for m in mentors.values())
    for slug, entry in mentors.items():
        similar = entry["similar"]
        assert slug not in similar and len(similar) == len(set(similar)) <= 8
        assert all(mentors[s]["accepting"] for s in similar)
        kinds = ["sector" if mentors[s]["sector"] == entry["sector"] else "region" for s in similar]
        assert kinds == sorted(kinds, key=["sector", "region"].index)  # sector ones come first
        assert all(
            mentors[s]["region"] == entry["region"]
            for s, k in zip(similar, kinds, strict=True)
            if k == "region"
        )


def test_pages_carry_the_build_state_and_load_the_script_without_inline_code(built_site):
    mentors = manifest(built_site)
    listing = (built_site / "mentors" / "index.html").read_text("utf-8")
    pills = re.findall(r'class="status (open|closed)" data-availability="([^"]+)"', listing)
    states = {slug: state for state, slug in pills}
    assert len(states) >= 10 and {"open", "closed"} >= set(states.values())
    for slug, state in states.items():
        assert state == ("open" if mentors[slug]["accepting"] else "closed")
    assert '<script src="/theme/js/availability.js" defer' in listing
    assert (built_site / "theme" / "js" / "availability.js").exists()


def test_a_profile_lists_its_similar_mentors_for_the_script_and_without_it(built_site):
    mentors = manifest(built_site)
    slug = next(s for s, m in mentors.items() if m["accepting"] and m["similar"])
    page = (built_site / "mentors" / slug / "index.html").read_text("utf-8")
    assert f'data-availability-form="{slug}"' in page
    closed = page[page.index('id="availability-closed"') :]
    assert "hidden>" in closed[:120]
    listed = re.findall(r'<li data-slug="([^"]+)"', closed)
    assert listed == mentors[slug]["similar"]
    shut = next(s for s, m in mentors.items() if not m["accepting"] and m["similar"])
    page = (built_site / "en" / "mentors" / shut / "index.html").read_text("utf-8")
    assert "These mentors can answer you:" in page
    first = mentors[shut]["similar"][0]
    assert f'<li data-slug="{first}"><a href="/en/mentors/{first}/">' in page
