"""Pelican's writer, giving pages it writes (articles, pages, other plugins') the common context."""

from __future__ import annotations

import os

from pelican.writers import Writer

from .incremental import replace_file


class SiteWriter(Writer):
    def write_file(self, name, template, context, *args, **kwargs):
        site = context.get("passerelle")
        if site is not None and name:
            kwargs = {**site.for_written(name, kwargs), **kwargs}
            site.state.new_written.add(name)
        if name:  # the staging folder may hard-link the previous output: never write into it
            replace_file(os.path.join(self.output_path, name))
        return super().write_file(name, template, context, *args, **kwargs)
