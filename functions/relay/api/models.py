"""Pydantic models of the API: the question form's fields are the single source of their rules.

Closed sets come from where they live: regions and situations from data/ (`relay.vocab`),
mentor slugs from the build's manifest (added to the document at run time, `api.openapi`).
What a text may hold is `domain.text`'s rule, written here as a JSON Schema pattern too.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator
from pydantic_core import PydanticCustomError

from .. import vocab
from ..domain import policies
from ..domain.applications import BIO_MAX, BIO_MIN, TOPICS_MAX
from ..domain.text import FORBIDDEN, allowed
from ..profile_schema import MentorProfile

# ASCII addresses only, and nothing a header could misread (no quotes, commas, brackets).
EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_INNER = FORBIDDEN.pattern[1:-1]  # the character class of domain.text.FORBIDDEN, unbracketed
#: JSON Schema patterns of domain.text.allowed, not blank: a text, and a one-line text.
TEXT_PATTERN = f"^[^{_INNER}]*[^{_INNER}\\s][^{_INNER}]*$"
LINE_PATTERN = f"^[^{_INNER}\\r\\n\\t]*[^{_INNER}\\s][^{_INNER}\\r\\n\\t]*$"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,99}$"


def _enum_of(vocabulary: str):
    """The codes of a data/ vocabulary as the field's enum, read when the schema is made."""

    def extra(schema: dict) -> None:
        schema["enum"] = vocab.codes(vocabulary)
        schema.pop("minLength", None)
        schema.pop("maxLength", None)

    return extra


