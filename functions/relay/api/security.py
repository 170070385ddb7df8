"""Headers every answer of the relay carries, whichever route (or none) answered.

The Content-Security-Policy allows scripts, styles, images, fonts and the scripts' calls from
the relay's own origin and the site's (the theme's files), never an inline script or event
handler; a page that the relay writes with an inline `<style>` gets that exact style allowed by its
hash. No page may frame the relay's (clickjacking); no URL (a link's token) leaks as a
referrer.
"""

from __future__ import annotations

import base64
import hashlib
import re

from ..config import Settings

INLINE_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def _sources(settings: Settings) -> str:
    return " ".join(dict.fromkeys(["'self'", *settings.origins]))


def policy(settings: Settings, html: str = "") -> str:
    """The Content-Security-Policy of an answer (`html`: its body, when it is a page)."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode()
        + "'"
        for style in dict.fromkeys(INLINE_STYLE.findall(html))
    ]  # fmt: skip
    own = _sources(settings)
    return "; ".join([
        "default-src 'none'", f"script-src {own}", " ".join([f"style-src {own}", *hashes]),
        f"img-src {own} data:", f"font-src {own}", f"connect-src {own}", f"form-action {own}",
        "base-uri 'none'", "frame-ancestors 'none'",
    ])  # fmt: skip


def headers(settings: Settings, content_type: str, body: str) -> dict[str, str]:
    html = body if content_type.startswith("text/html") else ""
    return {
        "Content-Security-Policy": policy(settings, html),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
    }


class Headers:
    """`add` for one relay's settings: what is the same for every answer but a page (its
    inline styles' hashes) is worked out once, not per request."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.plain = tuple(headers(settings, "", "").items())

    def add(self, result: dict) -> dict:
        """Add the headers to a resolver's answer (an API Gateway v2 result), keeping a
        route's own."""
        given = result.get("headers") or {}
        result["headers"] = given
        present = {name.lower(): name for name in given}
        kind = str(given.get(present.get("content-type", ""), ""))
        body = "" if result.get("isBase64Encoded") else result.get("body") or ""
        if kind.startswith("text/html") and INLINE_STYLE.search(body):
            extra = headers(self.settings, kind, body).items()
        else:  # no inline style: the policy every answer gets
            extra = self.plain
        for name, value in extra:
            if name.lower() not in present:
                given[name] = value
        return result
