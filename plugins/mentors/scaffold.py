"""`invoke new-mentor`: write a new, valid profile, asking for whatever was not given."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import yaml

from .frontmatter import parse
from .validation import SLUG, check_profile, noc_problem
from .vocab import Vocabulary, load_vocabularies

PLACEHOLDER = {"fr": "À compléter", "en": "To be completed"}
BIO = {
    "fr": "Présente-toi ici : ton parcours, ton métier au quotidien, ce qu'on peut te demander.",
    "en": "Introduce yourself here: your path, your job day to day, what people can ask you.",
}


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:
        return True


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


class _Asker:
    """Takes a value given on the command line, or asks until a valid one is typed."""

    def __init__(self, ask: Callable[[str], str]):
        self.ask = ask

    def value(self, given, prompt: str, check: Callable[[str], str | None], default: str = ""):
        interactive = given is None
        value = given
        while True:
            if value is None:
                shown = f" [{default}]" if default else ""
                value = self.ask(f"{prompt}{shown}: ").strip() or default
            problem = check(value)
            if problem is None:
                return value
            if not interactive:
                raise SystemExit(f"{prompt}: {problem}")
            print(problem)
            value = None


def _in(vocab: Vocabulary) -> Callable[[str], str | None]:
    return lambda code: None if code in vocab else vocab.suggest(code)


def _languages(vocab: Vocabulary) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        codes = [c.strip() for c in value.split(",") if c.strip()]
        if not codes:
            return "give at least one language code, e.g. fr,en"
        bad = [c for c in codes if c not in vocab]
        return vocab.suggest(bad[0]) if bad else None

    return check


def new_mentor_cli(
    root: Path,
    slug: str | None = None,
    name: str | None = None,
    occupation: str | None = None,
    noc: str | None = None,
    sector: str | None = None,
    region: str | None = None,
    languages: str | None = None,
    lang: str | None = "fr",
    ask: Callable[[str], str] = input,
    today: dt.date | None = None,
    topics: list[str] | None = None,
    years_experience: int = 0,
    bio: str | None = None,
) -> Path:
    """Write content/mentors/<slug>.md; never overwrites an existing profile.

    `topics`, `years_experience` and `bio` come from an application (`invoke new-mentor
    --from-application`); without them the profile gets placeholders to complete."""
    root = Path(root)
    vocab = load_vocabularies(root / "data")
    asker = _Asker(ask)
    name = asker.value(name, "Name", lambda v: None if v else "a name is required")
    slug = asker.value(
        slug,
        "Slug (file name)",
        lambda v: None if SLUG.match(v) else "use a-z, 0-9 and hyphens",
        default=slugify(name),
    )
    target = root / "content" / "mentors" / f"{slug}.md"
    if target.exists():
        raise SystemExit(f"{target.relative_to(root)} already exists; not overwriting it")
    lang = asker.value(
        lang, "Profile language", lambda v: None if v in ("fr", "en") else "fr or en"
    )
    if noc is None and occupation is not None:
        noc = ""  # optional: asked only with the occupation, never of a scripted call
    occupation = asker.value(
        occupation, "Occupation", lambda v: None if v else "an occupation is required"
    )
    noc = asker.value(
        noc,
        "NOC 2021 unit group (5 digits, empty if unsure)",
        lambda v: noc_problem(v, vocab) if v else None,
    )
    sector = asker.value(sector, "Sector code", _in(vocab.sectors))
    region = asker.value(region, "Region code", _in(vocab.regions))
    languages = asker.value(
        languages,
        "Languages spoken (codes, comma-separated)",
        _languages(vocab.languages),
        default=lang,
    )
    day = today or dt.date.today()
    meta = {
        "name": name,
        "lang": lang,
        "occupation": occupation,
        **({"noc": noc} if noc else {}),
        "sector": sector,
        "region": region,
        "languages": [c.strip() for c in languages.split(",") if c.strip()],
        "years_experience": years_experience,
        "education": [{"kind": "autre", "title": PLACEHOLDER[lang]}],
        "topics": list(topics or [PLACEHOLDER[lang]]),
        "accepting": False,
        "last_confirmed": day,
        "added": day,
    }
    front = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
    text = f"---\n{front}---\n\n{(bio or BIO[lang]).strip()}\n"
    shown = f"content/mentors/{slug}.md"
    _, problems = check_profile(parse(text), shown, vocab, root / "content" / "images")
    if problems:
        raise SystemExit("\n".join(str(p) for p in problems))
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as handle:
        handle.write(text)
    print(f"Wrote {shown}: complete it, then set accepting: true when the mentor is ready.")
    return target
