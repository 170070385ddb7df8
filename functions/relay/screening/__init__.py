"""Screening of relay messages: contact details masked, risks flagged, a queue priority.

Nobody exchanges contact details through Passerelle, and a moderator reads the
worrying messages first. Pure Python: no HTTP, no storage, no logging of the
text.

    >>> result = screen("Écris-moi à julie [at] exemple [point] com !")
    >>> result.delivered_text
    'Écris-moi à [coordonnées masquées / contact hidden] !'
    >>> result.kinds, result.priority
    (('contact_email',), 20)

API
    screen(text, context=()) -> Screening
                                   delivered_text, flags, priority, is_flagged, kinds,
                                   possible (spans to check), needs_help, ...; `context`
                                   is the author's earlier messages in the thread
    needs_help(kinds) -> bool      stored flags that call for help at once
    help_resources(lang)           where to get help now in Québec (data/help_resources.yaml)
    normalize(text) -> str         NFKC, case folded, accents and invisible characters
                                   removed, white space collapsed: for comparisons
    PLACEHOLDER                    what replaces each contact detail
    Flag                           a str (its kind) with .category and .excerpt_span
    label(category, lang)          a category's name for the moderation screen

Vocabulary
    The words come from data/screening.yaml, read once when this package is
    imported (a missing or malformed file raises ScreeningDataError naming the
    field). The file is looked up, in order: $PASSERELLE_SCREENING_DATA (a
    path to the file); $PASSERELLE_VOCAB_DIR/screening.yaml; the repository's
    data/screening.yaml (three folders above this one); screening.yaml beside
    this module. A Lambda package built from functions/ alone does not hold
    data/, so the build must either copy data/screening.yaml into
    relay/screening/ or ship data/ and set one of the two variables.
"""

from __future__ import annotations

from collections.abc import Sequence

from .contacts import KINDS as CONTACT_KINDS
from .contacts import POSSIBLE
from .help import Resource, help_resources
from .result import PLACEHOLDER, POSSIBLE_CONTACT, Flag, Screening
from .rules import ScreeningDataError, data_path, load_rules
from .screener import Screener
from .text import normalize

__all__ = [
    "CONTACT_KINDS",
    "PLACEHOLDER",
    "POSSIBLE",
    "POSSIBLE_CONTACT",
    "Flag",
    "Resource",
    "Screener",
    "Screening",
    "ScreeningDataError",
    "data_path",
    "default_screener",
    "help_resources",
    "label",
    "needs_help",
    "load_rules",
    "normalize",
    "screen",
]

_default = Screener.from_file()


def default_screener() -> Screener:
    return _default


def screen(text: str, *, context: Sequence[str] = ()) -> Screening:
    """Mask the contact details of `text` and flag its risks. `context` is the same author's
    earlier messages in the thread (oldest first): a detail split across them is caught."""
    return _default.screen(text, context=context)


def needs_help(kinds) -> bool:
    """Whether stored flag kinds ("risk:self_harm", ...) call for help to be shown at once."""
    return any(str(k).removeprefix("risk:") in _default.help_categories for k in kinds)


def label(category: str, lang: str = "fr") -> str:
    """The moderator-facing name of a flag category ("contact", "self_harm", ...)."""
    return _default.label(category, lang)
