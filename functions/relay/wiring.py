"""Builds the relay from its configuration: adapters chosen by settings, one app per process."""

from __future__ import annotations

from dataclasses import replace

from .config import Settings
from .mail import open_mailer
from .manifest import ManifestSource
from .questions import Questions
from .store import open_store


def build_questions(settings: Settings | None = None, **overrides) -> Questions:
    settings = settings or Settings.from_env()
    if overrides:
        settings = replace(settings, **overrides)
    return Questions(
        store=open_store(settings),
        mailer=open_mailer(settings),
        manifest=ManifestSource(settings.manifest),
        settings=settings,
    )


def build_app(settings: Settings | None = None, **overrides):
    from .api.app import create_app

    return create_app(build_questions(settings, **overrides))
