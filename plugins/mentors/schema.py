"""The mentor profile schema: the one source of truth for validation, docs and scaffolding.

Vocabulary codes (sector, region, languages) are checked against data/*.yaml in
`validation`, because the allowed values live there, not here.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

EDUCATION_KINDS: dict[str, tuple[str, str]] = {
    "secondaire": ("Études secondaires", "High school"),
    "dep": ("Diplôme d'études professionnelles (DEP)", "Vocational diploma (DEP)"),
    "cegep": ("Cégep (DEC)", "CEGEP diploma (DEC)"),
    "aec": ("Attestation d'études collégiales (AEC)", "College certificate (AEC)"),
    "universite": ("Université", "University"),
    "apprentissage": ("Apprentissage", "Apprenticeship"),
    "reorientation": ("Réorientation", "Career change"),
    "autre": ("Autre parcours", "Other path"),
}
EducationKind = Literal[
    "secondaire", "dep", "cegep", "aec", "universite", "apprentissage", "reorientation", "autre"
]
SITE_LANGS = ("fr", "en")
DATE_FIELDS = ("last_confirmed", "added")


def _strict() -> ConfigDict:
    return ConfigDict(extra="forbid", str_strip_whitespace=True)


class Education(BaseModel):
    model_config = _strict()

    kind: EducationKind
    title: str = Field(min_length=1)
    place: str | None = None
    year: int | None = Field(default=None, ge=1950, le=2100)


class MentorProfile(BaseModel):
    """Front matter of `content/mentors/<slug>.md`; the Markdown body is the bio."""

    model_config = _strict()

    name: str = Field(min_length=1, description="display name")
    lang: Literal["fr", "en"] = Field(description="language the profile is written in")
    occupation: str = Field(min_length=1, description="job title")
    noc: str | None = Field(
        default=None,
        description="NOC 2021 (CNP 2021) unit group, 5 digits (`data/occupations.yaml`), "
        'quoted: `"72200"`; the profile shows its official title',
    )
    sector: str = Field(description="sector code (`data/sectors.yaml`)")
    region: str = Field(description='region code (`data/regions.yaml`), quoted: `"06"`')
    languages: list[str] = Field(min_length=1, description="language codes spoken")
    years_experience: int = Field(ge=0, le=60, description="0–60")
    education: list[Education] = Field(
        min_length=1,
        description="list of `{kind, title, place?, year?}`; kind: "
        + ", ".join(f"`{k}`" for k in EDUCATION_KINDS),
    )
    topics: list[str] = Field(min_length=1, description="what to ask about")
    photo: str | None = Field(
        default=None, description="`images/mentors/<slug>.jpg` (relative to `content/`)"
    )
    photo_alt: str | None = Field(
        default=None, description="alt text of the photo", json_schema_extra={"req": "if `photo`"}
    )
    accepting: bool = Field(description="accepts questions now")
    last_confirmed: dt.date = Field(
        description="older than `MENTOR_STALE_MONTHS` (12) → shown as not accepting"
    )
    added: dt.date = Field(description="newest mentors, feed")
    capacity: int | None = Field(
        default=None, ge=1, le=50, description="open threads at once (relay)"
    )

    @field_validator("region", mode="before")
    @classmethod
    def _unquoted_region(cls, value: object) -> object:
        """YAML reads an unquoted 06 as the number 6; accept it as the code it meant."""
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:02d}"
        return value

    @field_validator("noc", mode="before")
    @classmethod
    def _unquoted_noc(cls, value: object) -> object:
        """An unquoted 72200 is a number to YAML; accept it as the code it meant."""
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:05d}"
        return value


class EducationTitle(BaseModel):
    model_config = _strict()

    title: str = Field(min_length=1)
    place: str | None = None


class MentorTranslation(BaseModel):
    """Front matter of `content/mentors/<slug>.<lang>.md`: only what is translated."""

    model_config = _strict()

    lang: Literal["fr", "en"]
    translation_of: str = Field(min_length=1)
    occupation: str | None = Field(default=None, min_length=1)
    topics: list[str] | None = None
    education: list[EducationTitle] | None = None
    photo_alt: str | None = None


def _type_name(annotation: object) -> str:
    text = str(annotation).replace("typing.", "").replace("datetime.", "")
    text = text.replace("<class '", "").replace("'>", "").replace(" | None", "")
    text = text.replace("mentors.schema.Education", "object")
    if text.startswith("Literal["):
        text = " or ".join(f"`{v.strip(chr(39))}`" for v in text[8:-1].split(", "))
    return text


def fields_table() -> str:
    """The Markdown table of profile fields, as published in docs/architecture.md."""
    rows = ["| field | type | required | notes |", "|---|---|---|---|"]
    for name, info in MentorProfile.model_fields.items():
        extra = info.json_schema_extra or {}
        required = extra.get("req") or ("yes" if info.is_required() else "no")
        type_name = _type_name(info.annotation).replace("|", "\\|")
        rows.append(f"| `{name}` | {type_name} | {required} | {info.description or ''} |")
    return "\n".join(rows)
