"""The search side of the build: facet data the browser browses, the Pagefind index, the pages."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ROOT
from site_search.facets import ALPHABET, Card, build_bundle, encode, width_for

CODES = {
    "sector": ["genie-civil", "soins-infirmiers", "electricite"],
    "region": ["montreal", "laval", "estrie"],
    "language": ["fr", "en", "es"],
}


def card(name, sector, region, languages, accepting=True):
    slug = name.lower().replace(" ", "-")
    return Card(f"/mentors/{slug}/", name, "Métier", sector, region, tuple(languages), accepting)


def decode_column(text: str, width: int) -> list[int]:
    """The reading the browser does (search-browse.js), written again to check the format."""
    values = []
    for start in range(0, len(text), width):
        n = 0
        for char in text[start : start + width]:
            n = n * len(ALPHABET) + ALPHABET.index(char)
        values.append(n)
    return values


def test_encode_round_trips_and_refuses_overflow():
    for count in (1, 2, 63, 64, 65, 4096):
        width = width_for(count)
        for index in {0, count // 2, count - 1}:
            assert decode_column(encode(index, width), width) == [index]
    with pytest.raises(ValueError):
        encode(64, 1)


def test_bundle_orders_accepting_first_then_name_ignoring_accents():
    cards = [
        card("Zoé Roy", "genie-civil", "laval", ["fr"]),
        card("Émilie Côté", "genie-civil", "laval", ["fr"]),
        card("Anne Dubé", "genie-civil", "laval", ["fr"], accepting=False),
        card("Denis Roy", "genie-civil", "laval", ["fr"]),
    ]
    bundle = build_bundle(cards, CODES)
    names = [row[1] for row in bundle.files["sector/genie-civil/0.json"]["cards"]]
    assert names == ["Denis Roy", "Émilie Côté", "Zoé Roy", "Anne Dubé"]


def test_written_bundle_reads_back_as_its_documents(tmp_path: Path):
    """Card rows are encoded once for all the pages that show them: every file still says
    exactly what its document holds."""
    cards = [
        card("Zoé Roy", "genie-civil", "laval", ["fr", "en"]),
        card("Anne « Nan » Dubé", "genie-civil", "montreal", ["fr"], accepting=False),
        card("Denis Roy", "electricite", "laval", ["en"]),
    ]
    bundle = build_bundle(cards, CODES)
    size = bundle.write(tmp_path)
    written = {p.relative_to(tmp_path).as_posix(): p for p in tmp_path.rglob("*.json")}
    assert sorted(written) == sorted(bundle.files)
    for relative, document in bundle.files.items():
        assert json.loads(written[relative].read_text("utf-8")) == document
    assert size == sum(p.stat().st_size for p in written.values())
    assert "language/fr/0.json" in written and "accepting/yes/0.json" in written


def test_columns_hold_every_mentor_facets_in_display_order():
    cards = [
        card("A", "electricite", "estrie", ["fr", "es"]),
        card("B", "genie-civil", "montreal", ["en"], accepting=False),
        card("C", "soins-infirmiers", "laval", ["fr", "en"]),
    ]
    doc = build_bundle(cards, CODES).files["facets.json"]
    assert doc["count"] == 3
    values, widths, columns = doc["values"], doc["widths"], doc["columns"]
    sectors = [values["sector"][i] for i in decode_column(columns["sector"], widths["sector"])]
    regions = [values["region"][i] for i in decode_column(columns["region"], widths["region"])]
    accepting = [values["accepting"][i] for i in decode_column(columns["accepting"], 1)]
    languages = [
        [values["language"][i] for i in decode_column(part, widths["language"])]
        for part in columns["language"].split(".")
    ]
    # Display order: A, C (accepting, by name), then B.
    assert sectors == ["electricite", "soins-infirmiers", "genie-civil"]
    assert regions == ["estrie", "laval", "montreal"]
    assert accepting == ["yes", "yes", "no"]
    assert languages == [["fr", "es"], ["fr", "en"], ["en"]]


def test_card_pages_are_grouped_by_value_and_paged():
    cards = [
        card(f"M{i:02d}", "genie-civil", "laval" if i % 3 else "estrie", ["fr"]) for i in range(7)
    ]
    files = build_bundle(cards, CODES, page_size=2).files
    estrie = [row[1] for n in range(2) for row in files[f"region/estrie/{n}.json"]["cards"]]
    assert estrie == ["M00", "M03", "M06"]
    assert "region/estrie/2.json" not in files
    assert len(files["sector/genie-civil/3.json"]["cards"]) == 1
    assert "region/montreal/0.json" not in files  # no page for a value nobody has
    assert "accepting/no/0.json" not in files  # the page never browses "not accepting"


def test_unknown_value_is_a_clear_error():
    with pytest.raises(ValueError, match=r"/mentors/x/: unknown region 'gaspesie'"):
        build_bundle([card("X", "genie-civil", "gaspesie", ["fr"])], CODES)


def test_bundle_writes_compact_json(tmp_path: Path):
    size = build_bundle([card("A", "genie-civil", "laval", ["fr"])], CODES).write(tmp_path)
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json"))
    assert "facets.json" in written and "language/fr/0.json" in written
    assert size == sum(p.stat().st_size for p in tmp_path.rglob("*.json"))
    assert json.loads((tmp_path / "facets.json").read_text())["count"] == 1


# ---- the built sample site --------------------------------------------------------------


def html_lang(path: Path) -> str:
    head = path.read_text(encoding="utf-8")[:400]
    return head.split('<html lang="', 1)[1].split('"', 1)[0]


def test_build_indexes_every_profile_and_article_once_per_language(built_site: Path):
    from site_search.pagefind_index import indexed_pages

    marked = {"fr": 0, "en": 0}
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if "data-pagefind-body" in text:
            marked[html_lang(page)] += 1
    mentors = len(json.loads((built_site / "relay" / "mentors.json").read_text())["mentors"])
    assert indexed_pages(built_site) == marked
    assert marked["fr"] > mentors and marked["en"] > mentors  # profiles and articles


def test_listing_and_search_pages_are_not_indexed(built_site: Path):
    for path in ("recherche", "en/search", "mentors", "secteurs", "en/regions", ""):
        page = built_site / path / "index.html"
        assert "data-pagefind-body" not in page.read_text(encoding="utf-8"), path


def test_facet_files_cover_every_mentor_in_both_languages(built_site: Path):
    manifest = json.loads((built_site / "relay" / "mentors.json").read_text())["mentors"]
    for lang in ("fr", "en"):
        doc = json.loads((built_site / "search-data" / lang / "facets.json").read_text())
        assert doc["count"] == len(manifest)
        accepting = sum(1 for m in manifest.values() if m["accepting"])
        pages = sorted((built_site / "search-data" / lang / "accepting" / "yes").glob("*.json"))
        rows = [row for page in pages for row in json.loads(page.read_text())["cards"]]
        prefix = "/en/mentors/" if lang == "en" else "/mentors/"
        assert len(rows) == accepting
        assert all(row[0].startswith(prefix) and row[6] == 1 for row in rows)
        assert doc["columns"]["accepting"].count(ALPHABET[0]) == accepting  # "yes" is value 0


@pytest.mark.parametrize(
    "path, lang, names",
    [
        ("recherche/index.html", "fr", ['name="q"', 'name="secteur"', 'name="langue"']),
        ("en/search/index.html", "en", ['name="q"', 'name="sector"', 'name="language"']),
    ],
)
def test_search_pages_are_get_forms_in_their_language(built_site: Path, path, lang, names):
    page = built_site / path
    text = page.read_text(encoding="utf-8")
    assert html_lang(page) == lang
    assert 'method="get"' in text and 'id="search-config"' in text
    for name in names:
        assert name in text


def test_an_index_missing_profiles_fails_the_build_with_a_clear_error(tmp_path: Path):
    from site_search.pagefind_index import SearchIndexError, check_coverage

    bundle = tmp_path / "pagefind"
    bundle.mkdir()
    entry = {"languages": {"fr": {"page_count": 12}, "en": {"page_count": 0}}}
    (bundle / "pagefind-entry.json").write_text(json.dumps(entry))
    check_coverage(tmp_path, {"fr": 10})
    with pytest.raises(SearchIndexError, match="'en' search index holds 0 pages .* 10 mentor"):
        check_coverage(tmp_path, {"fr": 10, "en": 10})


def test_a_profile_is_searched_by_its_summary_not_its_whole_bio(built_site: Path):
    """Records hold name, occupation, facts, topics and the bio's first paragraph only."""
    import gzip

    import yaml
    from site_search.stopwords import searchable

    fragments = "\n".join(
        gzip.decompress(p.read_bytes()).decode("utf-8")
        for p in (built_site / "pagefind" / "fragment").glob(
            "*fr_*.pf_fragment"
        )  # "xfr": indexed unstemmed
    )
    checked = 0
    for path in sorted((ROOT / "content" / "mentors").glob("*.md")):
        if path.name.count(".") != 1:
            continue
        _, front, body = path.read_text("utf-8").split("---", 2)
        meta = yaml.safe_load(front)
        paragraphs = [" ".join(p.split()) for p in body.strip().split("\n\n") if p.strip()]
        if len(paragraphs) < 2 or len(paragraphs[0]) > 150 or any(c in body for c in '*["'):
            continue  # a plain first paragraph the summary keeps whole, and more after it
        # Searched without its function words ("de", "l'"): site_search.stopwords.
        assert searchable(paragraphs[0]) in fragments, path.name
        assert meta["occupation"] in fragments and searchable(meta["topics"][0]) in fragments
        assert searchable(paragraphs[1]) not in fragments, path.name
        checked += 1
    assert checked >= 3


