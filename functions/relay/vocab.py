"""The bilingual vocabularies the relay shows (data/*.yaml, the single source of truth)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

REPOSITORY_DATA = Path(__file__).resolve().parents[2] / "data"
_where = {"dir": REPOSITORY_DATA}


def use(folder: Path) -> None:
    """Read the vocabularies from `folder` (the container passes PASSERELLE_VOCAB_DIR: Lambda's
    packaged data/). The files are the same everywhere, so this is process-wide."""
    if Path(folder) != _where["dir"]:
        _where["dir"] = Path(folder)
        _load.cache_clear()


def data_dir() -> Path:
    """data/ of the repository, or the packaged copy the container pointed to."""
    return _where["dir"]


@lru_cache(maxsize=16)
def _load(name: str) -> tuple[dict, ...]:
    path = data_dir() / f"{name}.yaml"
    with path.open(encoding="utf-8") as handle:
        return tuple(yaml.safe_load(handle) or ())


def entries(name: str) -> tuple[dict, ...]:
    """A vocabulary's entries as its file writes them (code, slug, names...)."""
    return _load(name)


def labels(name: str, lang: str) -> list[tuple[str, str]]:
    """(code, name in `lang`) pairs of a vocabulary, in file order."""
    return [(str(item["code"]), str(item.get(lang) or item["fr"])) for item in _load(name)]


def codes(name: str) -> list[str]:
    """The codes of a vocabulary, in file order (a closed set: validation and the API's enums)."""
    return [str(item["code"]) for item in _load(name)]


def label(name: str, code: str, lang: str) -> str:
    return dict(labels(name, lang)).get(code, code)
