"""Where to get help now in Québec, for the author of a message about self-harm or abuse.

The services and their numbers live in data/help_resources.yaml (looked up beside
data/screening.yaml), read once; a missing or malformed file raises ScreeningDataError
naming the field, like the vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .rules import ScreeningDataError, data_path

FILE_NAME = "help_resources.yaml"
LANGS = ("fr", "en")


@dataclass(frozen=True)
class Resource:
    """One service, in one language."""

    code: str
    name: str
    how: str
    call: str | None
    call_label: str | None
    text: str | None
    text_label: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "code": self.code, "name": self.name, "how": self.how,
            "call": self.call, "call_label": self.call_label,
            "text": self.text, "text_label": self.text_label,
        }  # fmt: skip


def resources_path() -> Path:
    return data_path().with_name(FILE_NAME)


def load_resources(path: Path | None = None) -> dict[str, tuple[Resource, ...]]:
    """{lang: resources in the file's order}."""
    path = Path(path) if path else resources_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScreeningDataError(f"{path}: not found") from None
    except yaml.YAMLError as error:
        raise ScreeningDataError(f"{path}: not valid YAML: {error}") from None
    entries = raw.get("resources") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ScreeningDataError(f"{path}: resources: must be a non-empty list")
    result: dict[str, list[Resource]] = {lang: [] for lang in LANGS}
    for index, entry in enumerate(entries):
        field = f"resources[{index}]"
        if not isinstance(entry, dict) or not str(entry.get("code") or "").strip():
            raise ScreeningDataError(f"{path}: {field}.code: must be a non-empty text")
        numbers = {}
        for key in ("call", "text"):
            value = entry.get(key)
            if value is not None and not (isinstance(value, str) and value.isdigit()):
                raise ScreeningDataError(f"{path}: {field}.{key}: must be figures, quoted")
            label = entry.get(f"{key}_label")
            if (value is None) != (label is None):
                raise ScreeningDataError(f"{path}: {field}.{key}_label: goes with {key}")
            numbers[key], numbers[f"{key}_label"] = value, label
        for lang in LANGS:
            texts = {}
            for key in ("name", "how"):
                names = entry.get(key)
                value = names.get(lang) if isinstance(names, dict) else None
                if not isinstance(value, str) or not value.strip():
                    raise ScreeningDataError(f"{path}: {field}.{key}.{lang}: must be a text")
                texts[key] = value.strip()
            result[lang].append(Resource(code=str(entry["code"]), **texts, **numbers))
    return {lang: tuple(items) for lang, items in result.items()}


@lru_cache(maxsize=1)
def _default() -> dict[str, tuple[Resource, ...]]:
    return load_resources()


def help_resources(lang: str) -> tuple[Resource, ...]:
    """The services to show, in `lang` ("fr" for anything but "en")."""
    return _default()["en" if lang == "en" else "fr"]