def test_records_are_rewritten_only_when_changed_and_removed_when_gone(tmp_path: Path):
    from site_search.records import Record, digests_name, record_path, write_records

    a, b = Record("mentors/a/", "fr", "<p>a</p>"), Record("mentors/b/", "fr", "<p>b</p>")
    assert write_records(tmp_path, [a, b]) == {"fr": 2, "en": 0}
    record_path(tmp_path, a).write_text("marked", "utf-8")
    changed = Record("mentors/b/", "fr", "<p>b, changed</p>")

    write_records(tmp_path, [a, changed])
    assert record_path(tmp_path, a).read_text("utf-8") == "marked"  # not written again
    assert record_path(tmp_path, changed).read_text("utf-8") == "<p>b, changed</p>"
    assert not record_path(tmp_path, b).exists()  # one word more: in another folder now

    (tmp_path / digests_name("fr")).unlink()  # without its list, the folder is read from disk
    write_records(tmp_path, [changed])
    assert not record_path(tmp_path, a).exists()
    assert sorted(p.name for p in tmp_path.rglob("*.html")) == ["b.html"]


def test_a_record_is_one_file_named_for_its_page_and_empty_folders_go(tmp_path: Path):
    from site_search.records import Record, RecordUrlError, record_name, write_records

    deep = Record("en/articles/a/", "en", "<h1>A</h1><p>a — b.</p>")
    # Pagefind's URL: /w4/en/articles/a.html, in the folder of the page's 4 words.
    assert record_name(deep) == "en/w4/en/articles/a.html"
    write_records(tmp_path, [deep, Record("mentors/b/", "fr", "<p>b</p>")])
    assert (tmp_path / "en/w4/en/articles/a.html").read_text("utf-8") == deep.html

    write_records(tmp_path, [Record("mentors/b/", "fr", "<p>b</p>")])
    assert not (tmp_path / "en").exists()  # the folders it alone was in
    assert (tmp_path / "fr/w1/mentors/b.html").is_file()

    for url in ("articles/a.html", "/"):  # no folder to tell it by
        with pytest.raises(RecordUrlError, match="URL is a folder"):
            write_records(tmp_path, [Record(url, "fr", "<p>x</p>")])
    assert (tmp_path / "fr/w1/mentors/b.html").is_file()  # what it held is kept


