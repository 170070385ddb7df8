"""Moderators' JSON API under /api/moderation/ (API Gateway demands a Cognito JWT there on AWS).

Every route authenticates first (auth.py): no or a wrong credential is 401, a
known identity outside the `moderators` group is 403. Decisions carry the
`version` the moderator saw; a stale one is 409 (someone else decided first).
The mentee's address never appears in any answer.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .. import vocab
from ..auth import Authenticator, Forbidden, Moderator, Unauthenticated
from ..domain import Conflict, Event, InvalidInput, Message, NotFound, Thread
from ..presentation import flag_name
from ..screening import screen
from ..services.moderation import EDIT_MAX, Alert, Moderation, Review, reasons
from . import forms, pages
from .models import TEXT_PATTERN, whole_number
from .openapi import BEARER, answer

logger = Logger(service="passerelle-relay", child=True)

JSON_TYPE = "application/json"
HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
TAGS = ["moderation"]
PREFIX = "/api/moderation"


# --- request and answer bodies (also the OpenAPI schema) ----------------------------------------


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")  # values as sent: a code is exact
    version: int = Field(ge=1, description="the message version the moderator saw")

    @field_validator("version", mode="before")
    @classmethod
    def _whole(cls, value: object) -> object:
        return whole_number(value)


class ApproveIn(_In):
    text: str | None = Field(
        default=None, max_length=EDIT_MAX, json_schema_extra={"pattern": TEXT_PATTERN},
        description="edited text to deliver instead (recorded); not blank",
    )  # fmt: skip


def _reasons(schema: dict) -> None:
    schema["enum"] = vocab.codes("rejection_reasons")
    schema.pop("maxLength", None)


class RejectIn(_In):
    reason: str = Field(
        max_length=40, description="code from data/rejection_reasons.yaml",
        json_schema_extra=_reasons,
    )  # fmt: skip


class EscalateIn(_In):
    pass


class ThreadOut(BaseModel):
    id: str
    mentor: str
    mentor_name: str = Field(description="as the directory shows it (the slug if unknown)")
    lang: str
    state: str
    pseudonym: str | None
    age_band: str
    minor: bool
    region: str
    region_name: str
    situation: str
    situation_name: str


class SpanOut(BaseModel):
    start: int = Field(description="UTF-16 offset in `body`, as JavaScript counts")
    end: int
    kind: str = Field(description="contact_* (masked) or contact_possible (to check)")


class MessageOut(BaseModel):
    id: str
    thread_id: str
    author: str
    status: str
    version: int
    priority: int
    escalated: bool
    flags: list[str]
    flag_names: list[str] = Field(
        default_factory=list, description="each flag in words, in the request's language"
    )
    reason: str | None
    created_at: str
    updated_at: str
    body: str | None = Field(description="as written (moderators only)")
    delivered_text: str | None = Field(description="as it will be delivered (masked or edited)")
    spans: list[SpanOut] = Field(
        default_factory=list,
        description="where `body` holds a contact detail (masked) or possibly one (to check), "
        "screened with the author's earlier messages; for highlighting",
    )


class ReviewOut(BaseModel):
    message: MessageOut
    thread: ThreadOut
    history: list[MessageOut] = Field(default_factory=list)


class DecisionOut(BaseModel):
    message_id: str
    status: str
    version: int
    escalated: bool
    author_notified: bool | None = None


class EventOut(BaseModel):
    id: str
    thread_id: str
    message_id: str | None
    action: str
    actor: str
    at: str
    detail: dict[str, Any]


def _utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def contact_spans(body: str | None, context: list[str] = ()) -> list[dict]:
    """The spans a moderator sees highlighted in the text as written (screening is pure and
    deterministic, so it is run again here rather than stored)."""
    if not body:
        return []
    result = screen(body, context=context)
    return [
        {"start": _utf16(body, f.excerpt_span[0]), "end": _utf16(body, f.excerpt_span[1]),
         "kind": f.kind}
        for f in result.flags
        if not f.is_risk
    ]  # fmt: skip


def message_out(m: Message, context: list[str], lang: str) -> dict:
    return MessageOut(
        id=m.id, thread_id=m.thread_id, author=str(m.author), status=str(m.status),
        version=m.version, priority=m.priority, escalated=m.escalated, flags=list(m.flags),
        flag_names=[flag_name(f, lang) for f in m.flags], reason=m.reason,
        created_at=m.created_at.isoformat(), updated_at=m.updated_at.isoformat(),
        body=m.body, delivered_text=m.delivered_text, spans=contact_spans(m.body, context),
    ).model_dump()  # fmt: skip


def thread_out(t: Thread, lang: str, mentor_name: str | None = None) -> dict:
    """Explicit fields: the mentee's address is never copied out. Names in `lang`, the
    moderator's."""
    return ThreadOut(
        id=t.id, mentor=t.mentor, mentor_name=mentor_name or t.mentor, lang=t.lang,
        state=str(t.state), pseudonym=t.pseudonym, age_band=str(t.age_band),
        minor=str(t.age_band) == "minor", region=t.region,
        region_name=vocab.label("regions", t.region, lang), situation=t.situation,
        situation_name=vocab.label("situations", t.situation, lang),
    ).model_dump()  # fmt: skip


