"""Machine-readable outputs: Atom feeds, sitemap.xml with hreflang, the relay's manifest."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from feedgenerator import Atom1Feed

from .incremental import write_atomic


def _aware(value: dt.date | dt.datetime) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def write_feed(
    out: Path,
    url: str,
    *,
    title: str,
    site_url: str,
    link: str,
    lang: str,
    entries: list[dict[str, Any]],
) -> None:
    """The Atom feed at `url` (site-relative) under `out`; each entry has title, url, date, summary.

    Every link is absolute from `site_url`: a feed reader has no page to resolve it against.
    """
    path = out / url
    feed = Atom1Feed(
        title=title,
        link=f"{site_url}/{link}",
        feed_url=f"{site_url}/{url}",
        description="",
        language=lang,
    )
    for entry in entries:
        feed.add_item(
            title=entry["title"],
            link=f"{site_url}/{entry['url']}",
            unique_id=f"{site_url}/{entry['url']}",
            description=entry.get("summary") or "",
            pubdate=_aware(entry["date"]),
            updateddate=_aware(entry["date"]),
        )
    write_atomic(path, feed.writeString("utf-8"))


class Sitemap:
    """Every page once, with its other-language versions as hreflang alternates."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, str]] = {}

    def add(self, url: str, alternates: dict[str, str]) -> None:
        self.entries[url] = alternates

    def write(self, path: Path, site_url: str) -> None:
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:xhtml="http://www.w3.org/1999/xhtml">',
        ]
        for url, alternates in sorted(self.entries.items()):
            out.append(f"<url><loc>{escape(f'{site_url}/{url}')}</loc>")
            if len(alternates) > 1:
                for lang, other in sorted(alternates.items()):
                    href = quoteattr(f"{site_url}/{other}")
                    out.append(f'<xhtml:link rel="alternate" hreflang="{lang}" href={href}/>')
            out.append("</url>")
        out.append("</urlset>\n")
        write_atomic(path, "\n".join(out))


def write_manifest(path: Path, mentors: dict[str, dict[str, Any]], regions, situations) -> None:
    """output/relay/mentors.json: what the relay needs about each mentor, nothing private."""
    data = {
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "mentors": mentors,
        "regions": list(regions),
        "situations": list(situations),
    }
    write_atomic(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))  # C encoder