def test_pages_come_to_pagefind_grouped_by_the_words_it_counts(built_site: Path):
    """Pagefind numbers pages in the order it walks the records: each profile's folder is
    named for the words Pagefind counts in it, so the page table lists the pages of a
    length together (its word counts then cost next to nothing, `site_search.records`)."""
    import gzip

    from site_search.pagefind_compact import SIGNATURE, read_table

    bundle = built_site / "pagefind"
    for table_path in bundle.glob("pagefind.*.pf_meta"):
        groups, profiles = [], 0
        for name, words in read_table(table_path)[1]:
            raw = gzip.decompress((bundle / "fragment" / f"{name}.pf_fragment").read_bytes())
            url = json.loads(raw[len(SIGNATURE) :])["url"]
            group, path = url.split("/", 2)[1:]
            if "mentors/" in path:  # an article's inline markup may split a word or two
                assert group == f"w{words}", url
                profiles += 1
            if not groups or groups[-1] != group:
                assert group not in groups, f"{group} comes back after {groups[-1]}"
                groups.append(group)
        assert profiles >= 10 and len(groups) >= 5, table_path.name


def test_bundle_rewrites_changed_files_without_touching_linked_copies(tmp_path: Path):
    """An incremental build's folder hard-links the previous site: replace, never write into."""
    import os

    from site_search.facets import FacetBundle

    root, previous = tmp_path / "site", tmp_path / "previous"
    FacetBundle({"facets.json": {"n": 1}, "sector/a/0.json": {"cards": [1]}}).write(root)
    for path in root.rglob("*.json"):
        (previous / path.relative_to(root)).parent.mkdir(parents=True, exist_ok=True)
        os.link(path, previous / path.relative_to(root))

    FacetBundle({"facets.json": {"n": 2}, "region/b/0.json": {"cards": [2]}}).write(root)

    assert json.loads((root / "facets.json").read_text()) == {"n": 2}
    assert json.loads((previous / "facets.json").read_text()) == {"n": 1}
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.json")) == [
        "facets.json",
        "region/b/0.json",
    ]
    assert (previous / "sector" / "a" / "0.json").exists()


