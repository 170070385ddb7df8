"""What the routes of the two loops (becoming a mentor, all my conversations) share: reading a
post, answering in JSON or HTML, and the pages they render through relay.presentation."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response
from pydantic import BaseModel, ValidationError

from .. import presentation, vocab
from . import forms, openapi

HTML = "text/html; charset=utf-8"
JSON_TYPE = openapi.JSON_TYPE
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}

#: pydantic's error kinds -> the codes the pages word (messages.html "field_errors").
KINDS = {
    "missing": "required",
    "string_too_short": "too_short",
    "too_short": "required",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "literal_error": "invalid_choice",
    "int_parsing": "not_a_number",
    "greater_than_equal": "out_of_range",
    "less_than_equal": "out_of_range",
}


def answer(description: str, model: type[BaseModel] | None = None, *, page: bool = True,
           data: bool = True) -> dict:  # fmt: skip
    """One documented answer: an HTML page (a plain form post or a link), a JSON body (`model`,
    else any object: a script's fetch), or both; neither for a redirect (`openapi.answer`)."""
    return openapi.answer(
        description, model if data else None, html=page, json_any=data and model is None
    )


def wants_json(headers: dict[str, str]) -> bool:
    return "application/json" in headers.get("accept", "") or headers.get(
        "content-type", ""
    ).startswith(JSON_TYPE)


def json_answer(status: int, payload: dict[str, Any], extra: dict | None = None) -> Response:
    return Response(
        status_code=status, content_type=JSON_TYPE, body=json.dumps(payload, ensure_ascii=False),
        headers={**HEADERS, **(extra or {})},
    )  # fmt: skip


def html_answer(status: int, body: str, extra: dict | None = None) -> Response:
    return Response(status_code=status, content_type=HTML, body=body,
                    headers={**HEADERS, **(extra or {})})  # fmt: skip


def redirect(url: str) -> Response:
    return Response(status_code=303, headers={"Location": url, **HEADERS})


def headers_of(app) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in (app.current_event.headers or {}).items()}


def read(app, h: dict[str, str], origins: set[str], lists: frozenset[str] = frozenset()):
    """(fields, lang) of the current post; forms.Refused for what cannot be read."""
    event = app.current_event
    checked = dict(h)
    if h.get("origin") == "null" and h.get("sec-fetch-site", "").lower() == "same-origin":
        # A form on a relay page (Referrer-Policy: no-referrer, the link carries a token) posts
        # with an opaque Origin; the browser's own Sec-Fetch-Site still says it is ours.
        checked.pop("origin")
    forms.check_origin(checked, origins)  # the settings', never the Host header
    data = forms.raw_body(event.body, bool(event.is_base64_encoded))
    fields = forms.parse_fields(data, h.get("content-type", ""), lists)
    return fields, forms.page_lang(fields)


def validate(model: type[BaseModel], fields: dict[str, object]) -> BaseModel:
    """The model, or forms.Refused: 400 for unknown fields, 422 with {field: code}."""
    unknown = sorted(str(k) for k in fields if k not in model.model_fields)
    if unknown:
        raise forms.Refused(400, "unknown_field", {name[:40]: "invalid" for name in unknown[:10]})
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        codes: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "form"
            kind = str(error["type"])
            code = KINDS.get(kind, "invalid")
            if field == "email" and kind not in ("missing", "string_too_short"):
                code = "invalid_email"
            if field == "consent":
                code = "consent_required"
            codes.setdefault(field, code)
        if set(codes) & {"website", "rendered_at", "lang"}:
            raise forms.Refused(400, "bad_request") from None
        raise forms.Refused(422, "invalid_input", codes) from None


def sentence(kind: str, code: str, lang: str) -> str:
    """One sentence of theme/templates/loop_messages.html (`field_error`, `form_error` or
    `outcome`), the one source the forms' pages use too."""
    module = (
        presentation.environment()
        .get_template("loop_messages.html")
        .make_module({"lang": presentation.lang_of(lang)})
    )
    return str(getattr(module, kind)(code)).strip()


def error_body(code: str, lang: str, codes: dict[str, str] | None = None, **extra) -> dict:
    """The JSON of a refusal (api.models.ErrorOut): the code, a sentence, each field's."""
    codes = codes or {}
    return {
        "error": code,
        "message": sentence("form_error", code, lang),
        "fields": {f: sentence("field_error", c, lang) for f, c in codes.items()},
        "codes": codes,
        **extra,
    }


def page(name: str, lang: str, site_url: str, **ctx) -> str:
    return presentation.render_page(name, lang, site_url=site_url, **ctx)


def site_url_of(site_url: str, lang: str, key: str) -> str:
    """An absolute URL of the site's URL table (data/urls.yaml)."""
    return f"{site_url.rstrip('/')}/{presentation.site_urls()[presentation.lang_of(lang)][key]}"


def form_vocab(lang: str) -> dict[str, list[dict[str, str]]]:
    """The vocabularies the application form lists, as the site's `vocab` gives them (sectors
    by name; regions and languages in their file's order)."""

    def terms(name: str) -> list[dict[str, str]]:
        return [{"code": code, "name": label} for code, label in vocab.labels(name, lang)]

    return {
        "sectors": sorted(terms("sectors"), key=lambda t: t["name"].casefold()),
        "regions": terms("regions"),
        "languages": terms("languages"),
    }