def whole_number(value: object) -> object:
    """A JSON integer as JSON Schema reads one: 16 or 16.0, never `true` (nor "16" in JSON:
    the models are validated strictly for JSON bodies, a form's values are all text)."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "a whole number, not true or false")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _stripped(value: str, minimum: int) -> str:
    """Surrounding spaces go; what is left must still be long enough."""
    value = value.strip()
    if len(value) < minimum:
        raise PydanticCustomError("string_too_short", "too short once trimmed")
    return value


class QuestionIn(BaseModel):
    """A mentee's first question, as posted by the form (urlencoded) or by question-form.js.

    Lengths are counted as sent (a form's CRLF line breaks count as one), then the text is
    trimmed and must still be long enough."""

    model_config = ConfigDict(extra="forbid")

    mentor: str = Field(pattern=SLUG_PATTERN, description="mentor slug (unknown: 404)")
    lang: Literal["fr", "en"] = Field(description="language of the page and of the answers")
    pseudonym: str = Field(
        min_length=1, max_length=policies.PSEUDONYM_MAX,
        json_schema_extra={"pattern": LINE_PATTERN},
        description="the only name the mentor sees; one line, no contact detail",
    )  # fmt: skip
    age: int = Field(
        ge=0, le=150, description=f"{policies.MIN_AGE} to {policies.MAX_AGE}; others are refused "
        "kindly (422 too_young, too_old)",
        json_schema_extra={"minimum": policies.MIN_AGE, "maximum": policies.MAX_AGE},
    )  # fmt: skip
    region: str = Field(
        max_length=8, description="code from data/regions.yaml",
        json_schema_extra=_enum_of("regions"),
    )  # fmt: skip
    situation: str = Field(
        max_length=40, description="code from data/situations.yaml",
        json_schema_extra=_enum_of("situations"),
    )  # fmt: skip
    email: str = Field(
        min_length=3, max_length=254, description="never shown to the mentor; ASCII, as written",
        json_schema_extra={"pattern": EMAIL.pattern},
    )  # fmt: skip
    question: str = Field(
        min_length=policies.QUESTION_MIN, max_length=policies.QUESTION_MAX,
        json_schema_extra={"pattern": TEXT_PATTERN},
    )  # fmt: skip
    consent: Literal["yes"]
    website: str = Field(
        default="", max_length=500,
        description="honeypot: stays empty; a filled one gets the same answer and stores nothing",
    )  # fmt: skip
    rendered_at: str = Field(
        default="", pattern=r"^\d{0,16}$",
        description="ms since the epoch when the page was shown (question-form.js fills it); "
        f"empty, in the future or less than {policies.MIN_FILL_SECONDS} s ago: 422 too_fast",
        json_schema_extra={"pattern": r"^\d{1,16}$"},
    )  # fmt: skip
    idempotency_key: str = Field(default="", pattern=r"^[A-Za-z0-9_-]{0,64}$")

    @field_validator("age", mode="before")
    @classmethod
    def _whole(cls, value: object) -> object:
        return whole_number(value)

    @field_validator("pseudonym")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if not allowed(value, one_line=True):
            raise ValueError("control characters")
        return _stripped(value, 1)

    @field_validator("question")
    @classmethod
    def _text(cls, value: str) -> str:
        if not allowed(value):
            raise ValueError("control characters")
        return _stripped(value.replace("\r\n", "\n"), policies.QUESTION_MIN)

    @field_validator("region", "situation")
    @classmethod
    def _known(cls, value: str, info) -> str:
        if value not in vocab.codes(f"{info.field_name}s"):
            raise PydanticCustomError("enum", "not in the list")
        return value

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


class SimilarOut(BaseModel):
    slug: str
    name: str
    url: str


class ErrorOut(BaseModel):
    error: str = Field(description="machine-readable code")
    message: str = Field(description="human-readable, in the page's language")
    fields: dict[str, str] = Field(default_factory=dict, description="field -> message")
    codes: dict[str, str] = Field(default_factory=dict, description="field -> code")
    retry_after: int | None = Field(default=None, description="seconds before trying again")
    similar: list[SimilarOut] = Field(
        default_factory=list,
        description="409 not_accepting: up to 3 mentors of the same sector or region who can "
        "answer now",
    )
    help: list[HelpOut] = Field(
        default_factory=list,
        description="a refused question that speaks of self-harm or abuse still gets, at once, "
        "where to get help now (data/help_resources.yaml); empty otherwise",
    )


class Confirmation(BaseModel):
    status: Literal["pending"]
    already: bool
    message: str


class TokenIn(BaseModel):
    """A form that carries only the e-mailed link's token."""

    model_config = ConfigDict(extra="forbid")
    token: str = Field(max_length=2000, description="the signed token of the e-mailed link")


class Health(BaseModel):
    ok: bool


# --- issue 14: becoming a mentor, all my conversations ----------------------------------------


def _from_profile(name: str, **bounds):
    """A field of the mentor profile schema (plugins/mentors/schema.py, the one source), with
    the extra bounds a public form needs."""
    info = MentorProfile.model_fields[name]
    return (Annotated[info.annotation, info, Field(**bounds)], ...)


def _topics(value: object) -> object:
    """A form's textarea gives one topic a line (or comma-separated); JSON gives a list."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return [t.strip() for part in value for t in re.split(r"[\n,;]", part) if t.strip()]
    return value


def _languages(value: object) -> object:
    return [value] if isinstance(value, str) else value


class _ApplicationBase(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    lang: Literal["fr", "en"] = Field(description="language of the form and of the profile")
    bio: str = Field(min_length=BIO_MIN, max_length=BIO_MAX, description="short bio (Markdown)")
    email: str = Field(
        min_length=3, max_length=254, description="stays in the relay, private",
        json_schema_extra={"pattern": EMAIL.pattern},
    )  # fmt: skip
    consent: Literal["yes"]
    website: str = Field(default="", max_length=500, description="honeypot: must stay empty")
    rendered_at: str = Field(default="", pattern=r"^\d{0,16}$", description="ms since epoch")

    _address = field_validator("email")(QuestionIn._address.__func__)

    @field_validator("name", "occupation", "sector", "region", check_fields=False)
    @classmethod
    def _one_line(cls, value: str) -> str:
        if not allowed(value, one_line=True):
            raise ValueError("control characters")
        return value

    @field_validator("bio")
    @classmethod
    def _printable(cls, value: str) -> str:
        if not allowed(value):
            raise ValueError("control characters")
        return value.replace("\r\n", "\n")

    @field_validator("topics", mode="before", check_fields=False)
    @classmethod
    def _split_topics(cls, value: object) -> object:
        return _topics(value)

    @field_validator("topics", check_fields=False)
    @classmethod
    def _short_topics(cls, value: list[str]) -> list[str]:
        if any(len(t) > 80 or not allowed(t, one_line=True) for t in value):
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
    email: str = Field(
        default="", max_length=254, description="the address the questions used",
        json_schema_extra={"pattern": f"^$|{EMAIL.pattern}"},
    )  # fmt: skip
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