def test_function_words_and_elided_articles_are_left_out_of_searched_text():
    from site_search.stopwords import searchable

    text = "J'ai fait un DEC en techniques de laboratoire à l’école, and it was the best"
    assert searchable(text) == "fait DEC techniques laboratoire école, best"
    assert (
        searchable("Qu'importe: Montréal-Nord, aujourd'hui")
        == "importe: Montréal-Nord, aujourd'hui"
    )


def test_a_photos_url_is_one_opaque_word_in_its_record():
    from site_search.records import OPAQUE_MARK, opaque

    url = "https://example.org/images/derivatives/mentor-photo/320w/é.jpg"
    word = opaque(url)
    assert re.fullmatch(r"[g-z]+[0-9a-f]+", word) and word.startswith(OPAQUE_MARK)
    assert bytes.fromhex(word[len(OPAQUE_MARK) :]).decode("utf-8") == url


def _pagefind_bundle(tmp_path: Path, pages: int) -> tuple[Path, str]:
    """Pagefind's own bundle for `pages` French records; its page table's hash."""
    from site_search.pagefind_index import ENTRY, _finish, _start, unstemmed
    from site_search.records import Record, _page, write_records

    records = tmp_path / "records"
    text = [f"Mentor {n}, soudeuse {n * 7919}" for n in range(pages)]
    page = [_page("fr", words, f"<p>{words}</p>", "", "") for words in text]
    write_records(records, [Record(f"mentors/m{n}/", "fr", page[n]) for n in range(pages)])
    bundle = tmp_path / "bundle"
    _finish(_start(records / "fr", bundle, "fr"), records / "fr", bundle)
    entry = json.loads((bundle / ENTRY).read_text("utf-8"))
    return bundle, entry["languages"][unstemmed("fr")]["hash"]


def test_pagefind_files_are_written_back_byte_for_byte(tmp_path: Path):
    """What the compaction reads and writes (cbor2) is Pagefind's encoding, not another."""
    import gzip

    import cbor2
    from site_search.pagefind_compact import SIGNATURE

    bundle, table_hash = _pagefind_bundle(tmp_path, 30)
    files = [bundle / f"pagefind.{table_hash}.pf_meta", *(bundle / "index").iterdir()]
    for path in files:
        raw = gzip.decompress(path.read_bytes())
        assert raw.startswith(SIGNATURE)
        assert SIGNATURE + cbor2.dumps(cbor2.loads(raw[len(SIGNATURE) :])) == raw


