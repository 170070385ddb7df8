"""Which endings make a word a web address: the Public Suffix List, as shipped offline by the
publicsuffixlist package (its bundled snapshot; nothing is fetched at run time).

A closed list of endings misses "linktr.ee/julie" or "julie.studio"; the whole list also
holds endings that are ordinary abbreviations or file names ("M.Sc.", "main.py"), so the
detector weighs what it finds (relay.screening.contacts).
"""

from __future__ import annotations

from functools import lru_cache

from publicsuffixlist import PublicSuffixList

_PSL = PublicSuffixList(only_icann=True, accept_unknown=False)


@lru_cache(maxsize=4096)
def is_top_level_domain(label: str) -> bool:
    """ "studio", "ee", "ca": an ending that the public suffix list knows (ICANN section)."""
    return label.isascii() and label.isalpha() and _PSL.is_public(label)


@lru_cache(maxsize=4096)
def registrable(domain: str) -> str | None:
    """ "www.ulaval.ca" → "ulaval.ca"; None when the domain is only a public suffix."""
    return _PSL.privatesuffix(domain, accept_unknown=False)
