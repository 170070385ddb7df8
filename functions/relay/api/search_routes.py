"""GET /api/recherche and /api/en/search: the search page's results for visitors without
JavaScript.

The site's search form points here; when its script runs it keeps the search
in the page (Pagefind), so only a browser without JavaScript lands on this
page. It answers with the same parameter names as the search page of its
language, matches the build's search data (relay.search_data) with the rules of
relay.search_match, and renders the results in the site's frame: the query in
the box, each filter with its counts, the mentors as the build knew them, and
the listing pages of the same mentors. The query is never logged.
"""

# No `from __future__ import annotations`: Powertools reads the routes' parameter annotations,
# built in build_router from the vocabularies.
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from botocore.exceptions import BotoCoreError, ClientError

from .. import presentation, vocab
from ..search_data import FACETS, SearchData, SearchSources
from ..search_match import rank
from .loop_answers import answer, html_answer

logger = Logger(service="passerelle-relay", child=True)
PAGE_SIZE = 20
MAX_QUERY = 200
MAX_PAGE = 500
LISTINGS = 6
# The search page's query-string names (site_search.pages.PARAMS, checked equal by the tests).
PARAMS = {
    "fr": {"q": "q", "sector": "secteur", "region": "region", "language": "langue",
           "accepting": "accepte"},
    "en": {"q": "q", "sector": "sector", "region": "region", "language": "language",
           "accepting": "accepting"},
}  # fmt: skip
ACCEPTING_VALUE = {"fr": "oui", "en": "yes"}
VOCABULARY = {"sector": ("sectors", "code"), "region": ("regions", "slug"),
              "language": ("languages", "code")}  # fmt: skip


def path_of(lang: str) -> str:
    """/api/ + the search page's own path: /api/recherche, /api/en/search."""
    return "/api/" + presentation.site_urls()[lang]["search"].rstrip("/")


def allowed(facet: str) -> list[str]:
    """The values a filter takes (data/*.yaml), as the search page names them."""
    name, key = VOCABULARY[facet]
    return [str(item.get(key) or item["code"]) for item in vocab.entries(name)]


class BadParameter(ValueError):
    def __init__(self, name: str, value: str):
        super().__init__(name)
        self.name, self.value = name, value


@dataclass(frozen=True)
class Asked:
    q: str
    filters: dict[str, str]  # facet -> value, only those chosen
    accepting: bool
    page: int


def read_params(lang: str, get) -> Asked:
    """The request's parameters, checked; BadParameter for a value the page never sends."""
    names = PARAMS[lang]
    q = " ".join((get(names["q"]) or "").split())[:MAX_QUERY]
    filters = {}
    for facet in FACETS:
        value = get(names[facet]) or ""
        if value and value not in allowed(facet):
            raise BadParameter(names[facet], value)
        if value:
            filters[facet] = value
    accepting = get(names["accepting"]) or ""
    if accepting not in ("", ACCEPTING_VALUE[lang]):
        raise BadParameter(names["accepting"], accepting)
    page = get("page") or "1"
    if not (page.isascii() and page.isdigit() and len(page) <= 6):
        raise BadParameter("page", page)
    # Past the last page shows the last one (the results decide how many there are).
    return Asked(q, filters, bool(accepting), min(max(1, int(page)), MAX_PAGE))


def keeps(mentor: dict, filters: dict[str, str], accepting: bool, skip: str = "") -> bool:
    for facet, value in filters.items():
        if facet == skip:
            continue
        if facet == "language" and value not in mentor.get("languages", ()):
            return False
        if facet != "language" and mentor.get(facet) != value:
            return False
    return mentor.get("accepting") or not accepting or skip == "accepting"


def href(lang: str, asked: Asked, **change) -> str:
    """This page with other parameters (the language switch, pages, removing filters)."""
    names = PARAMS[lang]
    values = {"q": asked.q, **asked.filters, "accepting": asked.accepting, "page": asked.page}
    values.update(change)
    params = [(names["q"], values["q"])] if values["q"] else []
    params += [(names[f], values[f]) for f in FACETS if values.get(f)]
    if values["accepting"]:
        params.append((names["accepting"], ACCEPTING_VALUE[lang]))
    if values["page"] and values["page"] > 1:
        params.append(("page", str(values["page"])))
    return path_of(lang) + ("?" + urlencode(params) if params else "")


def results(data: SearchData, asked: Asked) -> dict:
    """What the page shows: the matching mentors (this page of them), each filter's counts,
    and the listing pages of what is chosen or found."""
    found = (
        [data.mentors[i] for i in rank(data.index, asked.q, data.lang)]
        if asked.q
        else list(data.mentors)
    )
    shown = [m for m in found if keeps(m, asked.filters, asked.accepting)]
    facets = {}
    for facet in FACETS:
        # A filter is counted as if it were not chosen: each value says what choosing it gives.
        counts: dict[str, int] = {}
        for mentor in found:
            if keeps(mentor, asked.filters, asked.accepting, skip=facet):
                values = mentor.get("languages", ()) if facet == "language" else (mentor[facet],)
                for value in values:
                    counts[value] = counts.get(value, 0) + 1
        facets[facet] = [
            {"value": v.value, "name": v.name, "url": v.url, "count": counts.get(v.value, 0),
             "selected": asked.filters.get(facet) == v.value}
            for v in data.facets.get(facet, ())
            if counts.get(v.value) or asked.filters.get(facet) == v.value
        ]  # fmt: skip
    accepting_count = sum(1 for m in found if m.get("accepting") and keeps(m, asked.filters, False))
    chosen = [v for facet in FACETS for v in facets[facet] if v["selected"]]
    by_sector = sorted(facets["sector"], key=lambda v: -v["count"])[:LISTINGS]
    return {
        "found": shown,
        "facets": facets,
        "accepting_count": accepting_count,
        # The listing pages: of each chosen filter, else of the sectors the matches are in.
        "listings": chosen or (by_sector if asked.q and shown else []),
    }


