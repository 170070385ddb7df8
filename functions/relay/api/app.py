"""The Powertools resolver and its routes: the same object serves Lambda and `make serve`."""

from __future__ import annotations

import json
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import CORSConfig, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Query

from ..domain import (
    Conflict,
    Expired,
    InvalidInput,
    NotFound,
    PolicyRefusal,
    RelayError,
    policies,
)
from ..domain.errors import IdempotencyMismatch, RateLimited
from ..domain.tokens import BadToken
from ..presentation import message, translate
from ..screening import help_resources, screen
from ..services.questions import Question
from . import forms, openapi, pages, security
from .models import Accepted, Confirmation, ErrorOut, Health, QuestionIn, TokenIn
from .openapi import FORM, answer
from .resolver import PerRequestResolver

logger = Logger(service="passerelle-relay")

NO_STORE = {"Cache-Control": "no-store"}
HTML = "text/html; charset=utf-8"
JSON_TYPE = "application/json"
REFUSAL_STATUS = {
    "unknown_mentor": 404,
    "not_accepting": 409,
    "rate_limited": 429,
}


def _json(status: int, payload: dict[str, Any], headers: dict | None = None) -> Response:
    return Response(
        status_code=status,
        content_type=JSON_TYPE,
        body=json.dumps(payload, ensure_ascii=False),
        headers={**NO_STORE, **(headers or {})},
    )


def _html(status: int, body: str) -> Response:
    return Response(status_code=status, content_type=HTML, body=body, headers=dict(NO_STORE))


