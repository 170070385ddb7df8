"""GET /api/availability.json: every mentor's live state, small, public and cacheable.

The site's pages fetch it once (theme/static/js/availability.js) to correct
the state the build wrote; an unchanged document answers 304 to its ETag.
"""

from __future__ import annotations

from typing import Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, Field

from ..services.availability import CACHE_SECONDS, AvailabilityMap
from .openapi import schema as openapi_schema

JSON_TYPE = "application/json"
State = Literal["accepting", "at_capacity", "paused"]


class AvailabilityOut(BaseModel):
    """Slug -> state; nothing else about a mentor or their conversations."""

    mentors: dict[str, State] = Field(
        description="accepting: can take a new question now; at_capacity: as many open "
        "conversations as they take at once; paused: not taking questions (profile, pause "
        "or no contact yet)"
    )


def _matches(if_none_match: str, etag: str) -> bool:
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag in tags or "*" in tags


def build_router(availability: AvailabilityMap) -> APIGatewayHttpRouter:
    router = APIGatewayHttpRouter()

    @router.get(
        "/api/availability.json",
        summary="Every mentor's live state (accepting, at_capacity, paused)",
        tags=["site"],
        responses={
            200: {"description": f"The map; Cache-Control: public, max-age={CACHE_SECONDS}; ETag",
                  "content": {JSON_TYPE: {"schema": openapi_schema(AvailabilityOut)}}},
            304: {"description": "Unchanged since the ETag given in If-None-Match"},
        },
    )  # fmt: skip
    def availability_document():
        published = availability.document()
        headers = {
            "Cache-Control": f"public, max-age={CACHE_SECONDS}",
            "ETag": published.etag,
        }
        asked = {str(k).lower(): str(v) for k, v in (router.current_event.headers or {}).items()}
        if _matches(asked.get("if-none-match", ""), published.etag):
            return Response(status_code=304, headers=headers, body="")
        return Response(
            status_code=200, content_type=JSON_TYPE, body=published.body, headers=headers
        )

    return router


def include(app, relay) -> None:
    app.include_router(build_router(relay.availability))
