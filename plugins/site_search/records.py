"""Search records: the part of each profile and article that is searched, as a tiny HTML page.

Pagefind crawling the rendered site reads every page in full (listings too)
and keeps them all in memory: at 10,000 mentors that is most of the build's
time and memory. The build already holds what a search needs, so it writes
one small record per indexed page instead, with the filters and meta the
search page reads (docs/architecture.md, "Search"). Its path gives Pagefind
the page's URL: a page at `mentors/x/` is the record `mentors/x.html` (one
file, not a folder and a file: at 10,000 mentors, writing 20,000 folders was
most of the records' time), in a folder named for the record's number of
words (`w52/mentors/x.html`), and `search.js` drops that folder and turns a
result's `.html` back into the `/` of the page's URL.

The folder is there for the size of a first search. Pagefind numbers pages in
the order it walks the folder, and its page table (which every first search
downloads) lists each page's word count in that order: walked in the file
system's order, the counts cost 5-7 KB of the table's 17 at 10,000 mentors;
grouped, they cost next to nothing (the table 11.5 KB), and the page lists of
common words pack tighter too, pages of a length being alike ("cegep" 13.6 ->
12.2 KB, "etudes" 15.6 -> 14.9). A profile's record holds what a
young person searches a mentor by — name, occupation, sector, region,
education, topics and the bio's first paragraph (its summary) — not the whole
bio: the rest of a bio adds words that match everything, and Pagefind's
memory grows by about 1 KB for each distinct word of each record (620 MiB for
10,000 records of ~60 words; 70 MiB with the name alone). Interface words
that every page repeats (field labels, headings, the status line) are left
out for the same reason, and so are the spoken languages: the `language`
and `accepting` filters answer those.

Pagefind (1.5) indexes every meta's words as searchable text, and its
memory grows with them (~12 MiB at 10,000 records for a region's name). So a
record carries only the meta a result card shows and Pagefind cannot take:
the name (`title`), the occupation (searched anyway) and the photo's URL as
one opaque token (`opaque`). As plain text, the URL's words ("images",
"mentor", "photo", "jpg") and the photo's alt text were searched: "mentor
soins" found only the mentors with a photo. A region's name comes from the
`region` filter and the search page's own list of names.

Only articles carry a `type` filter (`type:article`): a filter every profile
carried would be a 22 KB chunk the search page downloads before its first
results; mentors are the results that are not articles.

A profile's facets are filters twice: one a facet (`sector:genie-civil`), whose
chunk lists every value's pages, which the search page loads after its first
results to count them; and one a value (`sector=genie-civil:1`, `FACET_VALUE`),
which a search narrows by. Narrowed by a facet's filter, a query would wait for
its whole chunk (10-22 KB a facet at 10,000 mentors, 59 KB for four, more than
a query's whole budget: `site_search.query_costs`); one value's list is 0.3-10 KB.
Only accepting mentors carry `accepting=yes:1`: the search narrows by that alone.

A record is rewritten only when its text changed, so an incremental build
touches the records of what changed; the folder persists between builds.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from mentors.incremental import remove_with_empty_folders, write_new

from .stopwords import searchable

LANGS = ("fr", "en")
RECORD_SUFFIX = ".html"
# Pagefind weights (1 is the bio's; the name is the <h1>, 7): a word in the occupation,
# sector or topics outranks the same word met in passing in a bio.
WEIGHTS = {"occupation": 6, "sector": 4, "noc": 3, "topics": 3}
TYPE_FILTER = "type"  # `type:article`, on articles only; every text search narrows by it
FACET_VALUE = "{facet}={value}"  # a facet value's filter (`facet_value`), given to search.js


_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Record:
    """One indexed page: its URL (site-relative, e.g. `en/mentors/x/`), language, HTML."""

    url: str
    lang: str
    html: str

    @functools.cached_property
    def words(self) -> int:
        """How many words Pagefind counts in the page: the words of its text, each element's
        text apart (a profile's elements are blocks, which Pagefind keeps apart too; an
        article's inline markup may make it a word or two more than Pagefind's count,
        which only puts the article in a folder of its own)."""
        return len(_TAG.sub(" ", self.html).split())


def _meta(name: str, value: str) -> str:
    return f'<span data-pagefind-meta="{name}:{escape(value)}"></span>' if value else ""


OPAQUE_MARK = "zqx"  # letters outside hex: `search.js` strips what precedes the hex digits


def opaque(text: str) -> str:
    """`text` as one word Pagefind indexes but nobody types: a mark, then its UTF-8 in hex."""
    return OPAQUE_MARK + text.encode("utf-8").hex()


def _filters(filters: dict[str, Iterable[str]]) -> str:
    return "".join(
        f'<span data-pagefind-filter="{escape(name)}:{escape(value)}"></span>'
        for name, values in filters.items()
        for value in values
    )


def facet_value(facet: str, value: str) -> str:
    """The filter that one value of a facet is (`search.js` names it the same way)."""
    return FACET_VALUE.format(facet=facet, value=value)


@functools.lru_cache(maxsize=4096)
def _text(value: str) -> str:
    """Searched text of a profile: escaped, without function words (`stopwords`).

    Kept for the most recent texts: sector, region, topics, education recur in
    thousands of records (at 10,000 mentors, uncached, over a quarter of the search
    data's time).
    """
    return escape(searchable(value))


def _page(lang: str, title: str, body: str, meta: str, filters: str) -> str:
    return (
        f'<html lang="{lang}"><body><main data-pagefind-body>'
        f"<h1>{escape(title)}</h1>{meta}{filters}{body}</main></body></html>"
    )


def mentor_record(view, lang: str, site_url: str) -> Record:
    """A profile's record in page language `lang` (a `mentors.directory.MentorView`)."""
    photo = view.photo or {}
    src = photo.get("src") or ""
    if src and not src.startswith(("http://", "https://", "/")):
        src = f"{site_url}/{src}"
    content_lang = f' lang="{view.content_lang}"' if view.is_fallback else ""
    education = "".join(
        f"<li>{_text(step['kind_label'])} {_text(step['title'])}"
        f"{' ' + _text(step['place']) if step.get('place') else ''}</li>"
        for step in view.education
    )
    topics = "".join(f"<li>{_text(topic)}</li>" for topic in view.topics)
    noc = view.noc or {}
    occupation_group = (
        f'<p data-pagefind-weight="{WEIGHTS["noc"]}">{_text(noc["title"])} {noc["code"]}</p>'
        if noc
        else ""
    )
    body = (
        f'<p{content_lang} data-pagefind-weight="{WEIGHTS["occupation"]}">'
        f"{_text(view.occupation)}</p>"
        f'<p data-pagefind-weight="{WEIGHTS["sector"]}">{_text(view.sector.name)}</p>'
        f"{occupation_group}<p>{_text(view.region.name)}</p>"
        f'<ul{content_lang} data-pagefind-weight="{WEIGHTS["topics"]}">{topics}</ul>'
        f"<div{content_lang}><p>{_text(view.summary)}</p><ul>{education}</ul></div>"
    )
    meta = _meta("occupation", view.occupation) + _meta("photo", opaque(src) if src else "")
    facets = {
        "sector": [view.sector.code],
        "region": [view.region.slug],
        "language": [ref.code for ref in view.languages],
        "accepting": ["yes" if view.accepting else "no"],
    }
    chosen = {  # what a search narrows by: every value but "not accepting"
        facet_value(facet, value): ["1"]
        for facet, values in facets.items()
        for value in values
        if (facet, value) != ("accepting", "no")
    }
    filters = _filters(facets | chosen | ({"noc": [noc["code"]]} if noc else {}))
    return Record(view.url, lang, _page(lang, view.name, body, meta, filters))


def article_record(article, lang: str) -> Record:
    """An article's record: its title and rendered body (Pelican's `Article`)."""
    filters = _filters({TYPE_FILTER: ["article"]})
    return Record(article.url, lang, _page(lang, article.title, article.content, "", filters))


class RecordUrlError(ValueError):
    """A page whose URL is a file name: its record could not be told from a folder's."""


def record_path(root: Path, record: Record) -> Path:
    """`<root>/<lang>/<url without its last slash>.html`: each language is its own Pagefind
    site."""
    return Path(root) / record_name(record)


def record_name(record: Record) -> str:
    """A record's path in the records folder (`record_path`), as a string: quick for thousands.

    `<lang>/w<words>/<url without its last slash>.html`: Pagefind takes the page's URL
    from the path under `<lang>/` (the folder of its length included: `search.js`
    drops it).
    """
    if not record.url.endswith("/") or record.url.strip("/") == "":
        raise RecordUrlError(
            f"cannot index the page at '{record.url}': search records need pages whose URL "
            "is a folder (ending in '/', as ARTICLE_URL and PAGE_URL are in pelicanconf.py)"
        )
    return f"{record.lang}/w{record.words}/{record.url.strip('/')}{RECORD_SUFFIX}"


def digests_name(lang: str) -> str:
    """The list of a language's records and their digests, beside the language's folder."""
    return f"digests.{lang}.json"


def write_records(
    root: Path, records: Iterable[Record], langs: tuple[str, ...] = LANGS
) -> dict[str, int]:
    """Write the changed records of `langs`, remove theirs that are gone; count records per
    language.

    `<root>/digests.<lang>.json` lists what a language's folder holds (each record's
    digest), so an incremental build compares digests instead of reading every record
    again. Languages are independent: two processes may write two languages at once.
    """
    root = Path(root)
    counts = dict.fromkeys(langs, 0)
    digests: dict[str, dict[str, str]] = {lang: {} for lang in langs}
    held: dict[str, dict[str, str | None]] = {}
    for lang in langs:
        held[lang] = _held(root, lang)
        # written again below: never trusted half-way
        (root / digests_name(lang)).unlink(missing_ok=True)
    for record in records:
        if record.lang not in digests:
            raise ValueError(f"a record in '{record.lang}' given to write {', '.join(langs)}")
        name = record_name(record)
        data = record.html.encode("utf-8")
        digest = digests[record.lang][name] = hashlib.blake2b(data, digest_size=16).hexdigest()
        counts[record.lang] += 1
        if held[record.lang].get(name) == digest:
            continue
        write_new(os.path.join(root, name), data)  # a cache, not served: no rename
    root.mkdir(parents=True, exist_ok=True)
    for lang in langs:
        for name in set(held[lang]) - set(digests[lang]):
            remove_with_empty_folders(root / name, root)
        text = json.dumps(digests[lang], separators=(",", ":"))
        (root / digests_name(lang)).write_text(text, encoding="utf-8")
    return counts


def _held(root: Path, lang: str) -> dict[str, str | None]:
    """A language's records in `root` with their digests; without a list, found on disk
    (digest unknown)."""
    try:
        return json.loads((root / digests_name(lang)).read_text("utf-8"))
    except (OSError, ValueError):
        pass
    found: dict[str, str | None] = {}
    for directory, _, files in os.walk(root / lang):
        for name in files:
            if name.endswith(RECORD_SUFFIX):
                found[(Path(directory) / name).relative_to(root).as_posix()] = None
    return found
