"""The search without JavaScript: the matching rules (relay.search_match), and the relay's
results page (/api/recherche, /api/en/search) over the real build of the sample site."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from relay.search_match import Index, rank, terms

from tests.conftest import ROOT, relay_settings

SITE = "http://127.0.0.1:8000"
WEIGHTS = {"name": 7, "occupation": 6, "sector": 4, "noc": 3, "topics": 3}
CASES = yaml.safe_load((ROOT / "tests" / "data" / "relevance.yaml").read_text(encoding="utf-8"))


# ---- the matching rules ------------------------------------------------------------------


def mentor(**fields) -> dict[str, list[str]]:
    return {k: [v] if isinstance(v, str) else v for k, v in fields.items()}


def ranked(people: list[dict], query: str, lang: str) -> list[int]:
    return rank(Index.of(people, WEIGHTS), query, lang)


def test_genie_finds_engineering_and_never_words_it_only_resembles():
    people = [
        mentor(name="Sophie Lavoie", sector="Génie civil"),
        mentor(name="Samuel Fortin", occupation="Paramédic", topics=["aider les gens"]),
        mentor(name="Yasmine Haddad", occupation="Avocate", other=["culture générale"]),
        mentor(name="Rosalie Bergeron", topics=["la relève, une génération à former"]),
    ]
    assert ranked(people, "génie", "fr") == [0]
    assert ranked(people, "GENIE", "fr") == [0]  # case and accents folded


def test_a_query_word_matches_words_it_begins_never_shorter_ones():
    people = [mentor(occupation="Programmeuse"), mentor(topics=["un programme d'études"])]
    assert ranked(people, "programm", "fr") == [0, 1]
    assert ranked(people, "programmeur", "fr") == []


def test_every_word_must_match_and_exact_words_and_heavier_fields_come_first():
    people = [
        mentor(name="Jordan Lee", topics=["electricians' apprenticeship"]),
        mentor(name="Marie Tremblay", occupation="Electrician"),
        mentor(name="Paul Roy", occupation="Electricians' union organizer"),
    ]
    assert ranked(people, "electrician", "en") == [1, 2, 0]
    assert ranked(people, "marie electrician", "en") == [1]
    assert ranked(people, "marie plumber", "en") == []


def test_plural_and_feminine_endings_are_trimmed_from_the_query_only():
    assert terms("Infirmières", "fr") == ("infirmier",)
    assert terms("mécaniciennes", "fr") == ("mecanicien",)
    assert terms("nurses", "en") == ("nurse",)
    assert terms("génie", "fr") == ("genie",)
    assert terms("l'ingénieure d'un pont", "fr") == ("ingenieure", "un", "pont")
    people = [mentor(occupation="Infirmier auxiliaire"), mentor(occupation="Infirmière")]
    assert sorted(ranked(people, "infirmières", "fr")) == [0, 1]


def test_a_query_without_searchable_words_finds_nobody():
    assert ranked([mentor(name="A B")], " ' - ", "fr") == []


# ---- the relay's page over the built sample site -------------------------------------------


@pytest.fixture(scope="module")
def site_relay(built_site, tmp_path_factory):
    from relay import container

    settings = relay_settings(
        tmp_path_factory.mktemp("var"), built_site / "relay" / "mentors.json", SITE
    )
    relay = container.build(settings)
    yield relay
    relay.close()


def get(relay, path: str, params=None, query: str | None = None):
    from relay.devserver import RelayWSGI

    environ = {
        "REQUEST_METHOD": "GET", "QUERY_STRING": query if query is not None else
        urlencode(params or {}), "REMOTE_ADDR": "203.0.113.7", "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": "text/html",
    }  # fmt: skip
    result = relay.resolve(RelayWSGI.event(environ, path, b""), None)
    headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    return result["statusCode"], headers, result.get("body") or ""


PATH = {"fr": "/api/recherche", "en": "/api/en/search"}


def slugs_of(html: str) -> list[str]:
    hrefs = re.findall(r'<h3><a href="([^"]+)">', html)
    return [href.rstrip("/").rsplit("/", 1)[-1] for href in hrefs]


def every_slug(relay, lang: str, params: dict) -> list[str]:
    found, number = [], 1
    while True:
        status, _, html = get(relay, PATH[lang], {**params, "page": number})
        assert status == 200
        found += slugs_of(html)
        if 'rel="next"' not in html:
            return found
        number += 1


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_relevance_set_holds_without_javascript_too(site_relay, lang):
    problems = []
    for case in CASES[lang]:
        slugs = every_slug(site_relay, lang, {"q": str(case["q"])})
        top = case.get("top", [])
        within = case.get("within", len(top))
        if case.get("none") and slugs:
            problems.append(f"{case['q']}: expected none, got {slugs[:5]}")
        if missing := [s for s in top if s not in slugs[:within]]:
            problems.append(f"{case['q']}: {missing} not in the first {within}: {slugs[:5]}")
        if unrelated := [s for s in case.get("absent", []) if s in slugs]:
            problems.append(f"{case['q']}: unrelated {unrelated}")
    assert problems == []


def select_options(html: str, name: str) -> dict[str, str]:
    block = re.search(rf'<select [^>]*name="{name}">(.*?)</select>', html, re.S).group(1)
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', block))


def test_the_page_keeps_the_query_counts_each_filter_and_hides_empty_options(
    site_relay, built_site
):
    status, headers, html = get(site_relay, PATH["fr"], {"q": "génie"})
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert headers["cache-control"] == "no-store" and headers["x-robots-tag"] == "noindex"
    assert 'name="q" value="génie"' in html
    found = slugs_of(html)
    assert "sophie-lavoie" in found
    sectors = select_options(html, "secteur")
    assert sectors.pop("") == "Tous les secteurs"
    counts = {v: int(re.search(r"\((\d+)\)$", text).group(1)) for v, text in sectors.items()}
    assert counts and all(n > 0 for n in counts.values())  # no "(0)" option
    assert sum(counts.values()) == len(found)
    assert "genie-civil" in counts and "plomberie-chauffage" not in counts
    # Choosing a value gives what its count said; the others keep counting without it.
    status, _, narrowed = get(site_relay, PATH["fr"], {"q": "génie", "secteur": "genie-civil"})
    assert len(slugs_of(narrowed)) == counts["genie-civil"]
    assert '<option value="genie-civil" selected>' in narrowed
    assert select_options(narrowed, "secteur").keys() == sectors.keys() | {""}
    assert 'href="http://127.0.0.1:8000/secteurs/genie-civil/"' in narrowed  # its listing page


def test_the_cards_show_what_the_build_knew(site_relay, built_site):
    manifest = json.loads((built_site / "relay" / "mentors.json").read_text("utf-8"))["mentors"]
    _, _, html = get(site_relay, PATH["fr"], {"q": "Tremblay"})
    assert slugs_of(html)[0] == "marie-tremblay"
    card = html.split('href="http://127.0.0.1:8000/mentors/marie-tremblay/"', 1)[1]
    card = card.split("</article>", 1)[0]
    assert "Électricienne" in unescape(card) and "Électricité" in unescape(card)
    pill = "Reçoit des questions" if manifest["marie-tremblay"]["accepting"] else "Ne reçoit pas"
    assert pill in card
    _, _, only_open = get(site_relay, PATH["fr"], {"accepte": "oui"})
    opened = {slug for slug, entry in manifest.items() if entry["accepting"]}
    assert 'name="accepte" value="oui" checked' in only_open
    assert set(every_slug(site_relay, "fr", {"accepte": "oui"})) == opened


def test_an_empty_result_explains_itself_and_offers_a_way_out(site_relay):
    _, _, html = get(site_relay, PATH["en"], {"q": "zqxwvkj", "sector": "genie-civil"})
    assert slugs_of(html) == []
    assert "No mentor matches this search yet" in html
    assert "begins with what you typed" in html
    clear = re.search(r'<a href="([^"]+)">Remove the filters</a>', html).group(1)
    assert unescape(clear) == "/api/en/search?q=zqxwvkj"
    assert 'href="http://127.0.0.1:8000/en/sectors/"' in html


def test_results_come_in_pages_and_the_language_switch_keeps_the_search(site_relay, built_site):
    total = len(json.loads((built_site / "relay" / "search-en.json").read_text())["mentors"])
    first = get(site_relay, PATH["en"], {"language": "en"})[2]
    pages = every_slug(site_relay, "en", {"language": "en"})
    assert len(slugs_of(first)) == min(20, len(pages)) and len(set(pages)) == len(pages)
    everyone = every_slug(site_relay, "en", {})
    assert len(everyone) == total and len(set(everyone)) == total
    _, _, html = get(site_relay, PATH["en"], {"q": "nurse", "sector": "soins-infirmiers",
                                               "accepting": "yes"})  # fmt: skip
    switch = re.search(r'<a class="lang-switch" href="([^"]+)"', html).group(1)
    assert unescape(switch) == "/api/recherche?q=nurse&secteur=soins-infirmiers&accepte=oui"


@pytest.mark.parametrize(
    ("lang", "params", "named"),
    [
        ("fr", {"q": "x", "secteur": "astronautique"}, "secteur"),
        ("fr", {"accepte": "yes"}, "accepte"),
        ("en", {"region": "06"}, "region"),  # regions are named by slug, as on the page
        ("en", {"page": "-1"}, "page"),
        ("en", {"page": "two"}, "page"),
    ],
)
def test_a_value_the_page_never_sends_is_refused_clearly(site_relay, lang, params, named):
    status, headers, html = get(site_relay, PATH[lang], params)
    assert status == 400 and headers["content-type"].startswith("text/html")
    value = next(v for k, v in params.items() if k == named)
    assert f"« {value} »" in unescape(html) or f"“{value}”" in unescape(html)
    assert named in html and ("/recherche/" in html or "/en/search/" in html)


def test_the_query_is_escaped_and_never_logged(site_relay, capsys):
    hostile = "<script>alert(1)</script> ingénieure"
    _, _, html = get(site_relay, PATH["fr"], {"q": hostile, "secteur": "nope"})
    _, _, html = get(site_relay, PATH["fr"], {"q": hostile})
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "alert(1)" not in capsys.readouterr().out


def test_without_the_builds_search_data_the_page_says_so(tmp_path):
    from relay import container

    (tmp_path / "mentors.json").write_text('{"mentors": {}}', encoding="utf-8")
    relay = container.build(relay_settings(tmp_path, tmp_path / "mentors.json", SITE))
    try:
        status, _, html = get(relay, PATH["fr"], {"q": "génie"})
    finally:
        relay.close()
    assert status == 503 and "La recherche n’est pas disponible" in html


def test_the_route_is_documented_with_the_vocabularies(site_relay):
    from relay.api import search_routes
    from site_search.pages import ACCEPTING_VALUE, PARAMS

    assert search_routes.PARAMS == PARAMS and search_routes.ACCEPTING_VALUE == ACCEPTING_VALUE
    _, _, body = get(site_relay, "/api/openapi.json")
    doc = json.loads(body)
    sectors = [str(s["code"]) for s in yaml.safe_load((ROOT / "data" / "sectors.yaml").read_text())]
    regions = [str(r["slug"]) for r in yaml.safe_load((ROOT / "data" / "regions.yaml").read_text())]
    for path, names in (("/api/recherche", PARAMS["fr"]), ("/api/en/search", PARAMS["en"])):
        operation = doc["paths"][path]["get"]
        params = {p["name"]: p for p in operation["parameters"]}
        assert set(params) == {*names.values(), "page"}
        assert params[names["sector"]]["schema"]["enum"] == ["", *sectors]
        assert params[names["region"]]["schema"]["enum"] == ["", *regions]
        assert {"200", "400", "503"} <= set(operation["responses"])


def test_the_build_writes_the_searched_fields_of_the_records(built_site: Path):
    from site_search.records import WEIGHTS as RECORD_WEIGHTS

    data = json.loads((built_site / "relay" / "search-fr.json").read_text("utf-8"))
    assert data["weights"] == {"name": 7, **RECORD_WEIGHTS}
    sophie = next(m for m in data["mentors"] if m["url"] == "mentors/sophie-lavoie/")
    assert sophie["fields"]["sector"] == ["Génie civil"]
    assert "le génie civil" in sophie["fields"]["topics"]
    assert [m["accepting"] for m in data["mentors"]] == sorted(
        (m["accepting"] for m in data["mentors"]), reverse=True
    )


def test_the_relay_copy_written_from_kept_rows_reads_back_as_its_document():
    """A rebuild writes each mentor's row as a previous build encoded it: same file."""
    from types import SimpleNamespace as NS

    from site_search import relay_data
    from site_search.facets import Card, compact_json

    def ref(name: str) -> NS:
        return NS(name=name, code=name[:2].lower(), slug=name.lower(), url=f"x/{name}/")

    views = [
        NS(url=f"mentors/m{i}/", name=f"Personne {i}", occupation="Soudeuse", noc=None,
           sector=ref("Métiers"), topics=["soudure"], region=ref("Montréal"),
           languages=[ref("Français")], education=[{"title": "DEP", "place": None}])
        for i in range(3)
    ]  # fmt: skip
    cards = [
        Card(url=v.url, name=v.name, occupation=v.occupation, sector="me", region="montréal",
             languages=("fr",), accepting=i != 1)
        for i, v in enumerate(views)
    ]  # fmt: skip
    refs = {"sectors": [ref("Métiers")], "regions": [ref("Montréal")], "languages": []}
    pairs = zip(views, cards, strict=True)
    kept = {v.url: compact_json(relay_data.mentor_row(v, c)) for v, c in pairs}

    text = relay_data.text("fr", views, cards, refs, lambda view, card: kept[view.url])

    assert json.loads(text) == relay_data.document("fr", views, cards, refs)
    assert text == relay_data.text("fr", views, cards, refs)
    assert [m["url"] for m in json.loads(text)["mentors"]] == [
        "mentors/m0/", "mentors/m2/", "mentors/m1/"
    ]  # fmt: skip


def test_on_aws_the_search_data_is_read_from_the_manifests_bucket(moto_server, built_site):
    from relay.search_data import SearchSources

    from tests.aws import unique_name

    bucket = unique_name("site")
    s3 = moto_server.client("s3")
    where = {"LocationConstraint": "ca-central-1"}
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration=where)
    body = (built_site / "relay" / "search-en.json").read_bytes()
    s3.put_object(Bucket=bucket, Key="relay/search-en.json", Body=body)
    sources = SearchSources(f"s3://{bucket}/relay/mentors.json")
    data = sources.get("en")
    assert data.lang == "en" and len(data.mentors) == len(json.loads(body)["mentors"])
    assert sources.get("en") is data  # kept: not read again on every search
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError, match="NoSuchKey"):
        sources.get("fr")  # not uploaded: the page answers 503