FACET_LABELS = {  # literals: `invoke translations` extracts them
    "sector": ("Sector", "All sectors"),
    "region": ("Region", "All regions"),
    "language": ("Language spoken", "All languages"),
}


def page_html(site_url: str, lang: str, asked: Asked, data: SearchData) -> str:
    found = results(data, asked)
    total = len(found["found"])
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(asked.page, pages)
    start = (number - 1) * PAGE_SIZE
    other = "en" if lang == "fr" else "fr"
    names = PARAMS[lang]
    facets = [
        {"facet": facet, "param": names[facet], "options": found["facets"][facet],
         "label": presentation.translate(lang, FACET_LABELS[facet][0]),
         "all_label": presentation.translate(lang, FACET_LABELS[facet][1])}
        for facet in FACETS
    ]  # fmt: skip
    return presentation.render_page(
        "search", lang, site_url=site_url,
        action=path_of(lang), query=asked.q, params=names,
        accepting=asked.accepting, accepting_value=ACCEPTING_VALUE[lang],
        accepting_count=found["accepting_count"], facets=facets,
        total=total, mentors=found["found"][start : start + PAGE_SIZE],
        first=start + 1, page=number, pages=pages,
        previous_href=href(lang, asked, page=number - 1) if number > 1 else None,
        next_href=href(lang, asked, page=number + 1) if number < pages else None,
        clear_href=href(lang, asked, **dict.fromkeys(FACETS, ""), accepting=False, page=1),
        filtered=bool(asked.filters or asked.accepting), listings=found["listings"],
        names={facet: {v.value: v.name for v in data.facets.get(facet, ())} for facet in FACETS},
        alternate_href=href(other, asked, page=1),
    )  # fmt: skip


def error_html(site_url: str, lang: str, title: str, text: str) -> str:
    return presentation.render_page(
        "search_error", lang, site_url=site_url, title=title, text=text,
        search_href=f"{site_url.rstrip('/')}/{presentation.site_urls()[lang]['search']}",
    )  # fmt: skip


def build_router(sources: SearchSources, site_url: str) -> APIGatewayHttpRouter:
    router = APIGatewayHttpRouter()

    def respond(lang: str):
        get = router.current_event.get_query_string_value
        try:
            asked = read_params(lang, lambda name: get(name, None))
        except BadParameter as bad:
            logger.info("search_refused", extra={"parameter": bad.name})
            text = presentation.translate(
                lang, "“%(value)s” is not a value of “%(name)s” this search knows.",
                value=bad.value[:40], name=bad.name,
            )  # fmt: skip
            title = presentation.translate(lang, "This search cannot be read")
            return html_answer(400, error_html(site_url, lang, title, text))
        try:
            data = sources.get(lang)
        except (OSError, ValueError, BotoCoreError, ClientError) as error:
            logger.warning("search_data_missing", extra={"type": type(error).__name__})
            title = presentation.translate(lang, "Search is not available right now")
            text = presentation.translate(
                lang, "Browse the mentors by sector, region or language on the search page."
            )
            return html_answer(503, error_html(site_url, lang, title, text))
        return html_answer(200, page_html(site_url, lang, asked, data))

    def documented(lang: str) -> dict:
        other = "en" if lang == "fr" else "fr"
        return {
            "summary": f"The search page's results without JavaScript ({lang}; same parameters "
            f"as {presentation.site_urls()[lang]['search']}, {path_of(other)} in {other})",
            "tags": ["site"],
            "responses": {
                200: answer("The results page: the query kept, filters with their counts, "
                            "the matching mentors and their listing pages", data=False),
                400: answer("A filter value or page number the search page never sends (a "
                            "page), or a parameter given twice (a page for a browser, else "
                            "JSON)"),
                503: answer("The build's search data cannot be read", data=False),
            },
        }  # fmt: skip

    def query_params(lang: str):
        names = PARAMS[lang]

        def choice(facet: str, description: str):
            enum = {"enum": ["", *allowed(facet)]}
            return Annotated[str, Query(alias=names[facet], description=description,
                                        json_schema_extra=enum)]  # fmt: skip

        return choice

    q_doc = "Words: a job, a field, a school path or a name (accents and case do not matter)"
    page_doc = f"Page of results ({PAGE_SIZE} mentors a page)"

    def add_route(lang: str) -> None:
        """One language's route; its parameters take the names of that language's page."""
        choice, yes = query_params(lang), ACCEPTING_VALUE[lang]

        def search(
            q: Annotated[str, Query(description=q_doc)] = "",
            sector: choice("sector", "Sector code (data/sectors.yaml)") = "",
            region: choice("region", "Region slug (data/regions.yaml)") = "",
            language: choice("language", "Language code (data/languages.yaml)") = "",
            accepting: Annotated[
                str,
                Query(
                    alias=PARAMS[lang]["accepting"],
                    description=f"`{yes}`: only mentors accepting questions",
                    json_schema_extra={"enum": ["", yes]},
                ),
            ] = "",
            page: Annotated[
                str, Query(description=page_doc, json_schema_extra={"pattern": "^[0-9]{0,6}$"})
            ] = "1",
        ):
            return respond(lang)

        search.__name__ = search.__qualname__ = f"search_{lang}"  # its operationId
        router.get(path_of(lang), **documented(lang))(search)

    for lang in PARAMS:
        add_route(lang)

    return router


def include(app, relay) -> None:
    sources = SearchSources(relay.settings.manifest)
    app.include_router(build_router(sources, relay.settings.site_url))