def create_app(relay) -> PerRequestResolver:
    """A resolver over the container's services (`relay.container.Relay`); one per thread."""
    questions = relay.questions
    settings = relay.settings
    origins = settings.origins  # from the settings, never from a request's Host
    app = PerRequestResolver(
        enable_validation=True,
        cors=CORSConfig(
            allow_origin=origins[0],
            extra_origins=list(origins[1:]),
            allow_headers=["Content-Type", "Accept", "Authorization", "Idempotency-Key"],
            max_age=600,
        ),
    )
    app.finish = security.Headers(settings).add

    def headers() -> dict[str, str]:
        return {str(k).lower(): str(v) for k, v in (app.current_event.headers or {}).items()}

    def allowed_origins() -> set[str]:
        return set(origins)

    def wants_json(h: dict[str, str]) -> bool:
        return "application/json" in h.get("accept", "") or h.get("content-type", "").startswith(
            JSON_TYPE
        )

    def refuse(
        h: dict[str, str],
        status: int,
        code: str,
        lang: str,
        fields: dict[str, object],
        codes: dict[str, str] | None = None,
        extra: dict | None = None,
        retry_after: int | None = None,
        similar: list | None = None,
    ) -> Response:
        codes = codes or {}
        similar = similar or []
        logger.info("question_refused", extra={"code": code, "status": status})
        if retry_after is not None:
            extra = {**(extra or {}), "Retry-After": str(retry_after)}
        text = message("form_errors", code, lang)
        question = fields.get("question")
        # Whatever refuses it, a question about self-harm or abuse gets help first, at once.
        help_now = isinstance(question, str) and screen(question[:4000]).needs_help
        if retry_after is not None and code == "rate_limited":
            text += " " + pages.retry_in(lang, max(1, -(-retry_after // 60)))
        if wants_json(h):
            out = ErrorOut(
                error=code,
                message=text,
                fields={f: message("field_errors", c, lang) for f, c in codes.items()},
                codes=codes,
                retry_after=retry_after,
                help=[r.as_dict() for r in help_resources(lang)] if help_now else [],
            )
            payload = out.model_dump(exclude_none=True)
            if similar:
                payload["similar"] = [
                    {"slug": m.slug, "name": m.name, "url": url_of(m.slug, lang)} for m in similar
                ]
            return _json(status, payload, extra)
        now_ms = str(int(questions.clock().timestamp() * 1000))
        html = pages.form_page(  # the form again: shown now, so its fill time starts now
            settings, lang=lang, values={**fields, "rendered_at": now_ms}, codes=codes,
            form_code=code, status_text=text, mentor_name=mentor_name(fields.get("mentor")),
            similar=[(url_of(m.slug, lang), m.name) for m in similar], help_now=help_now,
        )  # fmt: skip
        return Response(
            status_code=status, content_type=HTML, body=html, headers={**NO_STORE, **(extra or {})}
        )

    def mentor_name(slug: object) -> str | None:
        entry = relay.manifest.get().mentors.get(slug) if isinstance(slug, str) else None
        return entry.name if entry else None

    def url_of(slug: str, lang: str) -> str:
        return pages.profile_url(settings.site_url, lang, slug)

    def accepted(h: dict[str, str], lang: str, help: bool = False) -> Response:
        """The question is stored; a question about self-harm or abuse also gets, at once,
        where to get help now (JSON `help`, or a page instead of the redirect)."""
        resources = [r.as_dict() for r in help_resources(lang)] if help else []
        if wants_json(h):
            answer = Accepted(
                status="received", message=message("outcomes", "received", lang), help=resources
            )
            return _json(202, answer.model_dump())
        if help:
            return _html(200, pages.received_with_help_page(settings, lang))
        path = "/en/questions/sent/" if lang == "en" else "/questions/envoyee/"
        return Response(status_code=303, headers={"Location": settings.site_url + path, **NO_STORE})

    def refusal(text: str, **more) -> dict:
        """A refusal: JSON when asked (`Accept` or a JSON body), else the form again as HTML."""
        return answer(text, ErrorOut, html=True, **more)

    @app.post(
        "/api/questions",
        summary="Ask a mentor a first question (held until the address is confirmed)",
        responses={
            202: answer("Stored; its confirmation e-mail is queued (JSON asked)", Accepted),
            200: answer("Plain form post of a question about self-harm or abuse: the "
                        "'question sent' page with where to get help now", html=True),
            303: answer("Plain form post: go to the 'question sent' page",
                        headers={"Location": "the site's 'question sent' page"}),
            400: refusal("Unreadable body, a field twice, unknown fields (unknown_field), "
                         "a malformed hidden field (bad_request)"),
            403: refusal("Cross-site post: an Origin not in the allowed origins"),
            404: refusal("No such mentor (unknown_mentor)"),
            409: refusal("Mentor not accepting (not_accepting, with `similar`), idempotency "
                         "key reused with another body (idempotency_mismatch), or busy"),
            413: refusal("Body over 16 KiB (too_large)"),
            415: refusal("Neither urlencoded nor JSON (unsupported_media_type)"),
            422: refusal("Field errors (invalid_input with `codes`: required, too_young, "
                         "too_old, not_a_number, invalid_email, invalid_choice, "
                         "question_too_short, pseudonym_contact, invalid...) or sent faster "
                         "than a person fills the form (too_fast)"),
            429: refusal("Too many questions from this client or address (rate_limited)",
                         headers={"Retry-After": "seconds until the window ends"}),
        },
        openapi_extensions=openapi.body(QuestionIn, FORM, JSON_TYPE),
        tags=["questions"],
    )  # fmt: skip
    def post_question():
        h = headers()
        event = app.current_event
        fields: dict[str, object] = {}
        lang = "fr"
        try:
            data = forms.raw_body(event.body, bool(event.is_base64_encoded))
            fields = forms.parse_fields(data, h.get("content-type", ""))
            lang = forms.page_lang(fields)
            forms.check_origin(h, allowed_origins())
            valid = forms.validate(fields, typed=forms.is_json(h.get("content-type", "")))
        except forms.Refused as refused:
            return refuse(h, refused.status, refused.code, lang, fields, refused.fields)
        question = Question(
            mentor=valid.mentor,
            lang=valid.lang,
            pseudonym=valid.pseudonym,
            age=valid.age,
            region=valid.region,
            situation=valid.situation,
            email=valid.email,
            question=valid.question,
        )
        client = event.request_context.http.source_ip or "unknown"
        now = questions.clock()
        shown = int(valid.rendered_at) if valid.rendered_at else None
        try:
            too_fast = policies.filled_too_fast(shown, int(now.timestamp() * 1000))
            if too_fast or valid.website:
                questions.check(question, now)  # what refuses the question itself comes first
            if too_fast:
                return refuse(h, 422, "too_fast", lang, fields)
            if valid.website:  # honeypot: a bot gets the answer a person would, nothing stored
                logger.info("question_trapped", extra={"reason": "honeypot"})
                return accepted(h, lang)
            received = questions.submit(
                question, client=client, idempotency_key=valid.idempotency_key or None
            )
        except InvalidInput as invalid:
            return refuse(h, 422, "invalid_input", lang, fields, invalid.errors)
        except IdempotencyMismatch:
            return refuse(h, 409, "idempotency_mismatch", lang, fields)
        except RateLimited as limited:
            return refuse(h, 429, "rate_limited", lang, fields, retry_after=limited.retry_after)
        except PolicyRefusal as refusal:
            status = REFUSAL_STATUS.get(refusal.code, 400)
            similar = (
                relay.availability.similar_open(question.mentor)
                if refusal.code == "not_accepting"
                else []
            )
            return refuse(h, status, refusal.code, lang, fields, similar=similar)
        except Conflict:  # a concurrent write held on past every retry: say so, try again
            return refuse(h, 409, "busy", lang, fields, retry_after=1)
        logger.info(
            "question_received",
            extra={
                "thread_id": received.thread_id,
                "new_thread": received.created,
                "minor": received.minor,
            },
        )
        return accepted(h, lang, help=received.help)

    link_refused = {
        400: answer("Not a valid link (forged, expired, or for something else)", html=True),
        410: answer("The question no longer exists", html=True),
    }

    @app.get(
        "/api/questions/confirm",
        summary="Page behind the e-mailed link: a button that confirms the address",
        tags=["questions"],
        responses={200: answer("The page with the button", html=True), **link_refused},
    )
    def confirm_form(token: Annotated[str, Query(description="the e-mailed link's token")] = ""):
        try:
            lang = questions.lang_of(token)
        except (BadToken, NotFound) as error:
            return _error_page(error)
        return _html(200, pages.confirm_page(settings, lang=lang, token=token))

    @app.post(
        "/api/questions/confirm",
        summary="Confirm the address: the question enters the moderation queue",
        tags=["questions"],
        responses={
            200: answer("Pending (HTML page, or JSON when asked)", Confirmation, html=True),
            400: refusal("Not a valid link, or an unreadable body"),
            403: answer("Cross-site post", ErrorOut),
            410: refusal("The question no longer exists"),
            413: answer("Body over 16 KiB", ErrorOut),
            415: answer("Neither urlencoded nor JSON", ErrorOut),
        },
        openapi_extensions=openapi.body(TokenIn, FORM, JSON_TYPE),
    )  # fmt: skip
    def confirm():
        h = headers()
        try:
            forms.check_origin(h, allowed_origins())
            data = forms.raw_body(app.current_event.body, bool(app.current_event.is_base64_encoded))
            fields = forms.parse_fields(data, h.get("content-type", ""))
        except forms.Refused as refused:
            return problem(refused.status, refused.code, json_wanted=wants_json(h))
        token = fields.get("token")
        try:
            if not isinstance(token, str) or set(fields) != {"token"}:
                raise BadToken("missing token")
            done = questions.confirm(token)
        except (BadToken, NotFound) as error:
            return _error_page(error, json_wanted=wants_json(h))
        logger.info(
            "address_confirmed", extra={"thread_id": done.thread_id, "already": done.already}
        )
        text = message("outcomes", "already_confirmed" if done.already else "confirmed", done.lang)
        if wants_json(h):
            return _json(
                200, Confirmation(status="pending", already=done.already, message=text).model_dump()
            )
        page = pages.message_page(
            settings, done.lang, translate(done.lang, "Address confirmed"), [text],
            pages.mentor_links(settings, done.lang, done.mentor, mentor_name(done.mentor) or ""),
        )  # fmt: skip
        return _html(200, page)

    def _error_page(error: RelayError, json_wanted: bool = False) -> Response:
        code = "not_found" if isinstance(error, (NotFound, Expired)) else "bad_token"
        status = 410 if code == "not_found" else 400
        logger.info("link_refused", extra={"code": code})
        lang = page_lang()
        if json_wanted:
            return _json(status, {"error": code, "message": message("form_errors", code, lang)})
        return _html(status, pages.link_refused_page(settings, lang, code, app.current_event.path))

    def page_lang() -> str:
        """A page that belongs to no thread speaks the language the browser asks for."""
        event = app.current_event
        return pages.request_lang(event.get_query_string_value("lang", None),
                                  headers().get("accept-language"))  # fmt: skip

    @app.get("/api/health", summary="Liveness", tags=["ops"], responses={200: answer("Up", Health)})
    def health() -> Health:
        return Health(ok=True)

    schema_cache: dict[str, Any] = {}

    @app.get("/api/openapi.json", summary="This document", tags=["ops"], include_in_schema=False)
    def openapi_document():
        manifest = relay.manifest.get()  # the mentor enum follows the build's manifest
        if schema_cache.get("manifest") is not manifest:
            schema_cache["doc"] = openapi.document(app, list(manifest.mentors))
            schema_cache["manifest"] = manifest
        return Response(status_code=200, content_type=JSON_TYPE, body=schema_cache["doc"])

    def methods_of(path: str) -> list[str]:
        routes = [*app._static_routes, *app._dynamic_routes]  # every router's, once included
        return sorted({r.method for r in routes if r.rule.match(path)})

    @app.not_found
    def not_found(_: NotFoundError):
        allowed = methods_of(app.current_event.path)
        if allowed:  # a known path, another method
            return _json(
                405,
                {"error": "method_not_allowed", "message": "Method not allowed here."},
                {"Allow": ", ".join(allowed)},
            )
        if "text/html" in headers().get("accept", ""):  # a person, in a browser
            lang = page_lang()
            return _html(404, pages.not_found_page(settings, lang, app.current_event.path))
        return _json(404, {"error": "not_found", "message": "No such endpoint."})

    def problem(status: int, code: str, json_wanted: bool) -> Response:
        """A refusal that belongs to no form: JSON for a program, a page for a person."""
        lang = page_lang()
        if json_wanted or "text/html" not in headers().get("accept", ""):
            return _json(status, {"error": code, "message": message("form_errors", code, lang)})
        page = pages.message_page(
            settings, lang, translate(lang, "Cannot continue"), [message("form_errors", code, lang)]
        )
        return _html(status, page)

    @app.exception_handler(RequestValidationError)
    def unreadable(error: RequestValidationError):  # a query the route's signature refuses
        logger.info(
            "request_refused",
            extra={"where": sorted({str(e["loc"][0]) for e in error.errors() if e["loc"]})},
        )
        return problem(400, "bad_request", json_wanted=False)

    @app.exception_handler(Exception)
    def crashed(error: Exception):  # last resort: a clear 500, never the details
        logger.exception("unhandled", extra={"type": type(error).__name__})
        return problem(500, "server_error", json_wanted=False)

    from . import (
        application_routes,
        availability_routes,
        conversation_routes,
        mentee_threads_routes,
        moderation_routes,
        search_routes,
    )

    moderation_routes.include(app, relay)
    conversation_routes.include(app, relay)
    availability_routes.include(app, relay)  # issue 14: live availability
    application_routes.include(app, relay)  # issue 14: becoming a mentor
    mentee_threads_routes.include(app, relay)  # issue 14: all my conversations
    search_routes.include(app, relay)  # issue 14: search without JavaScript
    return app