def _gzipped(item) -> int:
    import gzip

    import cbor2

    return len(gzip.compress(cbor2.dumps(item)))


def _find_chunk(chunks: list, term: str) -> str | None:
    """Pagefind's choice of an index chunk for a query word (pagefind_web, request_indexes)."""
    return next((name for start, end, name in chunks if start <= term <= end), None)


@pytest.mark.parametrize("into", [None, "merged"])  # the fragments moved to a merged bundle
def test_fragments_are_renamed_and_index_chunks_cut_so_each_word_has_one_chunk(
    tmp_path: Path, into: str | None, monkeypatch
):
    import gzip

    import brotli
    from site_search import brotli_copies
    from site_search.brotli_copies import copy_of
    from site_search.pagefind_compact import SHARED_PREFIX, _read, compact, read_table

    from ops.deploy import IMMUTABLE, cache_control

    monkeypatch.setattr(brotli_copies, "SMALLEST", 2_000)  # the table's size, not a chunk's
    bundle, table_hash = _pagefind_bundle(tmp_path, 400)
    before = read_table(bundle / f"pagefind.{table_hash}.pf_meta")
    fragments = bundle / "fragment"
    contents = [(fragments / f"{name}.pf_fragment").read_bytes() for name, _ in before[1]]
    words = [w for *_, name in before[2] for w in _read(bundle / "index" / f"{name}.pf_index")[0]]

    new_hash = compact(bundle, table_hash, chunk_bytes=300, into=into and tmp_path / into)

    assert not (bundle / f"pagefind.{table_hash}.pf_meta").exists()
    table = read_table(bundle / f"pagefind.{new_hash}.pf_meta")
    tag = table_hash.split("_")[1][:7]
    assert [name for name, _ in table[1]] == [f"xfr_{tag}{n}" for n in range(400)]
    assert [count for _, count in table[1]] == [count for _, count in before[1]]
    assert table[3:] == before[3:]  # filters, sorts, meta fields: as they were
    moved = tmp_path / into / "fragment" if into else fragments
    assert [(moved / f"{name}.pf_fragment").read_bytes() for name, _ in table[1]] == contents
    assert len(list(moved.iterdir())) == 400
    assert len(list(fragments.iterdir())) == (0 if into else 400)
    assert _gzipped(table[1]) < _gzipped(before[1]) * 0.7  # the page list, on the wire

    chunks = {name: _read(bundle / "index" / f"{name}.pf_index")[0] for *_, name in table[2]}
    assert sorted(p.stem for p in (bundle / "index").glob("*.pf_index")) == sorted(chunks)
    # A chunk, filter or table of `SMALLEST` bytes or more has a brotli copy of what it
    # unzips to; nothing else has one.
    files = [*(bundle / "index").glob("*.pf_index"), *(bundle / "filter").glob("*.pf_filter")]
    files.append(bundle / f"pagefind.{new_hash}.pf_meta")
    copied = [p for p in files if len(gzip.decompress(p.read_bytes())) >= brotli_copies.SMALLEST]
    assert bundle / f"pagefind.{new_hash}.pf_meta" in copied and len(copied) < len(files)
    assert sorted(bundle.rglob("*.br")) == sorted(copy_of(path) for path in copied)
    for path in copied:
        assert brotli.decompress(copy_of(path).read_bytes()) == gzip.decompress(path.read_bytes())
    assert len(chunks) > 10 and [w for c in chunks.values() for w in c] == words
    for word in (w[0] for w in words):
        for end in range(SHARED_PREFIX + 1, len(word) + 1):
            chosen = chunks[_find_chunk(table[2], word[:end])]
            starting = [w[0] for w in words if w[0].startswith(word[:end])]
            assert [w[0] for w in chosen if w[0].startswith(word[:end])] == starting, word[:end]
    for name in (f"fragment/{table[1][0][0]}.pf_fragment", f"index/{table[2][0][2]}.pf_index"):
        assert cache_control(f"pagefind/{name}") == IMMUTABLE  # names change with content
    assert cache_control(f"pagefind/pagefind.{new_hash}.pf_meta") == IMMUTABLE


