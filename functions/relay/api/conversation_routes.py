"""The conversation pages the relay renders itself: plain HTML and form posts, no JavaScript needed.

Behind the links of the e-mails: read the thread and reply (each side with its
own link), erase it (mentee), pause or resume (mentor). Every value is
escaped and message texts are shown as text; pages are noindex, never cached,
and send no referrer (the link carries a token).
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Literal
from urllib.parse import quote

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from .. import vocab
from ..domain import Conflict, InvalidInput, NotFound, PolicyRefusal, Side, Status, new_id
from ..domain.tokens import BadToken
from ..mail.notices import AGE_BANDS
from ..screening import needs_help
from ..services.conversations import Conversations, View
from . import forms, pages
from .openapi import FORM, JSON_TYPE, answer, body
from .texts import FORM_ERRORS

logger = Logger(service="passerelle-relay", child=True)

HTML = "text/html; charset=utf-8"
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
TAGS = ["conversation"]

TEXTS = {
    "fr": {
        "title_mentee": "Votre conversation avec {name}",
        "title_mentor": "Votre conversation avec {name}",
        "about_mentee": "{pseudonym} · {age} · région : {region} · {situation}",
        "minor": "Cette personne est mineure : tous les messages sont relus par notre équipe.",
        "you": "Vous",
        "empty": "Aucun message à afficher pour le moment.",
        "status_pending": "En attente de modération",
        "status_approved": "Approuvé, en cours d'envoi",
        "status_delivered": "Transmis",
        "status_rejected": "Non transmis",
        "reply_label": "Votre message",
        "reply_hint": "Votre message sera relu par notre équipe avant d'être transmis. "
        "N'y mettez pas de coordonnées : elles seraient masquées.",
        "reply_button": "Envoyer",
        "sent": "Merci! Votre message attend la lecture d'une modératrice ou d'un modérateur.",
        "closed": "Cette conversation est fermée : il n'est plus possible d'y répondre.",
        "erased": "Cette conversation a été effacée.",
        "erase_title": "Effacer la conversation",
        "erase_lead": "L'effacement retire tous les messages, votre pseudonyme et votre "
        "adresse courriel. C'est définitif.",
        "erase_confirm": "Je veux effacer cette conversation.",
        "erase_button": "Effacer définitivement",
        "erased_title": "Conversation effacée",
        "erased_text": "Vos messages, votre pseudonyme et votre adresse ont été effacés.",
        "pause_title": "Recevoir des questions",
        "paused": "Vous êtes en pause : personne ne peut vous poser de nouvelle question.",
        "active": "Vous recevez des questions.",
        "pause_button": "Me mettre en pause",
        "resume_button": "Recevoir de nouveau des questions",
        "pause_note": "Vos conversations en cours continuent.",
        "error_title": "Impossible de continuer",
        "gone": "Cette conversation n'existe plus.",
        "rate_limited": "Vous avez envoyé beaucoup de messages aujourd'hui. Réessayez demain.",
        "required": "Écrivez votre message.",
        "reply_too_short": "Votre message est trop court.",
        "reply_too_long": "Votre message doit compter au plus 2 000 caractères.",
        "invalid": "Votre message contient des caractères non permis.",
        "confirm_required": "Cochez la case pour confirmer l'effacement.",
    },
    "en": {
        "title_mentee": "Your conversation with {name}",
        "title_mentor": "Your conversation with {name}",
        "about_mentee": "{pseudonym} · {age} · region: {region} · {situation}",
        "minor": "This person is a minor: every message is read by our team.",
        "you": "You",
        "empty": "No message to show yet.",
        "status_pending": "Waiting for moderation",
        "status_approved": "Approved, being sent",
        "status_delivered": "Passed on",
        "status_rejected": "Not passed on",
        "reply_label": "Your message",
        "reply_hint": "Our team reads your message before passing it on. Do not include "
        "contact details: they would be hidden.",
        "reply_button": "Send",
        "sent": "Thank you! Your message is waiting for a moderator.",
        "closed": "This conversation is closed: it can no longer be answered.",
        "erased": "This conversation was erased.",
        "erase_title": "Erase the conversation",
        "erase_lead": "Erasing removes every message, your pseudonym and your e-mail address. "
        "It cannot be undone.",
        "erase_confirm": "I want to erase this conversation.",
        "erase_button": "Erase for good",
        "erased_title": "Conversation erased",
        "erased_text": "Your messages, your pseudonym and your address were erased.",
        "pause_title": "Receiving questions",
        "paused": "You are paused: nobody can ask you a new question.",
        "active": "You are receiving questions.",
        "pause_button": "Pause me",
        "resume_button": "Receive questions again",
        "pause_note": "Your current conversations go on.",
        "error_title": "Cannot continue",
        "gone": "This conversation no longer exists.",
        "rate_limited": "You have sent many messages today. Please try again tomorrow.",
        "required": "Write your message.",
        "reply_too_short": "Your message is too short.",
        "reply_too_long": "Your message must be at most 2,000 characters long.",
        "invalid": "Your message contains characters that are not allowed.",
        "confirm_required": "Tick the box to confirm the erasure.",
    },
}

STYLE = (
    "<style>.thread{list-style:none;padding:0}.thread li{border:1px solid #ccc;"
    "border-radius:.4rem;padding:.5rem 1rem;margin:.75rem 0}.thread li.mine{background:#f4f7fb}"
    ".meta{color:#444;font-size:.9rem;margin:0}.text{white-space:pre-wrap;overflow-wrap:anywhere}"
    ".note{border-left:4px solid #0b5394;padding:.5rem 1rem;background:#f4f7fb}</style>"
)


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


def t(lang: str, key: str, **values) -> str:
    text = TEXTS.get(lang, TEXTS["fr"])[key]
    return text.format(**values) if values else text


def _html(status: int, body: str, extra: dict | None = None) -> Response:
    return Response(
        status_code=status, content_type=HTML, body=body, headers={**HEADERS, **(extra or {})}
    )


def _bilingual_error(status: int, key: str) -> Response:
    if key in FORM_ERRORS:
        text = f"{FORM_ERRORS[key]['fr']} / {FORM_ERRORS[key]['en']}"
    else:
        text = f"{t('fr', key)} / {t('en', key)}"
    return _html(status, pages.page("fr", t("fr", "error_title"), f"<p>{escape(text)}</p>"))


def _fail(error: Exception) -> Response:
    """A refused link says nothing about why (forged, expired, other side...)."""
    if isinstance(error, BadToken):
        logger.info("link_refused", extra={"code": "bad_token"})
        return _bilingual_error(400, "bad_token")
    logger.info("link_refused", extra={"code": "gone"})
    return _bilingual_error(410, "gone")


def _message_item(view: View, shown) -> str:
    lang = view.lang
    who = t(lang, "you") if shown.mine else _other_name(view)
    meta = [escape(shown.at.strftime("%Y-%m-%d %H:%M UTC"))]
    if shown.mine:
        meta.append(escape(t(lang, f"status_{shown.status}")))
    reason = ""
    if shown.mine and shown.status == Status.REJECTED and shown.reason:
        reason = (
            f'<p class="note">{escape(vocab.label("rejection_reasons", shown.reason, lang))}</p>'
        )
    mine = ' class="mine"' if shown.mine else ""
    return (
        f'<li{mine}><article><h3>{escape(who)}</h3><p class="meta">{" · ".join(meta)}</p>'
        f'<div class="text">{escape(shown.text)}</div>{reason}</article></li>'
    )


def _other_name(view: View) -> str:
    if view.side == Side.MENTEE:
        return view.mentor_name
    return view.thread.pseudonym or "—"


def conversation_page(
    view: View,
    token: str,
    *,
    text: str = "",
    error: str | None = None,
    sent: bool = False,
    erase_error: bool = False,
    show_help: bool = False,
) -> str:
    lang, thread = view.lang, view.thread
    title = t(lang, f"title_{view.side}", name=_other_name(view))
    parts = [STYLE]
    if view.side == Side.MENTOR and thread.pseudonym:
        about = t(
            lang, "about_mentee", pseudonym=thread.pseudonym,
            age=AGE_BANDS.get(str(thread.age_band), AGE_BANDS["adult"])[lang],
            region=vocab.label("regions", thread.region, lang),
            situation=vocab.label("situations", thread.situation, lang),
        )  # fmt: skip
        parts.append(f"<p>{escape(about)}</p>")
        if str(thread.age_band) == "minor":
            parts.append(f'<p class="note">{escape(t(lang, "minor"))}</p>')
    if sent:
        parts.append(f'<p class="note" role="status">{escape(t(lang, "sent"))}</p>')
    if show_help:
        parts.append(pages.help_section(lang))
    if thread.state == "erased":
        parts.append(f"<p>{escape(t(lang, 'erased'))}</p>")
        return pages.page(lang, title, "".join(parts))
    items = "".join(_message_item(view, m) for m in view.messages)
    parts.append(
        f'<ol class="thread">{items}</ol>' if items else f"<p>{escape(t(lang, 'empty'))}</p>"
    )
    if view.open:
        invalid = ' aria-invalid="true"' if error else ""
        parts.append(
            '<form method="post" action="/api/conversation/reply">'
            f'<input type="hidden" name="token" value="{escape(token)}">'
            f'<input type="hidden" name="idempotency_key" value="{new_id()}">'
            f'<label for="text">{escape(t(lang, "reply_label"))}</label>'
            f'<p class="hint" id="text-hint">{escape(t(lang, "reply_hint"))}</p>'
            f'<textarea id="text" name="text" rows="7" maxlength="2000" required '
            f'aria-describedby="text-hint text-error"{invalid}>{escape(text)}</textarea>'
            f'<p class="field-error" id="text-error">{escape(t(lang, error) if error else "")}</p>'
            f'<button type="submit">{escape(t(lang, "reply_button"))}</button></form>'
        )
    else:
        parts.append(f"<p>{escape(t(lang, 'closed'))}</p>")
    if view.side == Side.MENTEE:
        if erase_error:
            parts.append(
                f'<p class="field-error" role="alert">{escape(t(lang, "confirm_required"))}</p>'
            )
        parts.append(
            f"<h2>{escape(t(lang, 'erase_title'))}</h2><p>{escape(t(lang, 'erase_lead'))}</p>"
            '<form method="post" action="/api/conversation/erase">'
            f'<input type="hidden" name="token" value="{escape(token)}">'
            '<div class="check"><input id="confirm" name="confirm" type="checkbox" value="yes" '
            f'required><label for="confirm">{escape(t(lang, "erase_confirm"))}</label></div>'
            f'<button type="submit">{escape(t(lang, "erase_button"))}</button></form>'
        )
    return pages.page(lang, title, "".join(parts))


def pause_page(lang: str, token: str, paused: bool) -> str:
    action, button = ("resume", "resume_button") if paused else ("pause", "pause_button")
    body = (
        f"<p>{escape(t(lang, 'paused' if paused else 'active'))}</p>"
        f"<p>{escape(t(lang, 'pause_note'))}</p>"
        '<form method="post" action="/api/mentors/pause">'
        f'<input type="hidden" name="token" value="{escape(token)}">'
        f'<input type="hidden" name="action" value="{action}">'
        f'<button type="submit">{escape(t(lang, button))}</button></form>'
    )
    return pages.page(lang, t(lang, "pause_title"), body)


def build_router(conversations: Conversations) -> APIGatewayHttpRouter:
    router = APIGatewayHttpRouter()
    allowed = set(conversations.settings.origins)  # from the settings, never from Host

    def form() -> dict[str, object]:
        """A same-site urlencoded post, read with the question form's guards."""
        event = router.current_event
        headers = {str(k).lower(): str(v) for k, v in (event.headers or {}).items()}
        forms.check_origin(headers, allowed)
        data = forms.raw_body(event.body, bool(event.is_base64_encoded))
        return forms.parse_fields(data, headers.get("content-type", ""))

    def refused(error: forms.Refused) -> Response:
        return _bilingual_error(error.status, error.code)

    @router.get("/api/conversation", summary="The conversation page behind an e-mailed link",
                tags=TAGS, responses={200: PAGE, **LINK_REFUSED})  # fmt: skip
    def read(
        token: Token = "",
        sent: Annotated[str, Query(description="1: a reply was just sent")] = "",
        show_help: Annotated[str, Query(alias="help", description="1: where to get help now")] = "",
    ):
        try:
            view = conversations.view(token)
        except (BadToken, NotFound) as error:
            return _fail(error)
        page = conversation_page(view, token, sent=sent == "1", show_help=show_help == "1")
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
            page = conversation_page(view, token, text=str(text or ""), error=code)
            return _html(422, page)
        except PolicyRefusal:
            view = conversations.view(token)
            page = conversation_page(view, token, text=str(text or ""), error="rate_limited")
            return _html(429, page, {"Retry-After": "3600"})
        except Conflict:
            view = conversations.view(token)
            return _html(409, conversation_page(view, token))
        except (BadToken, NotFound) as error:
            return _fail(error)
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
                return _html(422, conversation_page(view, token, erase_error=True))
            thread = conversations.erase(token)
        except (BadToken, NotFound) as error:
            return _fail(error)
        logger.info("thread_erased", extra={"thread_id": thread.id})
        lang = thread.lang if thread.lang in ("fr", "en") else "fr"
        body = f"<p>{escape(t(lang, 'erased_text'))}</p>"
        return _html(200, pages.page(lang, t(lang, "erased_title"), body))

    @router.get("/api/mentors/pause", summary="The mentor's pause link: a page with a button",
                tags=TAGS, responses={200: PAGE, **LINK_REFUSED})  # fmt: skip
    def pause_form(token: Token = ""):
        try:
            _, contact, lang = conversations.pause_state(token)
        except (BadToken, NotFound) as error:
            return _fail(error)
        return _html(200, pause_page(lang, token, contact.paused))

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
            return _bilingual_error(400, "bad_request")
        token = str(fields.get("token", ""))
        try:
            contact, lang = conversations.set_paused(token, action == "pause")
        except (BadToken, NotFound) as error:
            return _fail(error)
        logger.info("mentor_paused" if contact.paused else "mentor_resumed")
        return _html(200, pause_page(lang, token, contact.paused))

    return router


def include(app, relay) -> None:
    app.include_router(build_router(relay.conversations))
