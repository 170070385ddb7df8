"""The mentor directory as templates see it: one view per mentor and page language, and groups."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from . import urls
from .bios import bio_html
from .schema import EDUCATION_KINDS
from .validation import MentorSource
from .vocab import Term, Vocabularies

SUMMARY = "summary"  # the memo's kind for a bio's summary
VIEWS = "views"  # the memo's kind for a mentor's views


def _views_key(source: MentorSource, stale: bool, inputs: str) -> str:
    """Everything a mentor's views are made of but what the generator sets on them after
    (photo, time to answer): its slug (the file's name), its files (their digests),
    staleness, and `inputs`."""
    files = [
        source.digest,
        *(f"{lang}:{t.digest}" for lang, t in sorted(source.translations.items())),
    ]
    return f"{inputs}\0{source.slug}\0{stale}\0" + "\0".join(files)


_MARKUP = re.compile(r"[*_`#>\[\]]|\(https?://[^)]*\)")


def summarize(text: str, limit: int = 160) -> str:
    paragraph = next((p for p in text.strip().split("\n\n") if p.strip()), "")
    plain = " ".join(_MARKUP.sub("", paragraph).split())
    return plain if len(plain) <= limit else plain[: limit - 1].rsplit(" ", 1)[0] + "…"


def sort_key(text: str) -> str:
    """Alphabetical order that ignores accents and case (É sorts with E)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@dataclass(slots=True)
class Ref:
    """A vocabulary term in one page language, with its listing page."""

    code: str
    slug: str
    name: str
    url: str
    count: int = 0


@dataclass(slots=True)
class MentorView:
    slug: str
    name: str
    url: str
    lang: str
    content_lang: str
    is_fallback: bool
    occupation: str
    noc: dict[str, str] | None  # {code, title, group, category}: NOC 2021 in the page language
    topics: list[str]
    bio: str
    summary: str
    sector: Ref
    region: Ref
    languages: list[Ref]
    years_experience: int
    education: list[dict[str, Any]]
    photo: dict[str, Any] | None
    accepting: bool
    stale: bool
    last_confirmed: dt.date
    added: dt.date
    capacity: int | None
    translation_urls: dict[str, str] = field(default_factory=dict)
    answers_within_days: int | None = None  # data/responsiveness.yaml (mentors.responsiveness)


def term_ref(kind: str, term: Term, lang: str, count: int = 0) -> Ref:
    return Ref(term.code, term.slug, term.name(lang), urls.listing(lang, kind, term.slug), count)


class Directory:
    """Views of every mentor in both page languages, and the members of every listing."""

    def __init__(
        self,
        sources: dict[str, MentorSource],
        vocab: Vocabularies,
        today: dt.date,
        stale_months: int,
        memo=None,
        inputs: str = "",
    ):
        """`memo` (a `mentors.incremental.Memo`) keeps each mentor's views between builds by
        `inputs` (the digest of what else views are made of: data/, the settings, this
        plugin's code), whether the mentor is stale today, and the digests of its files."""
        self.vocab = vocab
        self.sources = sources
        self._memo = memo
        self.views: dict[str, dict[str, MentorView]] = {lang: {} for lang in urls.LANGS}
        self.keys: dict[str, str] = {}  # by slug: what its views were kept by in the memo
        self.groups: dict[str, dict[str, list[str]]] = {
            "sector": defaultdict(list),
            "region": defaultdict(list),
            "language": defaultdict(list),
        }
        refs = {
            lang: {
                kind: {t.code: term_ref(kind, t, lang) for t in getattr(vocab, kind + "s")}
                for kind in ("sector", "region", "language")
            }
            for lang in urls.LANGS
        }
        ordered = sorted(sources.values(), key=lambda s: sort_key(s.profile.name))
        self.slugs = [s.slug for s in ordered]
        for source in ordered:
            profile = source.profile
            stale = today > add_months(profile.last_confirmed, stale_months)
            self.groups["sector"][profile.sector].append(source.slug)
            self.groups["region"][profile.region].append(source.slug)
            for code in dict.fromkeys(profile.languages):
                self.groups["language"][code].append(source.slug)
            if memo is not None and source.digest:
                key = self.keys[source.slug] = _views_key(source, stale, inputs)
                kept = memo.has(VIEWS, key)
                views = memo.get(VIEWS, key, lambda _, s=source, st=stale: self._views(s, refs, st))
                if kept:  # views made now looked up their contents in the memo already
                    self._keep_contents(source)
            else:
                views = self._views(source, refs, stale)
            for lang, view in zip(urls.LANGS, views, strict=True):
                self.views[lang][source.slug] = view
        self.newest = sorted(
            self.slugs, key=lambda slug: (sources[slug].profile.added, slug), reverse=True
        )

    def _views(self, source: MentorSource, refs: dict, stale: bool) -> tuple[MentorView, ...]:
        """The mentor's view in each page language (`urls.LANGS` order)."""
        profile = source.profile
        contents = {profile.lang: self._content(source, profile.lang)}
        for lang in urls.LANGS:
            if lang not in contents and lang in source.translations:
                contents[lang] = self._content(source, lang)
        translation_urls = {lang: urls.mentor(lang, source.slug) for lang in urls.LANGS}
        views = []
        for lang in urls.LANGS:
            content_lang = lang if lang in contents else profile.lang
            content = contents[content_lang]
            views.append(
                MentorView(
                    slug=source.slug,
                    name=profile.name,
                    url=urls.mentor(lang, source.slug),
                    lang=profile.lang,
                    content_lang=content_lang,
                    is_fallback=content_lang != lang,
                    occupation=content["occupation"],
                    noc=self.vocab.occupation(profile.noc, lang) if profile.noc else None,
                    topics=content["topics"],
                    bio=content["bio"],
                    summary=content["summary"],
                    sector=refs[lang]["sector"][profile.sector],
                    region=refs[lang]["region"][profile.region],
                    languages=[refs[lang]["language"][c] for c in dict.fromkeys(profile.languages)],
                    years_experience=profile.years_experience,
                    education=[
                        {
                            "kind": edu.kind,
                            "kind_label": EDUCATION_KINDS[edu.kind][0 if lang == "fr" else 1],
                            "title": title["title"],
                            "place": title["place"],
                            "year": edu.year,
                        }
                        for edu, title in zip(profile.education, content["education"], strict=True)
                    ],
                    photo=None,
                    accepting=profile.accepting and not stale,
                    stale=stale,
                    last_confirmed=profile.last_confirmed,
                    added=profile.added,
                    capacity=profile.capacity,
                    translation_urls=translation_urls,
                )
            )
        return tuple(views)

    def _keep_contents(self, source: MentorSource) -> None:
        """The memo's bios and summaries of kept views stay in it: views made again (the
        mentor turned stale, data/ changed) find them."""
        texts = [(source.profile.lang, source.body)]
        texts += [(lang, t.body) for lang, t in source.translations.items()]
        for lang, body in texts:
            bio_html(body, lang, self._memo)
            self._memo.get(SUMMARY, body, summarize)

    def _content(self, source: MentorSource, lang: str) -> dict[str, Any]:
        """The translatable part in `lang`; a translation falls back to the original per field."""
        profile = source.profile
        education = [{"title": e.title, "place": e.place} for e in profile.education]
        if lang == profile.lang:
            body, occupation, topics, alt = source.body, profile.occupation, profile.topics, None
        else:
            meta = source.translations[lang].meta
            body = source.translations[lang].body
            occupation = meta.occupation or profile.occupation
            topics = meta.topics or profile.topics
            alt = meta.photo_alt
            if meta.education:
                education = [
                    {"title": t.title, "place": t.place or original["place"]}
                    for t, original in zip(meta.education, education, strict=True)
                ]
        return {
            "occupation": occupation,
            "topics": topics,
            "bio": bio_html(body, lang, self._memo),
            "summary": self._memo.get(SUMMARY, body, summarize) if self._memo else summarize(body),
            "education": education,
            "photo_alt": alt or profile.photo_alt,
        }

    def set_photo(self, slug: str, photo: dict[str, Any]) -> None:
        source = self.sources[slug]
        for lang in urls.LANGS:
            view = self.views[lang][slug]
            alt = source.profile.photo_alt
            if view.content_lang != source.profile.lang:
                alt = source.translations[view.content_lang].meta.photo_alt or alt
            view.photo = {**photo, "alt": alt}

    def vocab_refs(self, lang: str) -> dict[str, list[Ref]]:
        """Each vocabulary in `lang`, sorted by name, with the number of mentors listed."""
        out = {}
        for kind in ("sector", "region", "language"):
            terms = getattr(self.vocab, kind + "s")
            refs = [term_ref(kind, t, lang, len(self.groups[kind].get(t.code, ()))) for t in terms]
            # Regions and languages keep the order of their data file (codes, form order).
            out[kind + "s"] = (
                sorted(refs, key=lambda r: sort_key(r.name)) if kind == "sector" else refs
            )
        out["situations"] = [{"code": t.code, "name": t.name(lang)} for t in self.vocab.situations]
        return out
