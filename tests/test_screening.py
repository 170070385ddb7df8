"""Screening (relay.screening): the API the relay relies on, the vocabulary file, and properties
that must hold for any text at all."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from relay.screening import (
    CONTACT_KINDS,
    PLACEHOLDER,
    Flag,
    Screener,
    Screening,
    ScreeningDataError,
    default_screener,
    label,
    load_rules,
    normalize,
    screen,
)
from relay.screening.rules import parse_rules

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "screening.yaml"
WEIGHTS = {
    name: body["weight"]
    for name, body in yaml.safe_load(DATA.read_text(encoding="utf-8"))["categories"].items()
}


# --- the API -------------------------------------------------------------------------------


def test_screening_is_a_frozen_result():
    result = screen("Écris-moi à julie@exemple.com, je veux mourir")
    assert isinstance(result, Screening)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.priority = 0
    assert result.is_flagged and result.masked
    assert result.kinds == ("contact_email", "risk:self_harm")
    assert result.categories == ("contact", "self_harm")


def test_a_flag_is_its_kind_and_carries_where_it_was_found():
    text = "Appelle au 514-555-0123"
    (flag,) = screen(text).flags
    assert isinstance(flag, Flag) and isinstance(flag, str)
    assert flag == "contact_phone" == flag.kind
    assert flag.category == "contact"
    assert text[slice(*flag.excerpt_span)] == "514-555-0123"
    with pytest.raises(AttributeError):
        flag.category = "other"


def test_flags_store_as_strings_and_survive_copying():
    result = screen("insta: julie_22, on se voit chez toi?")
    assert json.loads(json.dumps(list(result.flags))) == [f.kind for f in result.flags]
    copied = copy.deepcopy(result)  # the pickle protocol
    assert copied == result
    assert [(f.category, f.excerpt_span) for f in copied.flags] == [
        (f.category, f.excerpt_span) for f in result.flags
    ]


def test_screen_refuses_what_is_not_text():
    with pytest.raises(TypeError, match="str"):
        screen(b"julie@exemple.com")


def test_empty_text_is_fine():
    assert screen("") == Screening("", (), 0)


def test_placeholder_is_one_bilingual_constant():
    assert PLACEHOLDER == "[coordonnées masquées / contact hidden]"
    assert screen(PLACEHOLDER).delivered_text == PLACEHOLDER
    assert screen(PLACEHOLDER).flags == ()


def test_contact_kinds_are_the_documented_ones():
    assert set(CONTACT_KINDS) == {
        "contact_email",
        "contact_phone",
        "contact_link",
        "contact_handle",
        "contact_address",
    }


def test_normalize_folds_case_accents_width_and_invisible_characters():
    assert normalize("  Numéro\u200b ＴÉLÉPHONE\n\tÇa  ") == "numero telephone ca"
    assert normalize("ﬁche Straße") == "fiche strasse"
    assert normalize("l’école") == normalize("l'ecole")


def test_labels_come_from_the_vocabulary():
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    assert label("self_harm", "en") == raw["categories"]["self_harm"]["label"]["en"]
    assert label("contact", "fr") == raw["contact"]["label"]["fr"]


# --- priority ------------------------------------------------------------------------------


def test_priority_is_the_highest_weight_and_self_harm_is_highest():
    assert max(WEIGHTS, key=WEIGHTS.get) == "self_harm"
    assert screen("On peut se rencontrer?").priority == WEIGHTS["meeting_request"]
    mixed = screen("Paye-moi, viens chez toi, envoie ta photo, je veux mourir")
    assert mixed.priority == WEIGHTS["self_harm"]
    assert screen("Merci pour vos conseils!").priority == 0


def test_a_risk_ranks_above_a_masked_contact():
    contact_only = screen("julie@exemple.com")
    risky = screen("julie@exemple.com, il me frappe")
    assert 0 < contact_only.priority < risky.priority


def test_risk_flags_point_at_the_words():
    text = "Bonjour. Je pense au SUICIDE et mon coach me harcèle."
    spans = {f.category: text[slice(*f.excerpt_span)] for f in screen(text).flags}
    assert spans == {"self_harm": "SUICIDE", "abuse": "harcèle"}


def test_risk_words_match_whole_words_only():
    assert screen("Les pays nordiques et le paysage").flags == ()
    assert screen("Il a abusé de moi").categories == ("abuse",)


# --- the vocabulary file -------------------------------------------------------------------


def vocabulary() -> dict:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda v: v["categories"]["money"].update(weight="high"), "categories.money.weight"),
        (
            lambda v: v["categories"]["abuse"]["terms"].update(fr="abus"),
            "categories.abuse.terms.fr",
        ),
        (lambda v: v["contact"].pop("tlds"), "contact.tlds"),
        (lambda v: v["contact"]["platforms"].append(True), r"contact.platforms\[\d+\]"),
        (lambda v: v["contact"]["digit_words"].update({"x": ["dix"]}), "contact.digit_words"),
        (lambda v: v.update(categories={}), "categories"),
        (lambda v: v["categories"]["self_harm"].update(help="yes"), "categories.self_harm.help"),
        (lambda v: v["contact"]["letters_as_digits"].update(o="x"), "letters_as_digits.o"),
        (lambda v: v["contact"]["number_words"].update({"vingt": ["20"]}), "number_words.vingt"),
        (lambda v: v["contact"].pop("public_sites"), "contact.public_sites"),
        (lambda v: v.pop("possible_contact"), "possible_contact"),
    ],
)
def test_a_broken_vocabulary_names_the_field(tmp_path, breakage, message):
    broken = vocabulary()
    breakage(broken)
    path = tmp_path / "screening.yaml"
    path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ScreeningDataError, match=message):
        load_rules(path)


def test_a_missing_or_unreadable_vocabulary_is_a_clear_error(tmp_path):
    with pytest.raises(ScreeningDataError, match="not found"):
        load_rules(tmp_path / "nowhere.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("contact: [unclosed", encoding="utf-8")
    with pytest.raises(ScreeningDataError, match="not valid YAML"):
        load_rules(bad)


def test_another_vocabulary_changes_what_is_flagged():
    custom = vocabulary()
    custom["categories"]["money"]["terms"]["fr"].append("lingots")
    screener = Screener(parse_rules(custom))
    assert screener.screen("Des lingots?").categories == ("money",)
    assert screen("Des lingots?").categories == ()


def run_python(code: str, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_the_environment_variable_points_at_the_vocabulary(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "functions")}
    env["PASSERELLE_SCREENING_DATA"] = str(tmp_path / "missing.yaml")
    broken = run_python("import relay.screening", env, tmp_path)
    assert broken.returncode != 0
    assert "missing.yaml: not found" in broken.stderr
    custom = vocabulary()
    custom["categories"]["money"]["terms"]["fr"].append("lingots")
    (tmp_path / "custom.yaml").write_text(yaml.safe_dump(custom), encoding="utf-8")
    env["PASSERELLE_SCREENING_DATA"] = str(tmp_path / "custom.yaml")
    ok = run_python(
        "from relay.screening import screen; print(screen('lingots').kinds)", env, tmp_path
    )
    assert ok.stdout.strip() == "('risk:money',)", ok.stderr


def test_a_package_built_from_functions_alone_finds_its_copy(tmp_path):
    """What a Lambda build does: the package without the repository's data/ folder, with
    data/screening.yaml copied beside the module."""
    package = tmp_path / "build" / "relay"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    shutil.copytree(
        ROOT / "functions" / "relay" / "screening",
        package / "screening",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(DATA, package / "screening" / "screening.yaml")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PASSERELLE_SCREENING_DATA", "PASSERELLE_VOCAB_DIR")
    }
    env["PYTHONPATH"] = str(tmp_path / "build")
    code = (
        "from relay.screening import screen, data_path; "
        "print(data_path()); print(screen('julie@exemple.com').delivered_text)"
    )
    result = run_python(code, env, tmp_path)
    assert result.returncode == 0, result.stderr
    where, delivered = result.stdout.strip().splitlines()
    assert Path(where) == package / "screening" / "screening.yaml"
    assert delivered == PLACEHOLDER


# --- properties ----------------------------------------------------------------------------

# Pieces that make detectors fire, half-fire and collide.
FRAGMENTS = [
    "@",
    "[.]",
    "[at]",
    ".",
    " ",
    "  ",
    "-",
    "+",
    "(",
    ")",
    "[",
    "]",
    "/",
    ":",
    "_",
    "#",
    "'",
    ",",
    "julie",
    "exemple",
    "gmail",
    "com",
    "ca",
    "ça",
    "net",
    "point",
    "dot",
    "at",
    "arobase",
    "514",
    "555",
    "0123",
    "1",
    "4",
    "cinq",
    "un",
    "five",
    "2019",
    "www",
    "http://",
    "bit.ly",
    "insta",
    "snap",
    "c'est",
    "rue",
    "street",
    "h2x",
    "1y4",
    "#1234",
    "\u200b",
    "ｃｏｍ",
    "＠",
    "é",
    "suicide",
    "chez toi",
    PLACEHOLDER,
]
pieces = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=30).map("".join)
any_text = st.text(max_size=300) | pieces

DOMAIN_AFTER_AT = re.compile(r"@\s*[^\W_]+(?:[.-][^\W_]+)*\.[^\W\d_]{2,}(?![\w-])")
fast = settings(
    max_examples=int(os.environ.get("SCREENING_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@fast
@given(any_text)
def test_screen_never_raises_and_only_replaces(text):
    result = screen(text)
    assert isinstance(result.delivered_text, str)
    for flag in result.flags:
        start, end = flag.excerpt_span
        assert 0 <= start < end <= len(text)
    outside = result.delivered_text.split(PLACEHOLDER)
    position = 0
    for piece in outside:  # what is not masked is the text as written, in order
        found = text.find(piece, position)
        assert found >= 0
        position = found + len(piece)


@fast
@given(any_text)
def test_screening_is_idempotent(text):
    once = screen(text)
    twice = screen(once.delivered_text)
    assert twice.delivered_text == once.delivered_text
    assert not twice.masked


@fast
@given(any_text)
def test_no_address_survives_after_an_at_sign(text):
    assert DOMAIN_AFTER_AT.search(normalize(screen(text).delivered_text)) is None


@fast
@given(any_text)
@example("julie at exemple [.] com")
@example("julie [@] exemple [.] com")
def test_shortcuts_never_change_the_outcome(text):
    screener = default_screener()
    quick, thorough = screener.screen(text), screener.screen(text, shortcuts=False)
    assert quick.delivered_text == thorough.delivered_text
    assert [(f, f.category, f.excerpt_span) for f in quick.flags] == [
        (f, f.category, f.excerpt_span) for f in thorough.flags
    ]


@fast
@given(st.emails())
def test_any_email_address_is_masked(address):
    result = screen(f"Écris-moi à {address} merci")
    assert "@" not in normalize(result.delivered_text)
    # Flagged as a contact detail; an address with a rare local part (RFC 5322 allows
    # "!#$%&'*/=?^`{|}~") may be named by its domain, as a link, rather than as an address.
    assert {"contact_email", "contact_handle", "contact_link"} & set(result.kinds)


@st.composite
def phone_numbers(draw) -> str:
    """North American numbers as people type them."""
    area = draw(st.from_regex(r"[2-9][0-9]{2}", fullmatch=True))
    exchange = draw(st.from_regex(r"[2-9][0-9]{2}", fullmatch=True))
    line = draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    country = draw(st.sampled_from(["", "+1 ", "1-", "+1", "1 "]))
    area = draw(st.sampled_from([area, f"({area})"]))
    first, second = draw(
        st.lists(st.sampled_from(["", " ", "-", ".", " - "]), min_size=2, max_size=2)
    )
    return f"{country}{area}{first}{exchange}{second}{line}"


@fast
@given(phone_numbers(), st.sampled_from(["Mon numéro: {} merci", "call {}", "{}"]))
def test_any_phone_number_is_masked(number, sentence):
    result = screen(sentence.format(number))
    assert not any(c.isdigit() for c in result.delivered_text)
    assert result.kinds == ("contact_phone",)
