"""Pelican plugin: the mentor content type, bilingual templates, feeds, sitemap, relay manifest."""

from __future__ import annotations

import logging
import os

from pelican import signals

from .i18n import Catalogs, install
from .incremental import template_cache

# Importing pelican makes every logger created afterwards drop repeated messages
# (pelican.log installs its own logger class globally). The relay shares the
# process in `make serve` and in tests: give everyone else the standard class back.
logging.setLoggerClass(logging.Logger)

DEFAULTS = {
    "MENTOR_STALE_MONTHS": 12,
    "MENTOR_TODAY": None,
    "MENTORS_PER_PAGE": 24,
    "ARTICLES_PER_PAGE": 10,
    "MENTOR_DEFAULT_CAPACITY": 3,
    "RELAY_URL": "",
    "PREVIEW_URL": "http://127.0.0.1:8000",
}


def _defaults(pelican) -> None:
    settings = pelican.settings
    for key, value in DEFAULTS.items():
        settings.setdefault(key, value)
    settings.setdefault("MENTORS_DATA_DIR", os.path.join(settings["PATH"], os.pardir, "data"))
    settings.setdefault("THEME_TRANSLATIONS", os.path.join(settings["THEME"], "translations"))


def _i18n(generator) -> None:
    settings = generator.settings
    translations = settings.get("THEME_TRANSLATIONS") or os.path.join(
        settings["THEME"], "translations"
    )
    install(generator.env, Catalogs(translations, settings.get("DEFAULT_LANG", "fr")))
    generator.env.bytecode_cache = template_cache(settings)  # overlays share it


def _generators(pelican):
    from .generator import MentorsGenerator

    return MentorsGenerator


def _writer(pelican):
    from .writer import SiteWriter

    return SiteWriter


def register() -> None:
    signals.initialized.connect(_defaults)
    signals.generator_init.connect(_i18n)
    signals.get_generators.connect(_generators)
    signals.get_writer.connect(_writer)