def review_out(r: Review, lang: str, mentor_name: str | None = None) -> dict:
    earlier = [
        m.body for m in r.history
        if m.author == r.message.author and m.body and m.created_at < r.message.created_at
    ]  # fmt: skip
    return {
        "message": message_out(r.message, earlier[-3:], lang),
        "thread": thread_out(r.thread, lang, mentor_name),
        "history": [message_out(m, [], lang) for m in r.history],
    }


def alert_out(a: Alert, lang: str) -> dict:
    """An e-mail that could not go: which, to whom (a side, never an address), why, what next."""
    return {
        "message": message_out(a.message, [], lang), "thread_id": a.thread_id, "error": a.error,
        "attempts": a.attempts, "at": a.at.isoformat(), "job_id": a.job.id,
        "kind": str(a.job.kind), "recipient": str(a.job.recipient), "state": a.state,
        "permanent": a.permanent,
    }  # fmt: skip


def event_out(e: Event) -> dict:
    return EventOut(
        id=e.id, thread_id=e.thread_id, message_id=e.message_id, action=e.action, actor=e.actor,
        at=e.at.isoformat(), detail=e.detail,
    ).model_dump()  # fmt: skip


def _json(status: int, payload: Any, extra: dict | None = None) -> Response:
    return Response(
        status_code=status,
        content_type=JSON_TYPE,
        body=json.dumps(payload, ensure_ascii=False),
        headers={**HEADERS, **(extra or {})},
    )


def _error(http: int, code: str, message: str, **more) -> Response:
    extra = {"WWW-Authenticate": 'Bearer realm="moderation"'} if http == 401 else None
    return _json(http, {"error": code, "message": message, **more}, extra)


class ErrorOut(BaseModel):
    error: str
    message: str


class ItemsOut(BaseModel):
    items: list[dict[str, Any]]


class JobOut(BaseModel):
    job_id: str
    state: str
    attempts: int


def _body(model: type[BaseModel]) -> dict:
    from .openapi import body

    return body(model, JSON_TYPE)


SECURED = [{BEARER: []}]
COMMON = {
    401: answer("No moderator credential, or an unknown one", ErrorOut,
                headers={"WWW-Authenticate": "Bearer"}),
    403: answer("Authenticated, but not in the moderators group", ErrorOut),
}  # fmt: skip
NOT_FOUND = {404: answer("No such message or job (or expired)", ErrorOut)}
DECISION = {
    **COMMON, **NOT_FOUND,
    200: answer("Decided", DecisionOut),
    400: answer("Unreadable body, or a field twice", ErrorOut),
    409: answer("Already decided or changed: someone else won; reload", ErrorOut),
    413: answer("Body over 16 KiB", ErrorOut),
    415: answer("Neither JSON nor urlencoded", ErrorOut),
    422: answer("Invalid fields (reason not in the list, empty text...)", ErrorOut),
}  # fmt: skip


