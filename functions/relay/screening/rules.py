"""Loading data/screening.yaml: the words screening looks for, checked before anything uses them.

A broken vocabulary must stop the relay at start-up with the field that is
wrong, not mask nothing in silence.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from .text import normalize

ENV_VAR = "PASSERELLE_SCREENING_DATA"
FILE_NAME = "screening.yaml"


class ScreeningDataError(ValueError):
    """data/screening.yaml is missing or malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Category:
    name: str
    weight: int
    label_fr: str
    label_en: str
    terms: tuple[str, ...]
    help: bool = False  # the author is shown where to get help at once (self-harm, abuse)


@dataclass(frozen=True)
class Decoding:
    """What relay.screening.decode needs to undo spelled-out numbers and leetspeak."""

    number_words: dict[str, int]  # word -> value (digits, ten to nineteen, tens, hundred)
    number_joiners: frozenset[str]
    lone_words_kept: frozenset[str]
    letters_as_digits: dict[str, str]
    digits_as_letters: dict[str, str]


@dataclass(frozen=True)
class ContactWords:
    weight: int
    label_fr: str
    label_en: str
    tlds: tuple[str, ...]
    mail_providers: tuple[str, ...]
    at_words: tuple[str, ...]
    dot_words: tuple[str, ...]
    not_domain_words: tuple[str, ...]
    platforms: tuple[str, ...]
    handle_connectors: tuple[str, ...]
    not_handle_words: tuple[str, ...]
    digit_words: dict[str, str]  # word -> digit
    street_types_before_name: tuple[str, ...]
    street_types_after_name: tuple[str, ...]
    street_units: tuple[str, ...]
    not_street_words: tuple[str, ...]
    intro_phrases: tuple[str, ...]
    handle_only_platforms: tuple[str, ...]
    file_extensions: tuple[str, ...]
    public_sites: tuple[str, ...]
    decoding: Decoding


@dataclass(frozen=True)
class Possible:
    """A span the moderator should check: highlighted, not masked."""

    weight: int
    label_fr: str
    label_en: str


@dataclass(frozen=True)
class Rules:
    contact: ContactWords
    categories: tuple[Category, ...]
    possible: Possible


