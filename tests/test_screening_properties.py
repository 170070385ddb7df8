"""Properties of masking (hypothesis): it is idempotent, it never widens into the text around a
detail, and ordinary career text comes through unchanged; plus the thread context, the decoding
stage and the help resources file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from relay.screening import PLACEHOLDER, ScreeningDataError, default_screener, screen
from relay.screening.decode import decode
from relay.screening.help import load_resources
from relay.screening.text import fold

DATA = Path(__file__).parent / "data"
LEAKS = yaml.safe_load((DATA / "screening_leaks.yaml").read_text(encoding="utf-8"))["leaks"]
CLEAN = yaml.safe_load((DATA / "screening_clean.yaml").read_text(encoding="utf-8"))["clean"]
# Details that stand alone (the whole case is the detail) and are masked whole.
WHOLE = [
    c["text"]
    for c in LEAKS
    if c["hide"] == c["text"]
    and "context" not in c
    and screen(c["text"]).delivered_text == PLACEHOLDER
]
checks = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- career text made of numbers people really write ------------------------------------------

program = st.from_regex(r"[1-5][0-9]{2}\.[A-E][0-9]", fullmatch=True)
course = st.from_regex(r"(MAT|PHY|CHI|INF|FRA|ANG)-?[1-5][0-9]{3}", fullmatch=True)
money = st.integers(10, 200_000).map(lambda n: f"{n:,}".replace(",", " ") + " $")
hourly = st.decimals(15, 90, places=2).map(lambda d: f"{d} $ de l'heure".replace(".", ","))
year = st.integers(1990, 2035).map(str)
day = st.tuples(st.integers(1, 28), st.sampled_from(["janvier", "mars", "mai", "septembre"]))
hours = st.tuples(st.integers(6, 11), st.integers(12, 22)).map(lambda t: f"de {t[0]} h à {t[1]} h")
percent = st.integers(40, 100).map(lambda n: f"{n} %")
sentence = st.one_of(
    st.builds("Le programme {} dure 3 ans et le cours {} est obligatoire.".format, program, course),
    st.builds("Le salaire de départ est de {}, puis {} après 5 ans.".format, money, money),
    st.builds("Un stage payé à {}, {} du lundi au vendredi.".format, hourly, hours),
    st.builds("J'ai commencé en {} et fini en {} avec {} de moyenne.".format, year, year, percent),
    st.builds(
        "La session commence le {} {} à 8 h 30.".format, *[st.integers(1, 28), st.just("mai")]
    ),
    st.builds("Inscriptions du {0[0]} {0[1]} au {1[0]} {1[1]}.".format, day, day),
    st.sampled_from(CLEAN),
)
career = st.lists(sentence, min_size=1, max_size=4).map(" ".join)


@checks
@given(career)
def test_career_text_comes_through_unchanged(text):
    result = screen(text)
    assert result.delivered_text == text
    assert not result.masked and not result.possible


@checks
@given(career, st.sampled_from(WHOLE), career)
def test_masking_never_widens_into_the_text_around_a_detail(before, detail, after):
    text = f"{before}\n{detail}\n{after}"
    assert screen(text).delivered_text == f"{before}\n{PLACEHOLDER}\n{after}"


@checks
@given(st.lists(st.sampled_from([c["text"] for c in LEAKS]) | career, min_size=1, max_size=3))
def test_masking_is_idempotent(parts):
    text = " ".join(parts)
    once = screen(text)
    twice = screen(once.delivered_text)
    assert twice.delivered_text == once.delivered_text and not twice.masked


@checks
@given(st.sampled_from([c for c in LEAKS if "context" in c]), career)
def test_masking_with_context_is_idempotent_and_only_touches_the_new_message(case, earlier):
    context = [earlier, *case["context"]]
    once = screen(case["text"], context=context)
    assert PLACEHOLDER in once.delivered_text
    assert screen(once.delivered_text, context=context).delivered_text == once.delivered_text


# --- thread context ------------------------------------------------------------------------------


def test_a_number_split_over_two_messages_is_masked_where_it_ends():
    alone = screen("0199")
    assert alone.delivered_text == "0199" and not alone.flags
    result = screen("0199 merci", context=["mon num c'est 514 555"])
    assert result.delivered_text == f"{PLACEHOLDER} merci"
    assert result.kinds == ("contact_phone",)
    assert result.flags[0].excerpt_span == (0, 4)


def test_ordinary_earlier_messages_change_nothing():
    context = ["J'ai eu 85 % en 2019.", "Le salaire est de 45 000 $."]
    for text in CLEAN[:40]:
        assert screen(text, context=context).delivered_text == text


def test_only_the_latest_messages_count_as_context():
    old = ["mon num 514 555"] + ["Merci pour la réponse!"] * 5
    assert screen("0199", context=old).delivered_text == "0199"


def test_context_must_be_a_sequence_of_texts():
    with pytest.raises(TypeError):
        screen("0199", context="514 555")
    with pytest.raises(TypeError):
        screen("0199", context=[514555])


# --- the decoding stage --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "decoded"),
    [
        ("cinq, un, quatre", "5 1 4"),
        ("cinq cent quatorze", "514"),
        ("quatre-vingt-dix-neuf", "99"),
        ("zéro cent quatre-vingt-dix-neuf", "0199"),
        ("five fifty-five", "5 55"),
        ("vingt et un ans", "21 ans"),
        ("j u l i e @ g m a i l . c o m", "julie@gmail.com"),
        ("j.u.l.i.e", "julie"),
        ("j00lie at h0tmail d0t c0m", "joolie at hotmail dot com"),
        ("5l4 555 Ol99", "514 555 0199"),
        ("julie dot tremblay", "julie.tremblay"),
    ],
)
def test_decoding_undoes_the_disguise(written, decoded):
    folded, _ = fold(written)
    text, spans = decode(folded, default_screener().rules.contact.decoding)
    assert text == decoded
    assert len(spans) == len(text)
    assert all(0 <= a < b <= len(folded) for a, b in spans)


@pytest.mark.parametrize("text", ["un ami de 16 ans", "45 000 $ par an", "y a-t-il un stage?"])
def test_ordinary_text_is_not_decoded(text):
    folded, _ = fold(text)
    decoded, spans = decode(folded, default_screener().rules.contact.decoding)
    assert decoded == folded and spans is None


def test_look_alike_letters_of_any_script_fold_to_ascii():
    assert fold("gmаil.cօm ıd ⓙ")[0] == "gmail.com id j"  # Cyrillic а, Armenian օ, dotless ı


# --- help resources ------------------------------------------------------------------------------


def test_help_resources_are_complete_in_both_languages():
    resources = load_resources()
    assert [r.code for r in resources["fr"]] == [r.code for r in resources["en"]]
    numbers = {r.code: (r.call, r.text) for r in resources["fr"]}
    assert numbers["988"] == ("988", "988")
    assert numbers["tel-jeunes"] == ("18002632266", "5146001002")
    assert numbers["kids-help-phone"] == ("18006686868", "686868")
    assert numbers["info-social"][0] == "811" and numbers["emergency"][0] == "911"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("resources: []", "resources: must be a non-empty list"),
        ("resources: [{code: x, name: {fr: A}, how: {fr: B, en: C}}]", "name.en"),
        (
            "resources: [{code: x, name: {fr: A, en: A}, how: {fr: B, en: C}, call: 988,"
            " call_label: '988'}]",
            "call: must be figures",
        ),  # fmt: skip
        (
            "resources: [{code: x, name: {fr: A, en: A}, how: {fr: B, en: C}, call: '988'}]",
            "call_label",
        ),  # fmt: skip
        ("resources: [oops", "not valid YAML"),
    ],
)
def test_a_broken_help_file_names_the_field(tmp_path, content, message):
    path = tmp_path / "help_resources.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ScreeningDataError, match=message):
        load_resources(path)


def test_a_missing_help_file_is_a_clear_error(tmp_path):
    with pytest.raises(ScreeningDataError, match="not found"):
        load_resources(tmp_path / "absent.yaml")
