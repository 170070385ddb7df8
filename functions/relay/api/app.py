"""The Powertools resolver and its routes: the same object serves Lambda and `make serve`."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import CORSConfig, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError

from ..domain import Conflict, Expired, InvalidInput, NotFound, PolicyRefusal, RelayError
from ..domain.errors import IdempotencyMismatch, RateLimited
from ..domain.policies import MIN_FILL_SECONDS
from ..domain.tokens import BadToken
from ..presentation import message, translate
from ..screening import help_resources
from ..services.questions import Question
from . import forms, pages
from .models import Accepted, Confirmation, ErrorOut, Health, QuestionIn
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
    site_origin = forms.origin_of(settings.site_url)
    app = PerRequestResolver(
        enable_validation=True,
        cors=CORSConfig(
            allow_origin=site_origin,
            allow_headers=["Content-Type", "Accept", "Authorization", "Idempotency-Key"],
            max_age=600,
        ),
    )

    def headers() -> dict[str, str]:
        return {str(k).lower(): str(v) for k, v in (app.current_event.headers or {}).items()}

    def allowed_origins() -> set[str]:
        own = app.current_event.request_context.domain_name
        scheme = "http" if own and own.startswith(("127.0.0.1", "localhost")) else "https"
        return {site_origin} | ({f"{scheme}://{own}".lower()} if own else set())

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
        if retry_after is not None and code == "rate_limited":
            text += " " + pages.retry_in(lang, max(1, -(-retry_after // 60)))
        if wants_json(h):
            out = ErrorOut(
                error=code,
                message=text,
                fields={f: message("field_errors", c, lang) for f, c in codes.items()},
                codes=codes,
                retry_after=retry_after,
            )
            payload = out.model_dump(exclude_none=True)
            if similar:
                payload["similar"] = [
                    {"slug": m.slug, "name": m.name, "url": url_of(m.slug, lang)} for m in similar
                ]
            return _json(status, payload, extra)
        html = pages.form_page(
            settings, lang=lang, values=fields, codes=codes, form_code=code, status_text=text,
            mentor_name=mentor_name(fields.get("mentor")),
            similar=[(url_of(m.slug, lang), m.name) for m in similar],
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

    @app.post(
        "/api/questions",
        summary="Ask a mentor a first question (held until the address is confirmed)",
        responses={
            202: {"description": "Stored; its confirmation e-mail is queued",
                  "content": {JSON_TYPE: {"schema": Accepted.model_json_schema()}}},
            200: {"description": "Plain form post of a question about self-harm or abuse: the "
                  "'question sent' page with where to get help now"},
            303: {"description": "Same, for a plain form post: go to the 'question sent' page"},
            400: {"description": "Unreadable body or unknown fields"},
            403: {"description": "Cross-site post"},
            404: {"description": "No such mentor"},
            409: {"description": "Mentor not accepting (with `similar`: up to 3 mentors of the "
                  "same sector or region who can answer), idempotency key reused, or busy"},
            413: {"description": "Body too large"},
            415: {"description": "Not urlencoded nor JSON"},
            422: {"description": "Field errors (JSON, or the form again as HTML)",
                  "content": {JSON_TYPE: {"schema": ErrorOut.model_json_schema()}}},
            429: {"description": "Too many questions from this client or address (Retry-After)"},
        },
        openapi_extensions={
            "requestBody": {
                "required": True,
                "content": {
                    forms.FORM: {"schema": QuestionIn.model_json_schema()},
                    JSON_TYPE: {"schema": QuestionIn.model_json_schema()},
                },
            }
        },
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
            valid = forms.validate(fields)
        except forms.Refused as refused:
            return refuse(h, refused.status, refused.code, lang, fields, refused.fields)
        if valid.website:  # honeypot: a bot gets the same answer as a person, nothing is stored
            logger.info("question_trapped", extra={"reason": "honeypot"})
            return accepted(h, lang)
        if valid.rendered_at:
            now_ms = int(questions.clock().timestamp() * 1000)
            if 0 <= now_ms - int(valid.rendered_at) < MIN_FILL_SECONDS * 1000:
                return refuse(h, 422, "too_fast", lang, fields)
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
        try:
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

    @app.get(
        "/api/questions/confirm",
        summary="Page behind the e-mailed link: a button that confirms the address",
        tags=["questions"],
    )
    def confirm_form(token: str = ""):
        try:
            lang = questions.lang_of(token)
        except (BadToken, NotFound) as error:
            return _error_page(error)
        return _html(200, pages.confirm_page(settings, lang=lang, token=token))

    @app.post(
        "/api/questions/confirm",
        summary="Confirm the address: the question enters the moderation queue",
        tags=["questions"],
        responses={200: {"description": "Pending (HTML page, or JSON when asked)",
                         "content": {JSON_TYPE: {"schema": Confirmation.model_json_schema()}}}},
    )  # fmt: skip
    def confirm():
        h = headers()
        try:
            forms.check_origin(h, allowed_origins())
            data = forms.raw_body(app.current_event.body, bool(app.current_event.is_base64_encoded))
            fields = forms.parse_fields(data, h.get("content-type", ""))
        except forms.Refused as refused:
            return _json(
                refused.status,
                {"error": refused.code, "message": message("form_errors", refused.code, "fr")},
            )
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

    @app.get("/api/health", summary="Liveness", tags=["ops"])
    def health() -> Health:
        return Health(ok=True)

    schema_cache: dict[str, str] = {}

    @app.get("/api/openapi.json", summary="This document", tags=["ops"], include_in_schema=False)
    def openapi():
        if "doc" not in schema_cache:
            schema_cache["doc"] = app.get_openapi_json_schema(
                title="Passerelle relay", version="1.0.0",
                description="Carries moderated questions between mentees and mentors.",
            )  # fmt: skip
        return Response(status_code=200, content_type=JSON_TYPE, body=schema_cache["doc"])

    @app.not_found
    def not_found(_: NotFoundError):
        if "text/html" in headers().get("accept", ""):  # a person, in a browser
            lang = page_lang()
            return _html(404, pages.not_found_page(settings, lang, app.current_event.path))
        return _json(404, {"error": "not_found", "message": "No such endpoint."})

    @app.exception_handler(Exception)
    def crashed(error: Exception):  # last resort: a clear 500, never the details
        logger.exception("unhandled", extra={"type": type(error).__name__})
        return _json(
            500, {"error": "server_error", "message": message("form_errors", "server_error", "fr")}
        )

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
