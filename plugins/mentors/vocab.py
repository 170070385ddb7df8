"""The controlled vocabularies in data/*.yaml: the only allowed codes, with their names."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

KINDS = ("sectors", "regions", "languages", "situations")


@dataclass(frozen=True)
class Term:
    """One vocabulary entry; `slug` is what URLs use (the code unless the file says otherwise)."""

    code: str
    slug: str
    fr: str
    en: str

    def name(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr


@dataclass
class Vocabulary:
    kind: str
    terms: dict[str, Term] = field(default_factory=dict)

    def __contains__(self, code: object) -> bool:
        return code in self.terms

    def __getitem__(self, code: str) -> Term:
        return self.terms[code]

    def __iter__(self):
        return iter(self.terms.values())

    def suggest(self, code: object) -> str:
        """A helpful 'did you mean' for an unknown code, plus what is allowed."""
        codes = list(self.terms)
        close = difflib.get_close_matches(str(code), codes, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'? " if close else ""
        shown = ", ".join(codes[:12]) + (", ..." if len(codes) > 12 else "")
        kind = self.kind[:-1]
        return f"unknown {kind} code '{code}'; {hint}allowed: {shown} (data/{self.kind}.yaml)"


@dataclass
class Vocabularies:
    sectors: Vocabulary
    regions: Vocabulary
    languages: Vocabulary
    situations: Vocabulary


def _load(path: Path, kind: str) -> Vocabulary:
    entries = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or []
    vocab = Vocabulary(kind)
    for entry in entries:
        code = str(entry["code"])
        vocab.terms[code] = Term(
            code=code, slug=str(entry.get("slug") or code), fr=entry["fr"], en=entry["en"]
        )
    return vocab


def load_vocabularies(data_dir: Path) -> Vocabularies:
    """Read the four vocabulary files; a missing or malformed file is a build error."""
    return Vocabularies(**{kind: _load(Path(data_dir) / f"{kind}.yaml", kind) for kind in KINDS})
