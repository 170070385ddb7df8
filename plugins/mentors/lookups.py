"""`obj.name` in the build's templates: a plain dict's key read without a failed attribute
lookup first.

Jinja reads `step.year` as the attribute `year`, else the item: for a dict, an
AttributeError raised and caught before each key is read (about twenty a profile
page: education steps, photos, URLs). A plain dict has no attribute but its type's
methods, so the same answer comes from the key itself; any other object goes
through Jinja's own lookup. The build's language environments use it
(`mentors.i18n.language_environment`).
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

_DICT_ATTRIBUTES = frozenset(dir(dict))


def read_attribute(environment: Environment, obj: Any, attribute: str) -> Any:
    """What Jinja's `Environment.getattr` gives, in fewer steps for a plain dict."""
    if obj.__class__ is dict and attribute not in _DICT_ATTRIBUTES:
        try:
            return obj[attribute]
        except KeyError:
            return environment.undefined(obj=obj, name=attribute)
    return Environment.getattr(environment, obj, attribute)
