"""Pydantic models of the API: the question form's fields are the single source of their rules."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from ..domain import policies
from ..domain.applications import BIO_MAX, BIO_MIN, TOPICS_MAX
from ..profile_schema import MentorProfile

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


# --- issue 14: becoming a mentor, all my conversations ----------------------------------------


#: Bidirectional overrides and isolates, and NEL: refused in the texts of an application (they
#: would reorder or break what an editor and, later, the site show).
BIDI = re.compile(r"[\x85\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _from_profile(name: str, **bounds):
    """A field of the mentor profile schema (plugins/mentors/schema.py, the one source), with
    the extra bounds a public form needs."""
    info = MentorProfile.model_fields[name]
    return (Annotated[info.annotation, info, Field(**bounds)], ...)


def _topics(value: object) -> object:
    """A form's textarea gives one topic a line (or comma-separated); JSON gives a list."""
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[\n,;]", value) if part.strip()]
    return value


def _languages(value: object) -> object:
    return [value] if isinstance(value, str) else value


class _ApplicationBase(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    lang: Literal["fr", "en"] = Field(description="language of the form and of the profile")
    bio: str = Field(min_length=BIO_MIN, max_length=BIO_MAX, description="short bio (Markdown)")
    email: str = Field(min_length=3, max_length=254, description="stays in the relay, private")
    consent: Literal["yes"]
    website: str = Field(default="", max_length=500, description="honeypot: must stay empty")
    rendered_at: str = Field(default="", pattern=r"^\d{0,16}$", description="ms since epoch")

    _address = field_validator("email")(QuestionIn._address.__func__)

    @field_validator("name", "occupation", "sector", "region", check_fields=False)
    @classmethod
    def _one_line(cls, value: str) -> str:
        if CONTROL.search(value) or LINE_BREAKS.search(value) or BIDI.search(value):
            raise ValueError("control characters")
        return value

    @field_validator("bio")
    @classmethod
    def _printable(cls, value: str) -> str:
        if CONTROL.search(value) or BIDI.search(value):
            raise ValueError("control characters")
        return value.replace("\r\n", "\n")

    @field_validator("topics", mode="before", check_fields=False)
    @classmethod
    def _split_topics(cls, value: object) -> object:
        return _topics(value)

    @field_validator("topics", check_fields=False)
    @classmethod
    def _short_topics(cls, value: list[str]) -> list[str]:
        if any(len(t) > 80 or CONTROL.search(t) or BIDI.search(t) for t in value):
            raise ValueError("topic_too_long")
        return value

    @field_validator("years_experience", mode="before", check_fields=False)
    @classmethod
    def _not_a_bool(cls, value: object) -> object:
        if isinstance(value, bool):  # JSON `true` is not a number of years
            raise ValueError("not_a_number")
        return value

    @field_validator("languages", mode="before", check_fields=False)
    @classmethod
    def _one_language(cls, value: object) -> object:
        return _languages(value)


ApplicationIn = create_model(
    "ApplicationIn",
    __base__=_ApplicationBase,
    __doc__="An application to become a mentor: the profile's own fields, plus the address.",
    name=_from_profile("name", max_length=80),
    occupation=_from_profile("occupation", max_length=120),
    sector=_from_profile("sector", max_length=40),
    region=_from_profile("region", max_length=8),
    languages=_from_profile("languages", max_length=12),
    years_experience=_from_profile("years_experience"),
    topics=_from_profile("topics", max_length=TOPICS_MAX),
)


class ThreadsLinkIn(BaseModel):
    """Ask for the link to all one's conversations: by address (the site's page), or with the
    link of one conversation (its page)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    lang: Literal["fr", "en"] = Field(description="language of the page")
    email: str = Field(default="", max_length=254, description="the address the questions used")
    token: str = Field(default="", max_length=600, description="a conversation's mentee link")

    @field_validator("email")
    @classmethod
    def _address(cls, value: str) -> str:
        return QuestionIn._address.__func__(cls, value) if value else value


class ThreadOut(BaseModel):
    """One conversation of the list (no address, no text)."""

    mentor: str = Field(description="mentor slug")
    mentor_name: str
    started: str = Field(description="ISO 8601, UTC")
    last_activity: str = Field(description="ISO 8601, UTC")
    status: Literal["in_moderation", "waiting_answer", "answered", "not_passed", "closed"]
    link: str = Field(description="the mentee's own link to the conversation")


class ThreadsOut(BaseModel):
    threads: list[ThreadOut]
