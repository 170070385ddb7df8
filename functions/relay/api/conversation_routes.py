"""The conversation pages the relay renders itself: plain HTML and form posts, no JavaScript needed.

Behind the links of the e-mails: read the thread and reply (each side with its
own link), erase it (mentee), pause or resume (mentor). Pages are templates of
relay.presentation (templates/pages/); they are noindex, never cached, and
send no referrer (the link carries a token).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal
from urllib.parse import quote

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from ..config import Settings
from ..domain import Conflict, InvalidInput, NotFound, PolicyRefusal, Side, new_id
from ..domain.tokens import BadToken
from ..presentation import message, translate
from ..screening import help_resources, needs_help
from ..services.conversations import Conversations, View
from . import forms, pages
from .openapi import FORM, JSON_TYPE, answer, body

logger = Logger(service="passerelle-relay", child=True)

HTML = "text/html; charset=utf-8"
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
TAGS = ["conversation"]

# --- what the forms post (also the OpenAPI document) -------------------------------------------

TOKEN = Field(max_length=2000, description="the signed token of the e-mailed link")
Token = Annotated[str, Query(description="the signed token of the e-mailed link")]


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    token: str = TOKEN
    text: str = Field(description="2 to 2,000 characters; screened, then moderated")
    idempotency_key: str = Field(default="", description="letters and digits: a resent form "
                                 "stores one reply")  # fmt: skip


class EraseIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    token: str = TOKEN
    confirm: Literal["yes"] = Field(description="the ticked box (without it: 422, nothing erased)")


class PauseIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    token: str = TOKEN
    action: Literal["pause", "resume"] = "pause"


PAGE = answer("The page", html=True)
LINK_REFUSED = {
    400: answer("Not a valid link (forged, expired, the other side's, or for something else)",
                html=True),
    410: answer("The conversation no longer exists", html=True),
}  # fmt: skip
POSTED = {
    **LINK_REFUSED,
    403: answer("Cross-site post: an Origin not in the allowed origins", html=True),
    413: answer("Body over 16 KiB", html=True),
    415: answer("Neither urlencoded nor JSON", html=True),
}


def _html(status: int, body: str, extra: dict | None = None) -> Response:
    return Response(
        status_code=status, content_type=HTML, body=body, headers={**HEADERS, **(extra or {})}
    )


def conversation_page(
    settings: Settings,
    view: View,
    token: str,
    *,
    text: str = "",
    error: str | None = None,
    sent: bool = False,
    erase_error: bool = False,
    show_help: bool = False,
    alternate_href: str | None = None,
) -> str:
    """The thread as one side sees it, the reply form, and for the mentee the erase form."""
    lang, thread = view.lang, view.thread
    next_links = []
    if view.side == Side.MENTEE:
        next_links = pages.mentor_links(settings, lang, thread.mentor, view.mentor_name)
    return pages.render(
        settings, "conversation", lang, view=view, side=str(view.side), token=token,
        minor=str(thread.age_band) == "minor", text=text, error=error,
        error_text=message("reply_errors", error, lang) if error else "", sent=sent,
        erase_error=erase_error,
        help=help_resources(lang) if show_help else [], idempotency_key=new_id(),
        next_links=next_links, alternate_href=alternate_href,
    )  # fmt: skip


def pause_page(settings: Settings, lang: str, token: str, paused: bool) -> str:
    return pages.render(settings, "pause", lang, token=token, paused=paused)


def build_router(conversations: Conversations) -> APIGatewayHttpRouter:
    router = APIGatewayHttpRouter()
    settings = conversations.settings

    def lang_asked() -> str:
        event = router.current_event
        accept = {str(k).lower(): str(v) for k, v in (event.headers or {}).items()}
        return pages.request_lang(event.get_query_string_value("lang", None),
                                  accept.get("accept-language"))  # fmt: skip

    def error_page(status: int, code: str) -> Response:
        lang = lang_asked()
        if code in ("bad_token", "gone"):
            html = pages.link_refused_page(settings, lang, code, router.current_event.path)
        else:
            html = pages.message_page(settings, lang, translate(lang, "Cannot continue"),
                                      [message("form_errors", code, lang)])  # fmt: skip
        return _html(status, html)

    def fail(error: Exception) -> Response:
        """A refused link says nothing about why (forged, expired, other side...)."""
        code = "bad_token" if isinstance(error, BadToken) else "gone"
        logger.info("link_refused", extra={"code": code})
        return error_page(400 if code == "bad_token" else 410, code)

    allowed = set(settings.origins)  # from the settings, never from Host

    def form() -> dict[str, object]:
        """A same-site urlencoded post, read with the question form's guards."""
        event = router.current_event
        headers = {str(k).lower(): str(v) for k, v in (event.headers or {}).items()}
        forms.check_origin(headers, allowed)
        data = forms.raw_body(event.body, bool(event.is_base64_encoded))
        return forms.parse_fields(data, headers.get("content-type", ""))

    def refused(error: forms.Refused) -> Response:
        return error_page(error.status, error.code)

    @router.get("/api/conversation", summary="The conversation page behind an e-mailed link",
                tags=TAGS, responses={200: PAGE, **LINK_REFUSED})  # fmt: skip
    def read(
        token: Token = "",
        sent: Annotated[str, Query(description="1: a reply was just sent")] = "",
        show_help: Annotated[str, Query(alias="help", description="1: where to get help now")] = "",
        lang: Annotated[
            str, Query(description="fr or en: the language switcher's choice (else the thread's)")
        ] = "",
    ):
        try:
            view = conversations.view(token)
        except (BadToken, NotFound) as error:
            return fail(error)
        if lang in ("fr", "en"):
            view = replace(view, lang=lang)
        other = "en" if view.lang == "fr" else "fr"
        switch = f"/api/conversation?token={quote(token, safe='')}&lang={other}"
        page = conversation_page(settings, view, token, sent=sent == "1",
                                 show_help=show_help == "1", alternate_href=switch)  # fmt: skip
        return _html(200, page)

    @router.post(
        "/api/conversation/reply", tags=TAGS, summary="Reply from a side's link",
        openapi_extensions=body(ReplyIn, FORM, JSON_TYPE),
        responses={
            303: answer("Stored, waiting for moderation: back to the conversation",
                        headers={"Location": "the conversation page"}),
            **POSTED,
            400: answer("Not a valid link, an unreadable form or a field twice", html=True),
            409: answer("The conversation changed meanwhile (closed); the page again", html=True),
            422: answer("The text is refused (empty, too short or long, characters not "
                        "allowed); the page again with the text", html=True),
            429: answer("Too many replies today", html=True,
                        headers={"Retry-After": "seconds"}),
        },
    )  # fmt: skip
    def reply():
        try:
            fields = form()
        except forms.Refused as error:
            return refused(error)
        token, text = str(fields.get("token", "")), fields.get("text", "")
        key = str(fields.get("idempotency_key", ""))[:64]
        try:
            stored = conversations.reply(token, text, key if key.isalnum() else None)
        except InvalidInput as invalid:
            view = conversations.view(token)
            code = invalid.errors.get("text", "invalid")
            page = conversation_page(settings, view, token, text=str(text or ""), error=code)
            return _html(422, page)
        except PolicyRefusal:
            view = conversations.view(token)
            page = conversation_page(
                settings, view, token, text=str(text or ""), error="rate_limited"
            )
            return _html(429, page, {"Retry-After": "3600"})
        except Conflict:
            view = conversations.view(token)
            return _html(409, conversation_page(settings, view, token))
        except (BadToken, NotFound) as error:
            return fail(error)
        logger.info("reply_queued")
        location = f"/api/conversation?token={quote(token, safe='')}&sent=1"
        if needs_help(stored.flags):  # self-harm or abuse: where to get help, at once
            location += "&help=1#help"
        return Response(status_code=303, headers={"Location": location, **HEADERS})

    @router.post(
        "/api/conversation/erase", tags=TAGS, summary="The mentee erases the thread",
        openapi_extensions=body(EraseIn, FORM, JSON_TYPE),
        responses={
            200: answer("Erased", html=True), **POSTED,
            400: answer("Not a valid link (or not the mentee's), an unreadable form or a "
                        "field twice", html=True),
            422: answer("The box was not ticked: nothing erased", html=True),
        },
    )  # fmt: skip
    def erase():
        try:
            fields = form()
        except forms.Refused as error:
            return refused(error)
        token = str(fields.get("token", ""))
        try:
            if fields.get("confirm") != "yes":
                view = conversations.view(token)
                if view.side != Side.MENTEE:
                    raise BadToken("not the mentee's link")
                return _html(422, conversation_page(settings, view, token, erase_error=True))
            thread = conversations.erase(token)
        except (BadToken, NotFound) as error:
            return fail(error)
        logger.info("thread_erased", extra={"thread_id": thread.id})
        name = conversations.manifest.get().mentors.get(thread.mentor)
        page = pages.render(
            settings, "erased", thread.lang,
            next_links=pages.mentor_links(settings, thread.lang, thread.mentor,
                                          name.name if name else thread.mentor),
        )  # fmt: skip
        return _html(200, page)

    @router.get("/api/mentors/pause", summary="The mentor's pause link: a page with a button",
                tags=TAGS, responses={200: PAGE, **LINK_REFUSED})  # fmt: skip
    def pause_form(token: Token = ""):
        try:
            _, contact, lang = conversations.pause_state(token)
        except (BadToken, NotFound) as error:
            return fail(error)
        return _html(200, pause_page(settings, lang, token, contact.paused))

    @router.post(
        "/api/mentors/pause", summary="Pause (or resume) the mentor at once", tags=TAGS,
        openapi_extensions=body(PauseIn, FORM, JSON_TYPE),
        responses={
            200: answer("Done: the page with the new state", html=True), **POSTED,
            400: answer("Not a valid link, an unreadable form, a field twice or an unknown "
                        "action", html=True),
        },
    )  # fmt: skip
    def pause():
        try:
            fields = form()
        except forms.Refused as error:
            return refused(error)
        action = fields.get("action", "pause")
        if action not in ("pause", "resume"):
            return error_page(400, "bad_request")
        token = str(fields.get("token", ""))
        try:
            contact, lang = conversations.set_paused(token, action == "pause")
        except (BadToken, NotFound) as error:
            return fail(error)
        logger.info("mentor_paused" if contact.paused else "mentor_resumed")
        return _html(200, pause_page(settings, lang, token, contact.paused))

    return router


def include(app, relay) -> None:
    app.include_router(build_router(relay.conversations))
