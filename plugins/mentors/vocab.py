"""The controlled vocabularies in data/*.yaml: the only allowed codes, with their names."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ContentError, Problem

KINDS = ("sectors", "regions", "languages", "situations", "occupations")


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

    def suggest(self, code: object, codes: list[str] | None = None) -> str:
        """A helpful 'did you mean' for an unknown code, plus what is allowed (or `codes`)."""
        codes = list(self.terms) if codes is None else codes
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
    occupations: Vocabulary  # NOC 2021: broad categories, major groups, unit groups

    def occupation(self, code: str, lang: str) -> dict[str, str]:
        """A unit group in `lang`, with the major group and broad category it belongs to."""
        terms = self.occupations
        return {
            "code": code,
            "title": terms[code].name(lang),
            "group": terms[code[:2]].name(lang),
            "category": terms[code[:1]].name(lang),
        }


FIELDS = {"code", "slug", "noc", "fr", "en"}


def _load(path: Path, kind: str, problems: list[Problem]) -> Vocabulary:
    vocab = Vocabulary(kind)
    shown = f"data/{path.name}"
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except (OSError, yaml.YAMLError) as exc:
        problems.append(Problem(shown, 1, "file", f"cannot read the vocabulary: {exc}"))
        return vocab
    nodes = root.value if isinstance(root, yaml.SequenceNode) else []
    if not nodes:
        problems.append(Problem(shown, 1, "file", "must be a non-empty list of {code, fr, en}"))
    loader = yaml.CSafeLoader("")
    for node in nodes:
        line = node.start_mark.line + 1
        entry = loader.construct_document(node)
        if not isinstance(entry, dict):
            problems.append(Problem(shown, line, "entry", "must be a mapping {code, fr, en}"))
            continue
        code = str(entry.get("code", ""))
        extra = sorted(str(k) for k in set(entry) - FIELDS)
        missing = [k for k in ("code", "fr", "en") if not entry.get(k)]
        if extra:
            problems.append(
                Problem(
                    shown,
                    line,
                    code or "entry",
                    f"unexpected key {extra[0]!r}: quote a name that contains a comma",
                )
            )
        elif missing:
            problems.append(Problem(shown, line, code or "entry", f"missing {missing[0]!r}"))
        elif code in vocab.terms:
            problems.append(Problem(shown, line, code, "duplicate code"))
        else:
            slug = str(entry.get("slug") or code)
            vocab.terms[code] = Term(code=code, slug=slug, fr=entry["fr"], en=entry["en"])
    return vocab


def load_vocabularies(data_dir: Path) -> Vocabularies:
    """Read the four vocabulary files; anything malformed in them is a build error."""
    problems: list[Problem] = []
    loaded = {kind: _load(Path(data_dir) / f"{kind}.yaml", kind, problems) for kind in KINDS}
    if problems:
        raise ContentError(problems)
    return Vocabularies(**loaded)