def test_a_brotli_copy_is_kept_from_the_last_build_only_for_the_very_same_file(
    tmp_path: Path, monkeypatch
):
    import gzip

    import brotli
    from site_search import brotli_copies
    from site_search.brotli_copies import copy_of
    from site_search.pagefind_compact import compact

    monkeypatch.setattr(brotli_copies, "SMALLEST", 0)  # every chunk has a copy
    last, last_hash = _pagefind_bundle(tmp_path / "last", 400)
    compact(last, last_hash, chunk_bytes=300)
    chunks = sorted((last / "index").glob("*.pf_index"))
    # Another file under the same name (as a shorter digest could give): its copy is not kept.
    changed = chunks[3]
    changed.write_bytes(gzip.compress(b"pagefind_dcd other bytes"))
    copy_of(changed).write_bytes(brotli.compress(b"pagefind_dcd other bytes"))
    kept = {path.name: copy_of(path).stat().st_ino for path in chunks}

    bundle, table_hash = _pagefind_bundle(tmp_path / "next", 400)  # the same records again
    compact(bundle, table_hash, chunk_bytes=300, previous=last)

    new = sorted((bundle / "index").glob("*.pf_index"))
    assert [path.name for path in new] == [path.name for path in chunks]
    for path in new:
        assert brotli.decompress(copy_of(path).read_bytes()) == gzip.decompress(path.read_bytes())
        reused = copy_of(path).stat().st_ino == kept[path.name]
        assert reused == (path.name != changed.name), path.name


def test_a_page_table_of_an_unknown_version_is_refused_before_any_change(tmp_path: Path):
    import gzip

    import cbor2
    from site_search.pagefind_compact import SIGNATURE, PagefindFormatError, compact

    bundle, table_hash = _pagefind_bundle(tmp_path, 3)
    meta = bundle / f"pagefind.{table_hash}.pf_meta"
    files = sorted(p.relative_to(bundle) for p in bundle.rglob("*") if p.parent != bundle)
    meta.write_bytes(gzip.compress(SIGNATURE + cbor2.dumps(["9.0.0", [["xfr_1234567", 3]]])))
    with pytest.raises(
        PagefindFormatError, match=r"Pagefind 9\.0\.0's page table .* knows 1\.5\.2"
    ):
        compact(bundle, table_hash)
    assert sorted(p.relative_to(bundle) for p in bundle.rglob("*") if p.parent != bundle) == files
    meta.write_bytes(gzip.compress(b"not a table"))
    with pytest.raises(PagefindFormatError, match="not a Pagefind file"):
        compact(bundle, table_hash)


def test_an_index_that_cannot_be_compacted_fails_the_build_and_keeps_the_last(
    tmp_path: Path, monkeypatch
):
    from site_search import pagefind_compact
    from site_search.pagefind_index import SearchIndexError, index_records
    from site_search.records import Record, _page, write_records

    records, site = tmp_path / "records", tmp_path / "site"
    site.mkdir()
    write_records(
        records,
        [
            Record("mentors/a/", "fr", _page("fr", "A", "<p>Soudeuse</p>", "", "")),
            Record("en/mentors/a/", "en", _page("en", "A", "<p>Welder</p>", "", "")),
        ],
    )
    index_records(records, site)
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    # French is compacted in a thread while Pagefind indexes English: its failure still
    # fails the whole index.
    monkeypatch.setattr(pagefind_compact, "KNOWN_VERSIONS", ("0.0.1",))
    with pytest.raises(
        SearchIndexError, match=r"cannot compact the 'fr' index: .*Pagefind 1\.5\.2"
    ):
        index_records(records, site)
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before


def test_a_missing_pagefind_binary_is_a_clear_error_and_keeps_the_last_index(
    tmp_path: Path, monkeypatch
):
    from site_search.pagefind_index import SearchIndexError, index_records
    from site_search.records import Record, _page, write_records

    records, site = tmp_path / "records", tmp_path / "site"
    site.mkdir()
    write_records(
        records, [Record("mentors/a/", "fr", _page("fr", "A", "<p>Soudeuse</p>", "", ""))]
    )
    index_records(records, site)
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "nowhere" / "pagefind"))
    with pytest.raises(SearchIndexError, match=r"no Pagefind binary at .*nowhere"):
        index_records(records, site)
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before


