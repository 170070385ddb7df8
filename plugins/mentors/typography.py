"""French typography: the spaces that must not break before : ; ! ? » and after «.

A French title that wraps leaves " :" or "?" alone at the start of a line;
the rule is a non-breaking space there (a narrow one before ; ! ?). Only
spaces the author wrote are made non-breaking (Québec usage writes none
before ; ! ?), and only in text, never inside a tag.
"""

from __future__ import annotations

import re

from markupsafe import Markup

NBSP = "\u00a0"
NNBSP = "\u202f"
_TAG = re.compile(r"(<[^>]*>)")
_BEFORE = re.compile(r"[ \u00a0\u202f]+([:»])")
_BEFORE_NARROW = re.compile(r"[ \u00a0\u202f]+([;!?])")
_AFTER = re.compile(r"(«)[ \u00a0\u202f]+")
# A tag with a space in it, where the rules above could match: only then is the text
# worked on apart from its tags (every match needs one of these spaces).
_SPACED_TAG = re.compile(r"<[^>]*[ \u00a0\u202f][^>]*>")


def _text(text: str) -> str:
    text = _BEFORE.sub(NBSP + r"\1", text)
    text = _BEFORE_NARROW.sub(NNBSP + r"\1", text)
    return _AFTER.sub(r"\1" + NBSP, text)


def french_spacing(value: str) -> str:
    """`value` (text or HTML) with French non-breaking spaces; Markup stays Markup."""
    text = str(value)
    last_open = text.rfind("<")
    if last_open == -1 or (last_open < text.rfind(">") and not _SPACED_TAG.search(text)):
        fixed = _text(text)  # every "<" opens a tag without a space: nothing to skip
    else:
        fixed = "".join(part if part.startswith("<") else _text(part) for part in _TAG.split(text))
    # Only spaces changed in what was already safe markup.
    return Markup(fixed) if isinstance(value, Markup) else fixed  # noqa: S704
