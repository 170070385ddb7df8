"""Site URLs from the engine's paths, as the theme's filters (`site_url`, `srcset`).

Shared by the site build and the relay (`functions/relay/links.py` is this file):
both render the theme's templates. Filters rather than macros: a profile page
asks for five URLs, and a Jinja macro call costs several times a function's.
"""

from __future__ import annotations

from jinja2 import pass_context

ABSOLUTE = ("http://", "https://", "/")


def site_url(siteurl: str, path: str) -> str:
    """A root-relative path from the engine under `siteurl`; absolute ones pass through."""
    path = str(path)
    return path if path.startswith(ABSOLUTE) else f"{siteurl}/{path}"


@pass_context
def site_url_filter(ctx, path: str) -> str:
    return site_url(ctx.get("SITEURL") or "", path)


@pass_context
def srcset_filter(ctx, value: str) -> str:
    """Each candidate of a `srcset` ("path 320w, path 640w") under the site's URL."""
    siteurl = ctx.get("SITEURL") or ""
    return ", ".join(site_url(siteurl, entry.strip()) for entry in str(value).split(","))


FILTERS = {"site_url": site_url_filter, "srcset": srcset_filter}