@pytest.mark.parametrize(
    "last, first, end, start",
    [
        ("infirmier", "ingenieur", "infj", "ing"),  # "ing" itself would hold "ing"
        ("cegep", "dec", "cf", "d"),
        ("cegep", "fin", "d", "f"),
        ("art", "artiste", "art", "arti"),  # a word the next one starts: nothing shorter
    ],
)
def test_a_chunk_range_ends_and_the_next_starts_as_short_as_they_can(last, first, end, start):
    from site_search.pagefind_compact import _bounds

    assert _bounds(last, first) == (end, start)
    assert last <= end < start <= first


def test_pagefinds_wasm_is_recompressed_once_and_reads_back_the_same(tmp_path: Path, monkeypatch):
    import gzip

    import brotli
    from site_search import pagefind_compact
    from site_search.brotli_copies import copy_of

    bundle, _ = _pagefind_bundle(tmp_path, 3)
    (wasm,) = bundle.glob("wasm.*.pagefind")
    original = wasm.read_bytes()
    pagefind_compact.prepare_own_files(bundle, tmp_path / "cache")
    assert gzip.decompress(wasm.read_bytes()) == gzip.decompress(original)
    assert len(wasm.read_bytes()) < len(original) * 0.97

    # It and Pagefind's scripts get brotli copies of what they hold (the wasm: unzipped).
    assert brotli.decompress(copy_of(wasm).read_bytes()) == gzip.decompress(original)
    for script in (bundle / "pagefind.js", bundle / "pagefind-worker.js"):
        assert brotli.decompress(copy_of(script).read_bytes()) == script.read_bytes()
    assert len(copy_of(wasm).read_bytes()) < len(wasm.read_bytes()) * 0.95

    smaller = wasm.read_bytes()
    wasm.write_bytes(original)  # as the next build's Pagefind writes it
    copy_of(wasm).unlink()
    monkeypatch.setattr(pagefind_compact.zopfli.gzip, "compress", None)  # not called again
    monkeypatch.setattr(pagefind_compact, "compress", None)  # nor brotli
    pagefind_compact.prepare_own_files(bundle, tmp_path / "cache")
    assert wasm.read_bytes() == smaller
    assert brotli.decompress(copy_of(wasm).read_bytes()) == gzip.decompress(original)


def test_the_wasm_cache_warmed_ahead_serves_the_publication(tmp_path: Path, monkeypatch):
    import gzip

    from site_search import pagefind_compact

    bundle, _ = _pagefind_bundle(tmp_path, 3)
    (wasm,) = bundle.glob("wasm.*.pagefind")
    original = wasm.read_bytes()
    pagefind_compact.warm_own_files(bundle, tmp_path / "cache").join()
    assert wasm.read_bytes() == original  # the bundle itself is left as it is
    monkeypatch.setattr(pagefind_compact.zopfli.gzip, "compress", None)  # done ahead
    pagefind_compact.prepare_own_files(bundle, tmp_path / "cache")
    assert gzip.decompress(wasm.read_bytes()) == gzip.decompress(original)
    assert len(wasm.read_bytes()) < len(original) * 0.97

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / wasm.name).write_bytes(b"not gzip")
    pagefind_compact.warm_own_files(broken, tmp_path / "cache").join()  # left to the caller
    with pytest.raises(gzip.BadGzipFile):
        pagefind_compact.prepare_own_files(broken, tmp_path / "cache")


def test_a_damaged_index_chunk_is_a_clear_error(tmp_path: Path):
    import gzip

    from site_search.pagefind_compact import SIGNATURE, PagefindFormatError, compact, read_table

    bundle, table_hash = _pagefind_bundle(tmp_path, 3)
    (chunk, *_) = read_table(bundle / f"pagefind.{table_hash}.pf_meta")[2]
    path = bundle / "index" / f"{chunk[2]}.pf_index"
    path.write_bytes(gzip.compress(SIGNATURE + b"\x81\x82\x65soud"))  # cut inside a word
    with pytest.raises(PagefindFormatError, match=rf"{path.name} at byte 14"):
        compact(bundle, table_hash)


