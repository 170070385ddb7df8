"""The API's OpenAPI document: what each route takes and every status it can answer.

Routes declare their bodies and answers with the helpers below (from the API's pydantic
models); `document()` asks Powertools for the document, moves every model's `$defs` into
`components/schemas` (so each `$ref` resolves), and adds what is known only at run time:
the mentor slugs of the build's manifest.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

JSON_TYPE = "application/json"
FORM = "application/x-www-form-urlencoded"
HTML = "text/html"
REFS = "#/components/schemas/{model}"
BEARER = "moderatorToken"


def schema(model: type[BaseModel]) -> dict:
    """A model's JSON Schema with references into components/schemas (its $defs kept aside
    until `document()` lifts them there)."""
    return model.model_json_schema(ref_template=REFS)


def body(model: type[BaseModel], *kinds: str) -> dict:
    """`openapi_extensions` declaring a required request body of `model` in `kinds`."""
    content = {kind: {"schema": schema(model)} for kind in kinds or (JSON_TYPE,)}
    return {"requestBody": {"required": True, "content": content}}


def answer(description: str, model: type[BaseModel] | None = None, *, html: bool = False,
           json_any: bool = False, headers: dict | None = None) -> dict:  # fmt: skip
    """One response: a JSON body of `model` (or any JSON object), an HTML page, or both."""
    content: dict[str, Any] = {}
    if model is not None:
        content[JSON_TYPE] = {"schema": schema(model)}
    elif json_any:
        content[JSON_TYPE] = {"schema": {"type": "object"}}
    if html:
        content[HTML] = {"schema": {"type": "string"}}
    out: dict[str, Any] = {"description": description}
    if content:
        out["content"] = content
    if headers:
        out["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in headers.items()
        }
    return out


def _lift(node: Any, defs: dict[str, Any]) -> Any:
    """Remove every `$defs` from the tree, collecting its schemas in `defs`."""
    if isinstance(node, dict):
        for name, sub in (node.pop("$defs", None) or {}).items():
            defs[name] = _lift(sub, defs)
        return {key: _lift(value, defs) for key, value in node.items()}
    if isinstance(node, list):
        return [_lift(value, defs) for value in node]
    return node


def _mentors_enum(node: Any, slugs: list[str]) -> None:
    """The `mentor` property of a question body names a mentor of the manifest."""
    if isinstance(node, dict):
        mentor = (node.get("properties") or {}).get("mentor")
        if isinstance(mentor, dict) and "pattern" in mentor and slugs:
            mentor["enum"] = slugs
        for value in node.values():
            _mentors_enum(value, slugs)
    elif isinstance(node, list):
        for value in node:
            _mentors_enum(value, slugs)


def _no_empty_content(doc: dict) -> None:
    """Powertools gives every response a JSON media type; an answer without a body (303, 304)
    has none."""
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            for response in (operation.get("responses") or {}).values():
                content = response.get("content")
                if content is not None and not any(content.values()):
                    del response["content"]


def document(app, mentors: list[str]) -> str:
    """The OpenAPI document of `app` as JSON, with `mentors` (slugs) as the mentor enum."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    raw = app.get_openapi_schema(
        title="Passerelle relay", version="1.0.0",
        description="Carries moderated questions between mentees and mentors. Every answer "
        "listed is one the relay gives; a method a path does not list is 405 with Allow.",
        security_schemes={BEARER: HTTPBearer(description="a moderator's token (locally) or "
                                             "Cognito JWT (AWS)")},
    ).model_dump(mode="json", by_alias=True, exclude_none=True)  # fmt: skip
    defs: dict[str, Any] = {}
    doc = _lift(raw, defs)
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    for name, value in defs.items():
        components.setdefault(name, value)
    _no_empty_content(doc)
    _mentors_enum(doc, sorted(mentors))
    return json.dumps(doc, ensure_ascii=False)
