"""Markdown files with YAML front matter, read fast, with line numbers when something is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from .plain_yaml import NOT_PLAIN, PlainReader

DELIMITER = "---"


class _Loader(yaml.CSafeLoader):
    """Safe YAML where an impossible date (2026-13-45) stays text, for a precise error later."""


def _timestamp(loader: _Loader, node: yaml.Node):
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_plain = PlainReader(_Loader.yaml_constructors)


class FrontMatterError(ValueError):
    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(message)


@dataclass
class Document:
    meta: dict[str, Any]
    body: str
    yaml_text: str

    def line_of(self, loc: tuple[Any, ...] = ()) -> int:
        """File line of the value at `loc` (keys and list indexes); the closest parent if absent."""
        node = yaml.compose(self.yaml_text, Loader=yaml.CSafeLoader)
        line = 1
        for part in loc:
            if node is None:
                break
            child = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if key.value == str(part):
                        line = key.start_mark.line + 2
                        child = value
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and (0 <= part < len(node.value))
            ):
                child = node.value[part]
                line = child.start_mark.line + 2
            node = child
        return line


def parse(text: str) -> Document:
    """Split front matter from body; errors carry the file line they are about."""
    text = text.lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].strip() != DELIMITER:
        raise FrontMatterError(1, "the file must start with a '---' line opening the front matter")
    for index in range(1, len(lines)):
        if lines[index].strip() == DELIMITER:
            break
    else:
        raise FrontMatterError(1, "the front matter is not closed by a '---' line")
    yaml_text = "\n".join(lines[1:index])
    meta = _plain.load(yaml_text)
    if meta is NOT_PLAIN:
        meta = _load(yaml_text)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError(2, "the front matter must be a mapping of 'field: value' lines")
    return Document(meta=meta, body="\n".join(lines[index + 1 :]), yaml_text=yaml_text)


def _load(yaml_text: str) -> Any:
    try:
        return yaml.load(yaml_text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        raise FrontMatterError(line, f"invalid YAML: {getattr(exc, 'problem', exc)}") from None