def data_path() -> Path:
    """Where the vocabulary is: $PASSERELLE_SCREENING_DATA, else the first file that exists of
    $PASSERELLE_VOCAB_DIR/screening.yaml, the repository's data/screening.yaml and a copy
    packaged beside this module."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured)
    here = Path(__file__).resolve().parent
    candidates = []
    if os.environ.get("PASSERELLE_VOCAB_DIR"):
        candidates.append(Path(os.environ["PASSERELLE_VOCAB_DIR"]) / FILE_NAME)
    candidates += [here.parents[2] / "data" / FILE_NAME, here / FILE_NAME]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return candidates[0]


def load_rules(path: Path | None = None) -> Rules:
    path = Path(path) if path else data_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScreeningDataError(
            f"{path}: not found (set {ENV_VAR} to the screening vocabulary)"
        ) from None
    except yaml.YAMLError as error:
        raise ScreeningDataError(f"{path}: not valid YAML: {error}") from None
    return parse_rules(raw, str(path))


def parse_rules(raw: object, where: str = FILE_NAME) -> Rules:
    reader = _Reader(where)
    root = reader.mapping(raw, "")
    contact = reader.mapping(root.get("contact"), "contact")
    words = ContactWords(
        weight=reader.weight(contact, "contact"),
        label_fr=reader.label(contact, "contact", "fr"),
        label_en=reader.label(contact, "contact", "en"),
        tlds=reader.words(contact, "contact", "tlds"),
        mail_providers=reader.words(contact, "contact", "mail_providers"),
        at_words=reader.words(contact, "contact", "at_words"),
        dot_words=reader.words(contact, "contact", "dot_words"),
        not_domain_words=reader.words(contact, "contact", "not_domain_words"),
        platforms=reader.words(contact, "contact", "platforms"),
        handle_connectors=reader.words(contact, "contact", "handle_connectors"),
        not_handle_words=reader.words(contact, "contact", "not_handle_words"),
        digit_words=reader.digit_words(contact),
        street_types_before_name=reader.words(contact, "contact", "street_types_before_name"),
        street_types_after_name=reader.words(contact, "contact", "street_types_after_name"),
        street_units=reader.words(contact, "contact", "street_units"),
        not_street_words=reader.words(contact, "contact", "not_street_words"),
        intro_phrases=reader.words(contact, "contact", "intro_phrases"),
        handle_only_platforms=reader.words(contact, "contact", "handle_only_platforms"),
        file_extensions=reader.words(contact, "contact", "file_extensions"),
        public_sites=reader.words(contact, "contact", "public_sites"),
        decoding=reader.decoding(contact),
    )
    possible_body = reader.mapping(root.get("possible_contact"), "possible_contact")
    possible = Possible(
        weight=reader.weight(possible_body, "possible_contact"),
        label_fr=reader.label(possible_body, "possible_contact", "fr"),
        label_en=reader.label(possible_body, "possible_contact", "en"),
    )
    categories = reader.mapping(root.get("categories"), "categories")
    if not categories:
        raise ScreeningDataError(f"{where}: categories: at least one risk category is needed")
    parsed = []
    for name, body in categories.items():
        field = f"categories.{name}"
        body = reader.mapping(body, field)
        terms = reader.mapping(body.get("terms"), f"{field}.terms")
        collected: list[str] = []
        for lang in ("fr", "en"):
            collected += reader.words(terms, f"{field}.terms", lang)
        if name == "off_platform":
            collected += words.platforms
        parsed.append(
            Category(
                name=str(name),
                weight=reader.weight(body, field),
                label_fr=reader.label(body, field, "fr"),
                label_en=reader.label(body, field, "en"),
                terms=tuple(dict.fromkeys(collected)),
                help=reader.flag(body, field, "help"),
            )
        )
    return Rules(contact=words, categories=tuple(parsed), possible=possible)


class _Reader:
    """Field readers that raise ScreeningDataError naming the file and the field."""

    def __init__(self, where: str):
        self.where = where

    def fail(self, field: str, message: str) -> ScreeningDataError:
        return ScreeningDataError(f"{self.where}: {field}: {message}")

    def mapping(self, value: object, field: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(field or "(top level)", "must be a mapping")
        return value

    def weight(self, body: dict, field: str) -> int:
        value = body.get("weight")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(f"{field}.weight", "must be a positive integer")
        return value

    def label(self, body: dict, field: str, lang: str) -> str:
        labels = self.mapping(body.get("label"), f"{field}.label")
        value = labels.get(lang)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{field}.label.{lang}", "must be a non-empty text")
        return value

    def words(self, body: dict, field: str, key: str) -> tuple[str, ...]:
        value = body.get(key)
        if not isinstance(value, list) or not value:
            raise self.fail(f"{field}.{key}", "must be a non-empty list of words")
        result = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not normalize(item):
                raise self.fail(f"{field}.{key}[{index}]", f"must be a word, not {item!r}")
            result.append(normalize(item))
        return tuple(result)

    def flag(self, body: dict, field: str, key: str) -> bool:
        value = body.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"{field}.{key}", "must be true or false")
        return value

    def letter_map(self, body: dict, field: str, key: str, *, values: str) -> dict[str, str]:
        table = self.mapping(body.get(key), f"{field}.{key}")
        result = {}
        for letter, value in table.items():
            letter, value = str(letter), str(value)
            if len(letter) != 1 or len(value) != 1 or not value.isalnum():
                raise self.fail(f"{field}.{key}.{letter}", "must map one character to one")
            if (values == "digits") != value.isdigit():
                raise self.fail(f"{field}.{key}.{letter}", f"must map to one of the {values}")
            result[letter] = value
        return result

    def decoding(self, contact: dict) -> Decoding:
        numbers = {word: int(digit) for word, digit in self.digit_words(contact).items()}
        table = self.mapping(contact.get("number_words"), "contact.number_words")
        for value in table:
            if not str(value).isdigit():
                raise self.fail(f"contact.number_words.{value}", "must be a number")
            for word in self.words(table, "contact.number_words", value):
                numbers[word] = int(value)
        return Decoding(
            number_words=numbers,
            number_joiners=frozenset(self.words(contact, "contact", "number_joiners")),
            lone_words_kept=frozenset(self.words(contact, "contact", "lone_number_words_kept")),
            letters_as_digits=self.letter_map(
                contact, "contact", "letters_as_digits", values="digits"
            ),
            digits_as_letters=self.letter_map(
                contact, "contact", "digits_as_letters", values="letters"
            ),
        )

    def digit_words(self, contact: dict) -> dict[str, str]:
        table = self.mapping(contact.get("digit_words"), "contact.digit_words")
        result: dict[str, str] = {}
        for digit in "0123456789":
            for word in self.words(table, "contact.digit_words", digit):
                result[word] = digit
        extra = set(map(str, table)) - set("0123456789")
        if extra:
            raise self.fail("contact.digit_words", f"unknown digits {sorted(extra)}")
        return result
