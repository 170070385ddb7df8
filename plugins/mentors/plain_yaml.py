"""The plain YAML front matter is written in, read without PyYAML's constructor.

Front matter is block mappings and sequences of one-line scalars. PyYAML's C
parser still builds every value through Python: 2 s of a 10,000-mentor build,
where this reader takes a fifth of it. It reads only that plain shape; anything
else (flow style, multi-line or escaped scalars, anchors, tags, comments after
a value, tabs, odd line breaks) is `NOT_PLAIN`, and the caller gives the text to
PyYAML, which reads it or reports the error with its line. A scalar's type and
value come from PyYAML's own resolver and constructors, so a date stays a date
and `06` the integer 6 (tests/test_plain_yaml.py compares both readers on
random documents).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

NOT_PLAIN = object()
_STR = "tag:yaml.org,2002:str"
_TYPED = {f"tag:yaml.org,2002:{name}" for name in ("bool", "int", "float", "null", "timestamp")}
# Printable for YAML and not a line break of its own (\r, \x85, \u2028, \u2029), nor a BOM.
_ODD = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?")
# What a plain scalar may not start with: YAML's indicators.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


class _NotPlain(Exception):
    pass


class PlainReader:
    """`load(text)`: the front matter's value, or NOT_PLAIN. Scalars are typed by
    `constructors` (a loader class's table), as that loader would."""

    def __init__(self, constructors: dict) -> None:
        self._constructors = constructors
        self._resolver = yaml.resolver.Resolver()
        self._constructor = yaml.constructor.SafeConstructor()
        # Scalars already read, by their text: most keys and many values recur, and every
        # value PyYAML makes of a one-line scalar (str, int, date...) is immutable.
        self._known: dict[str, Any] = {}

    def load(self, text: str) -> Any:
        if _ODD.search(text):
            return NOT_PLAIN
        lines = []
        for raw in text.split("\n"):
            line = raw.rstrip(" ")
            content = line.lstrip(" ")
            if content and content[0] != "#":
                lines.append((len(line) - len(content), content))
        if not lines:
            return None
        try:
            if lines[0][0] != 0 or lines[0][1].startswith("- "):
                raise _NotPlain
            value, end = self._mapping(lines, 0, 0)
            if end != len(lines):
                raise _NotPlain
        except _NotPlain:
            return NOT_PLAIN
        return value

    def _mapping(self, lines: list, i: int, indent: int) -> tuple[dict, int]:
        result: dict = {}
        while i < len(lines) and lines[i][0] == indent:
            match = _KEY.fullmatch(lines[i][1])
            if match is None:
                raise _NotPlain
            key = match[1]
            if not isinstance(self._scalar(key), str):
                raise _NotPlain  # `yes:`, `null:`: keys PyYAML makes something else
            i += 1
            if match[2]:
                result[key] = self._scalar(match[2])
            elif i < len(lines) and lines[i][0] > indent:
                result[key], i = self._block(lines, i)
            elif i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
                result[key], i = self._sequence(lines, i, indent)
            else:
                result[key] = self._scalar("")
        if i < len(lines) and lines[i][0] > indent:
            raise _NotPlain  # a line more indented than the one before it allows
        return result, i

    def _block(self, lines: list, i: int) -> tuple[Any, int]:
        indent, content = lines[i]
        if content.startswith("- "):
            return self._sequence(lines, i, indent)
        return self._mapping(lines, i, indent)

    def _sequence(self, lines: list, i: int, indent: int) -> tuple[list, int]:
        items = []
        while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
            content = lines[i][1][2:].lstrip(" ")
            if _KEY.fullmatch(content):  # an item that is a mapping, from its first key
                column = indent + len(lines[i][1]) - len(content)
                lines[i] = (column, content)
                item, i = self._mapping(lines, i, column)
            else:
                item = self._scalar(content)
                i += 1
            items.append(item)
        return items, i  # a line more indented after it: the mapping around it refuses

    def _scalar(self, text: str) -> Any:
        value = self._known.get(text, NOT_PLAIN)
        if value is NOT_PLAIN:
            value = self._read_scalar(text)
            if len(self._known) > 20_000:
                self._known.clear()
            self._known[text] = value
        return value

    def _read_scalar(self, text: str) -> Any:
        if text[:1] in ('"', "'"):
            quote, inner = text[0], text[1:-1]
            if len(text) < 2 or text[-1] != quote or quote in inner or "\\" in inner:
                raise _NotPlain
            return inner
        if text[:1] in _INDICATORS or ": " in text or " #" in text or text.endswith(":"):
            raise _NotPlain
        tag = self._resolver.resolve(yaml.ScalarNode, text, (True, False))
        if tag == _STR:
            return text
        if tag not in _TYPED:
            raise _NotPlain  # `=` and `<<`: tags PyYAML resolves but cannot make
        return self._constructors[tag](self._constructor, yaml.ScalarNode(tag, text))