def test_query_costs_list_every_chunk_and_filter_at_the_bytes_a_host_sends(
    tmp_path: Path, monkeypatch
):
    import brotli
    from site_search import brotli_copies, query_costs
    from site_search.brotli_copies import copy_of
    from site_search.pagefind_compact import compact, read_table

    monkeypatch.setattr(brotli_copies, "SMALLEST", 1_000)  # some chunks get a copy, not all
    bundle, table_hash = _pagefind_bundle(tmp_path, 400)
    table = read_table(bundle / f"pagefind.{compact(bundle, table_hash, 600)}.pf_meta")
    monkeypatch.setattr(query_costs, "QUERY_INDEX_BYTES", 12_345)

    path = query_costs.write_costs(bundle, "fr", table)

    assert path == bundle / "query-costs.fr.json"
    costs = json.loads(path.read_text("utf-8"))
    assert costs["budget"] == 12_345 and costs["request"] == query_costs.REQUEST_BYTES
    assert [row[:2] for row in costs["chunks"]] == [[start, end] for start, end, _ in table[2]]
    chunks = [bundle / "index" / f"{name}.pf_index" for *_, name in table[2]]
    copied = [p for p in chunks if copy_of(p).exists()]
    assert 0 < len(copied) < len(chunks)
    sent = [(copy_of(p) if p in copied else p).stat().st_size for p in chunks]
    assert [row[2] for row in costs["chunks"]] == sent
    assert costs["filters"] == {} and costs["filter"] == 0  # these records have no filter
    assert brotli.decompress(copy_of(path).read_bytes()) == path.read_bytes()


def test_the_build_publishes_each_languages_query_costs_where_its_search_page_reads(
    built_site: Path, tmp_path: Path, monkeypatch
):
    import shutil

    from site_search import query_costs
    from site_search.brotli_copies import copy_of
    from site_search.pagefind_compact import read_table

    entry = json.loads((built_site / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    for lang, page in (("fr", "recherche"), ("en", "en/search")):
        html = (built_site / page / "index.html").read_text("utf-8")
        config = json.loads(re.search(r'id="search-config">(.*?)</script>', html, re.S)[1])
        published = built_site / urlsplit(config["costs"]).path.lstrip("/")
        assert published == built_site / "pagefind" / f"query-costs.{lang}.json"
        costs = json.loads(published.read_text("utf-8"))
        table = read_table(
            built_site / "pagefind" / f"pagefind.{entry['languages'][lang]['hash']}.pf_meta"
        )
        assert [row[:2] for row in costs["chunks"]] == [[s, e] for s, e, _ in table[2]]
        # Each facet value is a filter of its own; the costlier are listed by name, and
        # `filter` is the most any other costs.
        filters = built_site / "pagefind" / "filter"
        # Every filter has a brotli copy, however small: a query narrowed by facet values
        # waits for theirs, and the counts load them all.
        assert all(copy_of(filters / f"{d}.pf_filter").is_file() for _, d in table[3])
        sizes = {name: query_costs.sent(filters / f"{d}.pf_filter") for name, d in table[3]}
        assert {"sector", "region", "language", "accepting"} <= set(sizes)  # for the counts
        assert any(name.startswith("sector=") for name in sizes)  # to narrow by
        bundle = tmp_path / lang
        shutil.copytree(built_site / "pagefind", bundle)
        monkeypatch.setattr(query_costs, "LISTED_FILTER", sorted(sizes.values())[len(sizes) // 2])
        costs = json.loads(query_costs.write_costs(bundle, lang, table).read_text("utf-8"))
        listed = {n: size for n, size in sizes.items() if size > query_costs.LISTED_FILTER}
        listed["type"] = sizes["type"]  # every text search loads it: its cost exactly
        assert costs["filters"] == listed and 0 < len(listed) < len(sizes)
        assert costs["filter"] == max(size for name, size in sizes.items() if name not in listed)
