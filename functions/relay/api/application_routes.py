"""Becoming a mentor: the application form's post, and the link that proves the address.

Without JavaScript the form is a plain post: a refusal renders the form again
(the theme's own partial) with the values and a sentence per field; success
redirects to the site's "application sent" page. With JavaScript the same route
answers JSON.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from ..domain import Expired, InvalidInput, NotFound, RateLimited
from ..domain.policies import MIN_FILL_SECONDS
from ..domain.tokens import BadToken
from ..services.applications import Applications, Submission
from . import forms
from .loop_answers import (
    JSON_TYPE,
    answer,
    error_body,
    form_vocab,
    headers_of,
    html_answer,
    json_answer,
    page,
    read,
    redirect,
    sentence,
    site_url_of,
    validate,
    wants_json,
)
from .models import Accepted, ApplicationIn, Confirmation, ErrorOut
from .openapi import schema as openapi_schema

logger = Logger(service="passerelle-relay", child=True)
TAGS = ["applications"]
LISTS = frozenset({"languages", "topics"})  # fields a form may repeat


def build_router(
    applications: Applications, site_url: str, origins: set[str]
) -> APIGatewayHttpRouter:
    router = APIGatewayHttpRouter()

    def refuse(h, status: int, code: str, lang: str, fields: dict, codes=None, retry=None):
        logger.info("application_refused", extra={"code": code, "status": status})
        extra = {"Retry-After": str(retry)} if retry is not None else None
        if wants_json(h):
            more = {"retry_after": retry} if retry is not None else {}
            return json_answer(status, error_body(code, lang, codes, **more), extra)
        body = page("application_form", lang, site_url, values=fields, codes=codes or {},
                    form_code=code, vocab=form_vocab(lang))  # fmt: skip
        return html_answer(status, body, extra)

    def sent(h, lang: str):
        if wants_json(h):
            answer = Accepted(
                status="received", message=sentence("outcome", "application_received", lang)
            )
            return json_answer(202, answer.model_dump())
        return redirect(site_url_of(site_url, lang, "application_sent"))

    @router.post(
        "/api/applications",
        summary="Apply to become a mentor (waits for the address, then for an editor)",
        tags=TAGS,
        responses={
            202: answer("Stored; the e-mail that proves the address is queued", Accepted,
                        page=False),
            303: answer("Same, for a plain form post: go to the 'application sent' page",
                        page=False, data=False),
            400: answer("Unreadable body or unknown fields", ErrorOut),
            403: answer("Cross-site post", ErrorOut),
            413: answer("Body too large", ErrorOut),
            415: answer("Not urlencoded nor JSON", ErrorOut),
            422: answer("Field errors (JSON, or the form again as HTML)", ErrorOut),
            429: answer("Too many applications from this client or address", ErrorOut),
        },
        openapi_extensions={"requestBody": {"required": True, "content": {
            forms.FORM: {"schema": openapi_schema(ApplicationIn)},
            JSON_TYPE: {"schema": openapi_schema(ApplicationIn)},
        }}},
    )  # fmt: skip
    def apply():
        h, fields, lang = headers_of(router), {}, "fr"
        try:
            fields, lang = read(router, h, origins, LISTS)
            valid = validate(ApplicationIn, fields)
        except forms.Refused as refused:
            return refuse(h, refused.status, refused.code, lang, fields, refused.fields)
        if valid.website:  # honeypot: the same answer as for a person, nothing stored
            logger.info("application_trapped", extra={"reason": "honeypot"})
            return sent(h, lang)
        if valid.rendered_at:
            now_ms = int(applications.clock().timestamp() * 1000)
            if 0 <= now_ms - int(valid.rendered_at) < MIN_FILL_SECONDS * 1000:
                return refuse(h, 422, "too_fast", lang, fields)
        submission = Submission(
            lang=valid.lang, name=valid.name, occupation=valid.occupation, sector=valid.sector,
            region=valid.region, languages=tuple(dict.fromkeys(valid.languages)),
            years_experience=valid.years_experience, topics=tuple(valid.topics), bio=valid.bio,
            email=valid.email,
        )  # fmt: skip
        client = router.current_event.request_context.http.source_ip or "unknown"
        try:
            application_id = applications.submit(submission, client=client)
        except InvalidInput as invalid:
            return refuse(h, 422, "invalid_input", lang, fields, invalid.errors)
        except RateLimited as limited:
            return refuse(h, 429, "rate_limited", lang, fields, retry=limited.retry_after)
        logger.info("application_received", extra={"application": application_id})
        return sent(h, lang)

    @router.get(
        "/api/applications/confirm",
        summary="Page behind the e-mailed link: a button that confirms the address",
        tags=TAGS,
        responses={
            200: answer("The page with the button", data=False),
            400: answer("The link is not valid", data=False),
            410: answer("The application is gone", data=False),
        },
    )
    def confirm_form(token: str = ""):
        try:
            lang = applications.lang_of(token)
        except (BadToken, NotFound) as error:
            return _link_error(error, False)
        body = page("application_confirm", lang, site_url, token=token)
        return html_answer(200, body)

    @router.post(
        "/api/applications/confirm",
        summary="Confirm the address: the application waits for an editor",
        tags=TAGS,
        responses={
            200: answer("Waiting for an editor (HTML page, or JSON when asked)", Confirmation),
            400: answer("The link is not valid, or an unreadable body", ErrorOut),
            403: answer("Cross-site post", ErrorOut, page=False),
            410: answer("The application is gone", ErrorOut),
            413: answer("Body too large", ErrorOut, page=False),
            415: answer("Not urlencoded nor JSON", ErrorOut, page=False),
        },
        openapi_extensions={"requestBody": {"required": True, "content": {
            forms.FORM: {"schema": _TOKEN_SCHEMA}, JSON_TYPE: {"schema": _TOKEN_SCHEMA},
        }}},
    )  # fmt: skip
    def confirm():
        h = headers_of(router)
        try:
            fields, _ = read(router, h, origins)
        except forms.Refused as refused:
            return json_answer(refused.status, error_body(refused.code, "fr"))
        token = fields.get("token")
        try:
            if not isinstance(token, str) or set(fields) != {"token"}:
                raise BadToken("missing token")
            done = applications.confirm(token)
        except (BadToken, NotFound) as error:
            return _link_error(error, wants_json(h))
        logger.info("application_confirmed", extra={"already": done.already})
        text = sentence("outcome", "application_confirmed", done.lang)
        if wants_json(h):
            answer = Confirmation(status="pending", already=done.already, message=text)
            return json_answer(200, answer.model_dump())
        return html_answer(200, page("application_confirmed", done.lang, site_url))

    def _link_error(error: Exception, json_wanted: bool):
        code = "not_found" if isinstance(error, (NotFound, Expired)) else "bad_token"
        status = 410 if code == "not_found" else 400
        logger.info("link_refused", extra={"code": code})
        if json_wanted:
            return json_answer(status, error_body(code, "fr"))
        apply_again = (site_url_of(site_url, "fr", "become_mentor"),
                       sentence("outcome", "become_mentor", "fr"))  # fmt: skip
        body = page(
            "message", "fr", site_url, title=sentence("outcome", "link_error_title", "fr"),
            paragraphs=[sentence("form_error", code, "fr")], next_links=[apply_again],
        )  # fmt: skip
        return html_answer(status, body)

    return router


_TOKEN_SCHEMA = {
    "type": "object",
    "required": ["token"],
    "additionalProperties": False,
    "properties": {"token": {"type": "string", "description": "the token of the e-mailed link"}},
}


def include(app, relay) -> None:
    app.include_router(
        build_router(relay.applications, relay.settings.site_url, set(relay.settings.origins))
    )
