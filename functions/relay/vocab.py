"""The bilingual vocabularies the relay shows (data/*.yaml, the single source of truth)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import yaml


def data_dir() -> Path:
    """data/ of the repository; on Lambda it is packaged next to the code (PASSERELLE_VOCAB_DIR)."""
    configured = os.environ.get("PASSERELLE_VOCAB_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "data"


@lru_cache(maxsize=16)
def _load(name: str) -> tuple[dict, ...]:
    path = data_dir() / f"{name}.yaml"
    with path.open(encoding="utf-8") as handle:
        return tuple(yaml.safe_load(handle) or ())


def labels(name: str, lang: str) -> list[tuple[str, str]]:
    """(code, name in `lang`) pairs of a vocabulary, in file order."""
    return [(str(item["code"]), str(item.get(lang) or item["fr"])) for item in _load(name)]


def label(name: str, code: str, lang: str) -> str:
    return dict(labels(name, lang)).get(code, code)
