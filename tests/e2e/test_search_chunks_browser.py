"""Pagefind's own search code, in the browser, on an index whose chunks were cut again
(site_search.pagefind_compact): every query word still finds every page it should."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from site_search import pagefind_compact
from site_search.pagefind_index import index_records
from site_search.records import Record, _page, record_name, write_records
from site_search.serve import StaticServer

pytestmark = pytest.mark.browser

# Words that share their first letters, so that chunks are cut between close neighbours.
FAMILY = ["infirmier", "infirmiere", "infirmieres", "infographiste", "ingenieur", "ingenieure"]
FAMILY += ["inspecteur", "inspectrice", "soudeur", "soudeuse", "souffleur", "soustitreur"]


def _pages() -> dict[str, set[str]]:
    """Each record's words: its title, one of the family, one other, and a word of its own."""
    own = [f"dossier{a}{b}" for a in "abcdefghij" for b in "klmnopqrs"]
    return {
        f"mentors/m{n}/": {"fiche", FAMILY[n % 12], FAMILY[(n * 5 + 3) % 12], own[n]}
        for n in range(90)
    }


def test_every_query_word_finds_its_pages_across_many_small_chunks(
    tmp_path: Path, page, monkeypatch
):
    pages = _pages()
    records = [
        Record(
            url,
            "fr",
            _page("fr", "fiche", "<p>" + " ".join(sorted(words - {"fiche"})) + "</p>", "", ""),
        )
        for url, words in pages.items()
    ]
    write_records(tmp_path / "records", records)
    # Pagefind's URL of each page: its record's path in the language's folder.
    indexed = {record.url: "/" + record_name(record).split("/", 1)[1] for record in records}
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text('<!doctype html><html lang="fr"><title>t</title></html>')
    monkeypatch.setattr(pagefind_compact, "CHUNK_BYTES", 40)
    index_records(tmp_path / "records", site)
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    table = pagefind_compact.read_table(
        site / "pagefind" / f"pagefind.{entry['languages']['fr']['hash']}.pf_meta"
    )
    assert len(table[2]) >= 8  # a cut wherever two neighbours share at most 3 letters

    queries = {word[:end] for word in FAMILY for end in range(4, len(word) + 1)}
    chunks = [
        pagefind_compact._read(site / "pagefind" / "index" / f"{name}.pf_index")
        for *_, name in table[2]
    ]
    ends = {chunk[0][-1][0] for chunk in chunks}  # each chunk's last word, alone and after another
    queries |= ends | {f"fiche {end}" for end in ends}
    with StaticServer(site) as server:
        page.goto(f"{server.url}/")
        found = page.evaluate(
            """async (queries) => {
              const pf = await import("/pagefind/pagefind.js");
              await pf.init();
              const found = {};
              for (const q of queries) {
                const search = await pf.search(q);
                const data = await Promise.all(search.results.map((r) => r.data()));
                found[q] = data.map((d) => d.url).sort();
              }
              return found;
            }""",
            sorted(queries),
        )
    for query in sorted(queries):
        expected = sorted(
            indexed[url]
            for url, words in pages.items()
            if all(any(word.startswith(term) for word in words) for term in query.split())
        )
        assert found[query] == expected, query
