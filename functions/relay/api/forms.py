"""Reading a submission safely: size, origin, content type, strict fields, localized errors.

Each guard raises `Refused` with an HTTP status and a code (its sentence: templates/messages.html).
"""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import parse_qs

from pydantic import ValidationError

from .models import QuestionIn

MAX_BODY = 16 * 1024  # bytes; a 2,000-character question fits many times over
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class Refused(Exception):
    def __init__(self, status: int, code: str, fields: dict[str, str] | None = None):
        super().__init__(code)
        self.status = status
        self.code = code
        self.fields = fields or {}


def check_origin(headers: dict[str, str], allowed: set[str]) -> None:
    """Refuse cross-site posts: a foreign Origin, an opaque one, or Sec-Fetch-Site cross-site."""
    origin = headers.get("origin")
    if origin is not None:
        if origin.lower() not in allowed:
            raise Refused(403, "forbidden_origin")
        return
    if headers.get("sec-fetch-site", "").lower() == "cross-site":
        raise Refused(403, "forbidden_origin")


def raw_body(body: str | None, is_base64: bool) -> bytes:
    if body is None:
        return b""
    if len(body) > MAX_BODY * 2:  # cheap early refusal before decoding anything
        raise Refused(413, "too_large")
    try:
        data = base64.b64decode(body, validate=True) if is_base64 else body.encode("utf-8")
    except (binascii.Error, ValueError, UnicodeError):
        raise Refused(400, "bad_request") from None
    if len(data) > MAX_BODY:
        raise Refused(413, "too_large")
    return data


def parse_fields(
    data: bytes, content_type: str, lists: frozenset[str] = frozenset()
) -> dict[str, object]:
    """Urlencoded or JSON object; each field at most once (but the `lists`, checkboxes that
    repeat); text must be valid UTF-8."""
    kind = content_type.split(";")[0].strip().lower()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "bad_request") from None
    if kind == FORM:
        try:
            pairs = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text),
                             errors="strict", max_num_fields=64)  # fmt: skip
        except (ValueError, UnicodeError):
            raise Refused(400, "bad_request") from None
        if any(len(values) != 1 for key, values in pairs.items() if key not in lists):
            raise Refused(400, "bad_request")
        # A form sends its line breaks as CRLF (HTML's form encoding): one line break each.
        return {
            key: [v.replace("\r\n", "\n") for v in values] if key in lists
            else values[0].replace("\r\n", "\n")
            for key, values in pairs.items()
        }  # fmt: skip
    if kind == JSON:
        try:
            value = json.loads(text, object_pairs_hook=_unique)
        except (ValueError, RecursionError):
            raise Refused(400, "bad_request") from None
        if not isinstance(value, dict):
            raise Refused(400, "bad_request")
        return value
    raise Refused(415, "unsupported_media_type")


def _unique(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object whose keys are all different, like a form's fields (else 400)."""
    value = dict(pairs)
    if len(value) != len(pairs):
        raise ValueError("duplicate key")
    return value


def is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == JSON


def page_lang(fields: dict[str, object]) -> str:
    lang = fields.get("lang")
    return lang if lang in ("fr", "en") else "fr"


def _code(field: str, kind: str, message: str) -> str:
    if kind == "missing" or (kind == "string_too_short" and field != "question"):
        return "consent_required" if field == "consent" else "required"
    if field == "consent":
        return "consent_required"
    if kind == "string_too_short":
        return "question_too_short"
    if kind == "string_too_long":
        return f"{field}_too_long" if field in ("question", "pseudonym") else "too_long"
    if field == "age":
        return "not_a_number"
    if field == "email":
        return "invalid_email"
    if field in ("region", "situation", "lang"):
        return "invalid_choice"
    return "invalid"


def validate(fields: dict[str, object], *, typed: bool = False) -> QuestionIn:
    """The form's fields as QuestionIn. `typed` (a JSON body): values keep their JSON types,
    so an age is a number, never a string or `true`; a form's values are all text."""
    unknown = sorted(str(k) for k in fields if k not in QuestionIn.model_fields)
    if unknown:
        raise Refused(400, "unknown_field", {name[:40]: "invalid" for name in unknown[:10]})
    try:
        return QuestionIn.model_validate(fields, strict=typed)
    except ValidationError as exc:
        codes: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "form"
            codes.setdefault(field, _code(field, error["type"], str(error.get("msg", ""))))
        if "mentor" in codes:
            raise Refused(404, "unknown_mentor") from None
        if set(codes) & {"website", "rendered_at", "idempotency_key"}:
            raise Refused(400, "bad_request") from None
        raise Refused(422, "invalid_input", codes) from None
