"""Pelican's writer, giving pages it writes (articles, pages, other plugins') the common context."""

from __future__ import annotations

from pelican.writers import Writer


class SiteWriter(Writer):
    def write_file(self, name, template, context, *args, **kwargs):
        site = context.get("passerelle")
        if site is not None and name:
            kwargs = {**site.for_written(name, kwargs), **kwargs}
            site.state.new_written.add(name)
        return super().write_file(name, template, context, *args, **kwargs)
