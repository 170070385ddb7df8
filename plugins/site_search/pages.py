"""The search page of each language and the facet data it browses, written during the build."""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import urlparse

from mentors.build import after_pages
from mentors.forked import Forked
from mentors.incremental import Memo
from pelican.generators import Generator

from . import facets, records, relay_data, stopwords
from .facets import Card, build_bundle, compact_json
from .pagefind_index import BUNDLE_DIR, INDEX_FORMAT
from .query_costs import costs_file
from .records import article_record, mentor_record, write_records
from .relay_data import mentor_row
from .relay_data import text as relay_text
from .relay_data import write as write_relay_data
from .stopwords import ELISION, STOPWORDS

log = logging.getLogger(__name__)

LANGS = ("fr", "en")
SEARCH_URL = {"fr": "recherche/", "en": "en/search/"}
DATA_DIR = "search-data"
DATA_URL = DATA_DIR + "/{lang}/"
# Query-string names: French on the French page, English on the English page.
PARAMS = {
    "fr": {
        "q": "q",
        "sector": "secteur",
        "region": "region",
        "language": "langue",
        "accepting": "accepte",
    },
    "en": {
        "q": "q",
        "sector": "sector",
        "region": "region",
        "language": "language",
        "accepting": "accepting",
    },
}
ACCEPTING_VALUE = {"fr": "oui", "en": "yes"}


def other_lang(lang: str) -> str:
    return "en" if lang == "fr" else "fr"


def cards_for(views, siteurl: str) -> list[Card]:
    """Browse cards from the mentors plugin's views of one page language (duck-typed)."""
    prefix = siteurl.rstrip("/")
    cards = []
    for view in views:
        photo = view.photo or {}
        cards.append(
            Card(
                url=f"{prefix}/{view.url}",
                name=view.name,
                occupation=view.occupation,
                sector=view.sector.code,
                region=view.region.slug,
                languages=tuple(ref.code for ref in view.languages),
                accepting=bool(view.accepting),
                photo=f"{prefix}/{thumbnail(photo).lstrip('/')}" if photo.get("src") else "",
                photo_alt=photo.get("alt") or "",
            )
        )
    return cards


def mentors_per_language(data_dir: Path) -> dict[str, int]:
    """Mentors in each language's facet file (what each search index must cover)."""
    counts = {}
    for lang in LANGS:
        facets = Path(data_dir) / lang / "facets.json"
        counts[lang] = json.loads(facets.read_text("utf-8"))["count"] if facets.exists() else 0
    return counts


def records_dir(settings: dict) -> Path:
    """Where the search records live between builds (`BUILD_CACHE_PATH`, git-ignored)."""
    cache = settings.get("BUILD_CACHE_PATH") or str(settings["OUTPUT_PATH"]).rstrip("/") + ".cache"
    return Path(cache) / "search-records"


# A profile's record (and its row in the relay's copy) is a function of its view, SITEURL
# and the code that writes it.
_RECORD_CODE = hashlib.blake2b(
    b"".join(
        Path(inspect.getfile(m)).read_bytes() for m in (records, stopwords, relay_data, facets)
    )
    + Path(__file__).read_bytes(),
    digest_size=16,
).hexdigest()


def search_records(context: dict, settings: dict, memo=None, langs=LANGS):
    """Every profile and published article, in each page language of `langs`.

    `memo` (a `mentors.incremental.Memo`): a profile's record reused by the
    digest of its view, when the mentors generator has digested it.
    """
    mentors = directory(context)
    site_url = (settings.get("SITEURL") or "").rstrip("/")
    prints = context["passerelle"].fingerprints if memo is not None else None
    for lang in langs:
        for slug in mentors.slugs:
            view = mentors.views[lang][slug]
            if prints is None:
                yield mentor_record(view, lang, site_url)
                continue
            key = f"{_RECORD_CODE}\0{prints.plain_digest(view)}\0{lang}\0{site_url}"
            args = (view, lang, site_url)
            yield memo.get("record", key, lambda _, args=args: mentor_record(*args))
    for article in context.get("articles", []):
        lang = article.lang if article.lang in LANGS else "fr"
        if lang in langs:
            yield article_record(article, lang)


