"""What a person may write in a text field of the relay: one rule for every field.

A pseudonym, a question, a reply, a moderator's edit: none may carry a control
character (C0 but tab and line breaks, DEL, C1 such as U+0085) or a character that
reorders or hides text (bidirectional marks, embeddings, overrides and isolates,
line and paragraph separators). They are refused rather than stripped: the person
sees what they wrote refused with a reason, and nothing silently changes their words.
A one-line field (a pseudonym) refuses line breaks and tabs too.
"""

from __future__ import annotations

import re

#: Never in any text: C0 controls but tab and line breaks, DEL and C1, the bidi marks
#: (U+061C, U+200E, U+200F), embeddings and overrides (U+202A-U+202E), isolates
#: (U+2066-U+2069), the line and paragraph separators (U+2028, U+2029).
FORBIDDEN = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
    r"\u2066-\u2069]"
)
LINE_BREAKS = re.compile(r"[\r\n\t]")


def allowed(text: str, *, one_line: bool = False) -> bool:
    """True when `text` holds no forbidden character (nor a line break if `one_line`)."""
    if FORBIDDEN.search(text):
        return False
    return not (one_line and LINE_BREAKS.search(text))
