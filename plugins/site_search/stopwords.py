"""Function words left out of mentor records, and out of queries by the search page.

Pagefind's memory grows by about 1 KB for each distinct word of each record,
and "de", "la", "the" are in almost every profile: at 10,000 profiles they
cost ~100 MiB of the index build and find nothing a young person looks for.
Elided articles ("l'", "d'", "j'") go too, so "l'apprentissage" is indexed as
"apprentissage". One list serves both languages: a profile without a
translation is shown in its own language on the other language's page. The
search page receives the same list (`#search-config`) and drops these words
from a query, so "technicien de laboratoire" still finds the profiles it did.
Article records keep every word: there are few of them and their excerpt is shown.
"""

from __future__ import annotations

import re

STOPWORDS = frozenset(
    """
    à ai au aux avec ce ces c d de des du elle en est et il j je l la le les leur leurs m ma
    mes mon n ne nos notre nous ou où par pas pour qu que qui s sa se ses son sont suis sur t
    ta te tes ton tu un une vos votre vous y
    a am an and are as at be by for from i in into is it its me my of on or our the their
    this to was we with you your
    """.split()  # noqa: SIM905 - a list of words reads best as text
)
ELISION = "[cdjlmnst]|qu"
_WORD = re.compile(rf"(?<![\w'’])(?:(?:{ELISION})['’])?([\w'’-]+)", re.IGNORECASE)


def searchable(text: str) -> str:
    """`text` without its function words and elided articles; other words as they were."""

    def keep(match: re.Match) -> str:
        word = match.group(1)
        return "" if word.lower() in STOPWORDS else word

    return re.sub(r"\s{2,}", " ", _WORD.sub(keep, text)).strip()