def records_digest(records) -> str:
    """The records' digest, kept in the build state: unchanged records need no new index."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(INDEX_FORMAT.encode())  # a new way of indexing re-indexes unchanged records
    for record in records:
        digest.update(f"{record.lang}\0{record.url}\0{record.html}\0".encode())
    return digest.hexdigest()


def index_is_current(context: dict, site: Path) -> bool:
    """True when the output already holds the index of exactly these records (incremental)."""
    state = context["passerelle"].state
    previous = state.extra.get("search_records")
    current = state.new_extra.get("search_records")
    return (
        bool(previous)
        and previous == current
        and (site / "pagefind" / "pagefind-entry.json").is_file()
    )


def thumbnail(photo: dict, at_least: int = 144) -> str:
    """The smallest variant sharp for a 72 px card on a 2x screen, else the default src."""
    variants = []
    for part in (photo.get("srcset") or "").split(","):
        url, _, width = part.strip().rpartition(" ")
        if url and width.endswith("w") and width[:-1].isdigit():
            variants.append((int(width[:-1]), url))
    sharp = sorted(v for v in variants if v[0] >= at_least)
    return sharp[0][1] if sharp else photo["src"]


def directory(context: dict):
    """The mentors plugin's directory (docs/architecture.md, "Template context")."""
    site = context.get("passerelle")
    if site is None:
        raise RuntimeError("site_search needs the mentors plugin, listed before it in PLUGINS")
    return site.directory


def vocab_codes(vocab) -> dict[str, list[str]]:
    """The values each facet may take, in data file order (regions by slug, as in URLs)."""
    return {
        "sector": [t.code for t in vocab.sectors],
        "region": [t.slug for t in vocab.regions],
        "language": [t.code for t in vocab.languages],
    }


@dataclass
class SearchData:
    """What writing search data reports back (maybe from a forked process)."""

    records_digest: dict[str, str]  # by page language
    accepting: dict[str, int]  # mentors accepting questions, by page language
    memo_deltas: dict[str, tuple] | None = None  # each language's memo, as a forked process left it

    @classmethod
    def joined(cls, parts: list[SearchData]) -> SearchData:
        return cls(
            {lang: d for part in parts for lang, d in part.records_digest.items()},
            {lang: n for part in parts for lang, n in part.accepting.items()},
        )

    def digest(self) -> str:
        """Of every language's records, kept in the build state (`index_is_current`)."""
        return "".join(self.records_digest[lang] for lang in sorted(self.records_digest))


def records_memos(settings: dict) -> dict[str, Memo]:
    """Each language's search records and relay rows by the digest of their view, kept
    between builds (`search_records`): one file a language, written by the process that
    made its records."""
    folder = records_dir(settings).parent
    (folder / "records.pickle").unlink(missing_ok=True)  # the one both languages once shared
    return {lang: Memo(folder / f"records.{lang}.pickle") for lang in LANGS}


def write_search_data(
    context: dict, settings: dict, output_path: str, memos: dict[str, Memo]
) -> SearchData:
    """Every language's search data (`write_language_data`)."""
    return SearchData.joined(
        [write_language_data(context, settings, output_path, memos[lang], lang) for lang in LANGS]
    )


def write_language_data(
    context: dict, settings: dict, output_path: str, memo: Memo, lang: str
) -> SearchData:
    """A language's search records (build cache), its facet data and the relay's copy.

    Languages share nothing they write: two processes may write one each (`start`).
    """
    mentors = directory(context)
    siteurl = settings.get("SITEURL", "")
    records = list(search_records(context, settings, memo, (lang,)))
    counts = write_records(records_dir(settings), records, (lang,))
    prints = context["passerelle"].fingerprints

    def row_text(view, card) -> str:
        """A mentor's row of the relay's copy, by the digest of its view (a card is made of
        the view alone, SITEURL apart, which the row does not show)."""
        key = f"{_RECORD_CODE}\0{prints.plain_digest(view)}"
        return memo.get("relay row", key, lambda _: compact_json(mentor_row(view, card)))

    log.info("search records (%s): %d", lang, counts[lang])
    views = [mentors.views[lang][slug] for slug in mentors.slugs]
    cards = cards_for(views, siteurl)
    bundle = build_bundle(cards, vocab_codes(mentors.vocab))
    size = bundle.write(Path(output_path) / DATA_URL.format(lang=lang))
    log.info("search facet data (%s): %d mentors, %d bytes", lang, len(cards), size)
    relay = relay_text(lang, views, cards, mentors.vocab_refs(lang), row_text)
    size = write_relay_data(Path(output_path), lang, relay)
    log.info("relay search data (%s): %d bytes", lang, size)
    accepting = sum(card.accepting for card in cards)
    return SearchData({lang: records_digest(records)}, {lang: accepting})