JOB = {
    **COMMON, **NOT_FOUND,
    200: answer("Done", JobOut),
    409: answer("Sent, closed or being sent meanwhile; reload", ErrorOut),
}  # fmt: skip


def build_router(
    moderation: Moderation, authenticator: Authenticator, mentor_names=lambda slug: None
) -> APIGatewayHttpRouter:
    """`mentor_names(slug)` gives a mentor's name as the directory shows it (or None)."""
    router = APIGatewayHttpRouter()

    def lang() -> str:
        """The moderator's language: their page sends it as Accept-Language."""
        event = router.current_event
        headers = {str(k).lower(): str(v) for k, v in (event.headers or {}).items()}
        return pages.request_lang(None, headers.get("accept-language"))

    def review(r: Review) -> dict:
        return review_out(r, lang(), mentor_names(r.thread.mentor))

    def moderator() -> Moderator:
        event = router.current_event
        headers = {str(k).lower(): str(v) for k, v in (event.headers or {}).items()}
        return authenticator.authenticate(event.raw_event, headers)

    def body(model: type[_In]) -> _In:
        event = router.current_event
        headers = {str(k).lower(): str(v) for k, v in (event.headers or {}).items()}
        data = forms.raw_body(event.body, bool(event.is_base64_encoded))
        kind = headers.get("content-type", JSON_TYPE)
        fields = forms.parse_fields(data, kind)
        try:  # a JSON body keeps its types: a version is a number, not "1" nor true
            return model.model_validate(fields, strict=forms.is_json(kind))
        except ValidationError as exc:
            codes = {str(e["loc"][0]) if e["loc"] else "body": e["type"] for e in exc.errors()}
            raise InvalidInput(codes) from None

    @router.exception_handler(Unauthenticated)
    def unauthenticated(_: Unauthenticated):
        logger.info("moderation_refused", extra={"status": 401})
        return _error(401, "unauthenticated", "A moderator credential is required.")

    @router.exception_handler(Forbidden)
    def forbidden(_: Forbidden):
        logger.info("moderation_refused", extra={"status": 403})
        return _error(403, "forbidden", "This account is not a moderator.")

    def decide(message_id: str, model: type[_In], act) -> Response:
        who = moderator()
        try:
            data = body(model)
            decision = act(who, data)
        except forms.Refused as refused:
            return _error(refused.status, refused.code, "The request body could not be read.")
        except InvalidInput as invalid:
            return _error(422, "invalid_input", "Some fields are not valid.", fields=invalid.errors)
        except NotFound:
            return _error(404, "not_found", "No such message (it may have expired).")
        except Conflict:
            try:
                current = moderation.store.get_message(message_id, now=moderation.clock())
                now_is = {"status": str(current.status), "version": current.version}
            except NotFound:
                now_is = {}
            return _error(409, "already_decided", "Someone else decided first; reload.", **now_is)
        m = decision.message
        logger.info("moderation_decision", extra={"message_id": m.id, "status": str(m.status)})
        return _json(200, DecisionOut(
            message_id=m.id, status=str(m.status), version=m.version, escalated=m.escalated,
            author_notified=decision.notified,
        ).model_dump())  # fmt: skip

    @router.get(f"{PREFIX}/queue", summary="Pending messages, most urgent first", tags=TAGS,
                security=SECURED,
                responses={**COMMON, 200: answer("Reviews", ItemsOut)})  # fmt: skip
    def queue(limit: Annotated[str, Query(description="1 to 200 (default 50)")] = "50"):
        moderator()
        limit = max(1, min(int(limit), 200)) if limit.isdecimal() else 50
        items = [review(r) for r in moderation.queue(limit=limit)]
        return _json(200, {"items": items})

    @router.get(f"{PREFIX}/messages/<message_id>", summary="One message with its thread",
                tags=TAGS, security=SECURED,
                responses={**COMMON, **NOT_FOUND, 200: answer("Review", ReviewOut)})  # fmt: skip
    def message(message_id: str):
        moderator()
        try:
            return _json(200, review(moderation.review(message_id)))
        except NotFound:
            return _error(404, "not_found", "No such message (it may have expired).")

    @router.post(f"{PREFIX}/messages/<message_id>/approve", tags=TAGS, responses=DECISION,
                 security=SECURED,
                 summary="Approve, optionally with an edited text (the edit is recorded)",
                 openapi_extensions=_body(ApproveIn))  # fmt: skip
    def approve(message_id: str):
        return decide(message_id, ApproveIn, lambda who, data: moderation.approve(
            message_id, version=data.version, actor=who.actor, text=data.text))  # fmt: skip

    @router.post(f"{PREFIX}/messages/<message_id>/reject", tags=TAGS, responses=DECISION,
                 security=SECURED,
                 summary="Reject with a reason template; the author gets the reason",
                 openapi_extensions=_body(RejectIn))  # fmt: skip
    def reject(message_id: str):
        return decide(message_id, RejectIn, lambda who, data: moderation.reject(
            message_id, version=data.version, actor=who.actor, reason=data.reason))  # fmt: skip

    @router.post(f"{PREFIX}/messages/<message_id>/escalate", tags=TAGS, responses=DECISION,
                 security=SECURED,
                 summary="Ask for a second look (stays pending, top of the queue)",
                 openapi_extensions=_body(EscalateIn))  # fmt: skip
    def escalate(message_id: str):
        return decide(message_id, EscalateIn, lambda who, data: moderation.escalate(
            message_id, version=data.version, actor=who.actor))  # fmt: skip

    @router.get(f"{PREFIX}/reasons", summary="Rejection reason templates (fr, en)", tags=TAGS,
                security=SECURED,
                responses={**COMMON, 200: answer("The reasons", json_any=True)})  # fmt: skip
    def reason_list():
        moderator()
        return _json(200, {"reasons": reasons()})

    @router.get(f"{PREFIX}/undeliverable", tags=TAGS, security=SECURED,
                responses={**COMMON, 200: answer("The e-mails in trouble", ItemsOut)},
                summary="E-mails refused for good, or still failing after retries")  # fmt: skip
    def undeliverable():
        moderator()
        return _json(200, {"items": [alert_out(a, lang()) for a in moderation.undeliverable()]})

    def job_decision(job_id: str, act) -> Response:
        who = moderator()
        try:
            job = act(job_id, actor=who.actor)
        except NotFound:
            return _error(404, "not_found", "No such e-mail job.")
        except Conflict:
            return _error(409, "already_decided", "This e-mail changed meanwhile; reload.")
        logger.info("moderation_job_decision", extra={"job": job.id, "state": str(job.state)})
        return _json(200, {"job_id": job.id, "state": str(job.state), "attempts": job.attempts})

    @router.post(f"{PREFIX}/jobs/<job_id>/resend", tags=TAGS, responses=JOB, security=SECURED,
                 summary="Try an undeliverable e-mail again now")  # fmt: skip
    def resend(job_id: str):
        return job_decision(job_id, moderation.resend)

    @router.post(f"{PREFIX}/jobs/<job_id>/close", tags=TAGS, responses=JOB, security=SECURED,
                 summary="Stop trying an undeliverable e-mail (cancelled, audited)")  # fmt: skip
    def close(job_id: str):
        return job_decision(job_id, moderation.close)

    @router.get(f"{PREFIX}/threads/<thread_id>/events", summary="A thread's audit log",
                tags=TAGS, security=SECURED,
                responses={**COMMON, **NOT_FOUND,
                           200: answer("The events", json_any=True)})  # fmt: skip
    def audit(thread_id: str):
        moderator()
        return _json(200, {"events": [event_out(e) for e in moderation.audit(thread_id)]})

    @router.get(f"{PREFIX}/me", summary="Who this credential is (checks it)", tags=TAGS,
                security=SECURED,
                responses={**COMMON, 200: answer("The actor", json_any=True)})  # fmt: skip
    def me():
        return _json(200, {"actor": moderator().actor})

    return router


def include(app, relay) -> None:
    """Add the moderation routes to the resolver, over the container's moderation service."""

    def mentor_name(slug: str) -> str | None:
        entry = relay.manifest.get().mentors.get(slug)
        return entry.name if entry else None

    app.include_router(build_router(relay.moderation, relay.authenticator, mentor_name))
