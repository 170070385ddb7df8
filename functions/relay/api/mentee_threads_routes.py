"""All my conversations: ask for the e-mailed link (by address, or from a conversation's page),
and the page that link opens.

The request answers the same whether or not the address has conversations; the
page lists each thread (mentor, dates, status, link) and never the address.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from ..domain import Expired, NotFound, RateLimited
from ..domain.tokens import BadToken
from ..services.mentee_threads import MenteeThreads
from . import forms
from .loop_answers import (
    JSON_TYPE,
    answer,
    error_body,
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
from .models import Accepted, ErrorOut, ThreadOut, ThreadsLinkIn, ThreadsOut
from .openapi import schema as openapi_schema

logger = Logger(service="passerelle-relay", child=True)
TAGS = ["conversation"]


def build_router(threads: MenteeThreads, site_url: str, origins: set[str]) -> APIGatewayHttpRouter:
    router = APIGatewayHttpRouter()

    def refuse(h, status: int, code: str, lang: str, fields: dict, codes=None, retry=None):
        logger.info("threads_link_refused", extra={"code": code, "status": status})
        extra = {"Retry-After": str(retry)} if retry is not None else None
        if wants_json(h):
            more = {"retry_after": retry} if retry is not None else {}
            return json_answer(status, error_body(code, lang, codes, **more), extra)
        email = fields.get("email") if isinstance(fields.get("email"), str) else ""
        body = page("threads_request", lang, site_url, email=email, codes=codes or {},
                    form_code=code)  # fmt: skip
        return html_answer(status, body, extra)

    @router.post(
        "/api/my-conversations",
        summary="E-mail the link to all one's conversations (the same answer for any address)",
        tags=TAGS,
        responses={
            202: answer("If this address has conversations, a link is on its way", Accepted,
                        page=False),
            303: answer("Same, for a plain form post: go to the 'link sent' page", page=False,
                        data=False),
            400: answer("Unreadable body, unknown fields, or a conversation link that is not "
                        "valid", ErrorOut),
            403: answer("Cross-site post", ErrorOut),
            413: answer("Body too large", ErrorOut),
            415: answer("Not urlencoded nor JSON", ErrorOut),
            422: answer("No address, or not an address (JSON, or the form again)", ErrorOut),
            429: answer("Too many requests from this client or for this address", ErrorOut),
        },
        openapi_extensions={"requestBody": {"required": True, "content": {
            forms.FORM: {"schema": openapi_schema(ThreadsLinkIn)},
            JSON_TYPE: {"schema": openapi_schema(ThreadsLinkIn)},
        }}},
    )  # fmt: skip
    def ask():
        h, fields, lang = headers_of(router), {}, "fr"
        try:
            fields, lang = read(router, h, origins)
            valid = validate(ThreadsLinkIn, fields)
            if bool(valid.email) == bool(valid.token):
                raise forms.Refused(422, "invalid_input", {"email": "required"})
        except forms.Refused as refused:
            return refuse(h, refused.status, refused.code, lang, fields, refused.fields)
        client = router.current_event.request_context.http.source_ip or "unknown"
        try:
            if valid.token:
                queued = threads.request_from_conversation(valid.token, client=client)
            else:
                queued = threads.request(valid.email, client=client)
        except RateLimited as limited:
            return refuse(h, 429, "rate_limited", lang, fields, retry=limited.retry_after)
        except (BadToken, NotFound):
            return refuse(h, 400, "bad_token", lang, fields)
        logger.info("threads_link_asked", extra={"queued": queued})  # tests and ops only
        if wants_json(h):
            message = sentence("outcome", "threads_link_sent", lang)
            return json_answer(202, Accepted(status="received", message=message).model_dump())
        return redirect(site_url_of(site_url, lang, "threads_link_sent"))

    @router.get(
        "/api/my-conversations",
        summary="The page behind the e-mailed link: every conversation of the address",
        tags=TAGS,
        responses={
            200: answer("The list (HTML, or JSON when asked)", ThreadsOut),
            400: answer("The link is not valid or has expired", ErrorOut),
        },
    )
    def listing(token: str = ""):
        asked = headers_of(router)
        try:
            found = threads.listing(token)
        except (BadToken, NotFound, Expired):
            logger.info("link_refused", extra={"code": "bad_token"})
            if wants_json(asked):
                return json_answer(400, error_body("bad_token", "fr"))
            return html_answer(400, page("threads_request", "fr", site_url, email="", codes={},
                                         form_code="threads_link_expired"))  # fmt: skip
        if wants_json(asked):
            out = ThreadsOut(threads=[
                ThreadOut(mentor=t.mentor, mentor_name=t.mentor_name,
                          started=t.started.isoformat(), last_activity=t.last_activity.isoformat(),
                          status=str(t.status), link=t.link)
                for t in found
            ])  # fmt: skip
            return json_answer(200, out.model_dump())
        lang = found[0].lang if found else "fr"
        return html_answer(200, page("threads", lang, site_url, threads=found))

    return router


def include(app, relay) -> None:
    app.include_router(
        build_router(relay.mentee_threads, relay.settings.site_url, set(relay.settings.origins))
    )