def _in_forked_process(
    context: dict, settings: dict, output_path: str, memos: dict[str, Memo]
) -> SearchData:
    data = write_search_data(context, settings, output_path, memos)
    # Saved by the building process, which keeps them in memory for the next rebuild.
    data.memo_deltas = {lang: memo.delta() for lang, memo in memos.items()}
    return data


def _beside_pages(
    context: dict, settings: dict, output_path: str, memos: dict[str, Memo], lang: str
) -> SearchData:
    """A language's search data, in the process that renders its pages; its memo saved
    there, where it was filled (nothing big goes back through a pipe), and forgotten
    unless this process builds again (in place, rebuild on save): the pages reuse its
    memory."""
    data = write_language_data(context, settings, output_path, memos[lang], lang)
    memos[lang].save(keep=bool(settings.get("BUILD_IN_PLACE")))
    return data


def _save(memos: dict[str, Memo], site: Path) -> None:
    for memo in memos.values():
        memo.save()


_STARTED: list[tuple[Forked, dict[str, Memo]]] = []  # search data written by a forked process
LANGUAGE_WORK = "search data"  # its name among the mentors generator's language work


def start(generator) -> None:
    """Once the mentors' directory is complete (`mentors.generator.directory_ready`), have
    the search data written beside the pages.

    On a big site rebuilt in place: in a forked process while the pages are rendered
    here. Otherwise each language's by the process that renders its pages, before
    them (`SiteContext.language_work`): a full build's two render processes write
    one each, rather than this process both after the pages with a core idle.
    """
    while _STARTED:  # one a failed build started
        _STARTED.pop()[0].discard()
    settings = generator.settings
    workers = settings.get("MENTORS_RENDER_WORKERS") or os.cpu_count() or 1
    big = len(directory(generator.context).slugs) >= settings.get("MENTORS_PARALLEL_FROM", 2000)
    memos = records_memos(settings)  # read once, before any fork: every process uses them
    args = (generator.context, settings, generator.output_path, memos)
    if settings.get("BUILD_IN_PLACE") and big and workers >= 2:
        _STARTED.append((Forked(partial(_in_forked_process, *args), replay_logs=True), memos))
    else:
        generator.context["passerelle"].language_work[LANGUAGE_WORK] = partial(_beside_pages, *args)


class SearchPageGenerator(Generator):
    """Writes /recherche/ and /en/search/ and the facet data under search-data/<lang>/."""

    def generate_context(self):
        pass

    def generate_output(self, writer):
        siteurl = self.settings.get("SITEURL", "")
        base_path = (urlparse(siteurl).path or "").rstrip("/") + "/"
        template = self.get_template("search")
        vocab = directory(self.context).vocab
        site = self.context["passerelle"]
        written = site.language_results.get(LANGUAGE_WORK, {})
        if _STARTED:
            forked, memos = _STARTED.pop()
            data = forked.result()
            for lang, delta in data.memo_deltas.items():
                memos[lang].merge(delta)
            after_pages(self.settings, partial(_save, memos), self.output_path, here=True)
        else:  # each language's written with its pages (`start`), its memo saved there
            missing = [lang for lang in LANGS if lang not in written]
            if missing:
                raise RuntimeError(f"no search data written for {', '.join(missing)}")
            data = SearchData.joined([written[lang] for lang in LANGS])
        site.state.new_extra["search_records"] = data.digest()
        for lang in LANGS:
            writer.write_file(
                SEARCH_URL[lang] + "index.html",
                template,
                self.context,
                lang=lang,
                search={
                    "url": SEARCH_URL[lang],
                    "data_url": DATA_URL.format(lang=lang),
                    "costs_url": f"{BUNDLE_DIR}/{costs_file(lang)}",  # what each query word costs
                    "base_url": base_path,
                    "params": PARAMS[lang],
                    "accepting_value": ACCEPTING_VALUE[lang],
                    "accepting_count": data.accepting[lang],
                    "region_names": {t.slug: t.name(lang) for t in vocab.regions},
                    "facet_filter": records.FACET_VALUE,  # a facet value's Pagefind filter
                    "stopwords": sorted(STOPWORDS),  # left out of profiles' records
                    "elision": ELISION,
                    "other": {  # the language switch keeps the query and the filters
                        "url": base_path + SEARCH_URL[other_lang(lang)],
                        "params": PARAMS[other_lang(lang)],
                        "acceptingValue": ACCEPTING_VALUE[other_lang(lang)],
                    },
                },
            )
