"""Pydantic models of the API: the question form's fields are the single source of their rules."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..domain import policies

# ASCII addresses only, and nothing a header could misread (no quotes, commas, brackets).
EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
LINE_BREAKS = re.compile(r"[\r\n\t]")


class QuestionIn(BaseModel):
    """A mentee's first question, as posted by the form (urlencoded) or by question-form.js."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    mentor: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$", description="mentor slug")
    lang: Literal["fr", "en"] = Field(description="language of the page and of the answers")
    pseudonym: str = Field(min_length=1, max_length=policies.PSEUDONYM_MAX)
    age: int = Field(ge=0, le=150, description="14 to 30; others are refused kindly")
    region: str = Field(min_length=1, max_length=8, description="code from data/regions.yaml")
    situation: str = Field(min_length=1, max_length=40, description="data/situations.yaml")
    email: str = Field(min_length=3, max_length=254, description="never shown to the mentor")
    question: str = Field(min_length=policies.QUESTION_MIN, max_length=policies.QUESTION_MAX)
    consent: Literal["yes"]
    website: str = Field(default="", max_length=500, description="honeypot: must stay empty")
    rendered_at: str = Field(default="", pattern=r"^\d{0,16}$", description="ms since epoch")
    idempotency_key: str = Field(default="", pattern=r"^[A-Za-z0-9_-]{0,64}$")

    @field_validator("pseudonym", "region", "situation", "mentor")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if CONTROL.search(value) or LINE_BREAKS.search(value):
            raise ValueError("control characters")
        return value

    @field_validator("question")
    @classmethod
    def _printable(cls, value: str) -> str:
        if CONTROL.search(value):
            raise ValueError("control characters")
        return value.replace("\r\n", "\n")

    @field_validator("email")
    @classmethod
    def _address(cls, value: str) -> str:
        local, _, domain = value.rpartition("@")
        if not EMAIL.match(value) or len(local) > 64:
            raise ValueError("invalid_email")
        return f"{local}@{domain.lower()}"


class HelpOut(BaseModel):
    code: str
    name: str
    how: str = Field(description="what to do, in the person's language")
    call: str | None = Field(None, description="number to dial (figures)")
    call_label: str | None = None
    text: str | None = Field(None, description="number to text (figures)")
    text_label: str | None = None


class Accepted(BaseModel):
    status: Literal["received"]
    message: str = Field(description="what to tell the person, in their language")
    help: list[HelpOut] = Field(
        default_factory=list,
        description="where to get help now in Québec, when the question speaks of self-harm "
        "or abuse (data/help_resources.yaml); empty otherwise",
    )


class ErrorOut(BaseModel):
    error: str = Field(description="machine-readable code")
    message: str = Field(description="human-readable, in the page's language")
    fields: dict[str, str] = Field(default_factory=dict, description="field -> message")
    codes: dict[str, str] = Field(default_factory=dict, description="field -> code")
    retry_after: int | None = Field(default=None, description="seconds before trying again")


class Confirmation(BaseModel):
    status: Literal["pending"]
    already: bool
    message: str


class Health(BaseModel):
    ok: bool
