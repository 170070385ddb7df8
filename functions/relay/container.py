"""The composition root: settings, clock, store, mailer, manifest and every service, built once.

The Lambda handler, the local server, the CLI, the bench and the tests all
get their relay from here; nothing below reads the environment or builds a
service of its own. `from_env()` is the only reader of `os.environ`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from . import vocab
from .auth import Authenticator
from .config import Settings
from .domain import utcnow
from .mail import open_mailer
from .manifest import ManifestSource
from .ports import Clock, Mailer, Store
from .services.applications import Applications
from .services.availability import AvailabilityMap
from .services.conversations import Conversations
from .services.delivery import Delivery, Wakeup
from .services.links import Links
from .services.maintenance import Background, Maintenance
from .services.mentee_threads import MenteeThreads
from .services.moderation import Moderation
from .services.postman import Postman
from .services.questions import Questions
from .store import open_store


def _screen(text: str, context=()):
    from .screening import screen  # imported on first use: the vocabulary loads once

    return screen(text, context=context)


@dataclass
class Relay:
    """Everything the relay is made of; `resolver()` is the calling thread's own HTTP app."""

    settings: Settings
    clock: Clock
    store: Store
    mailer: Mailer
    manifest: ManifestSource
    links: Links
    wakeup: Wakeup
    authenticator: Authenticator
    questions: Questions
    moderation: Moderation
    conversations: Conversations
    postman: Postman
    delivery: Delivery
    maintenance: Maintenance
    availability: AvailabilityMap
    applications: Applications
    mentee_threads: MenteeThreads
    _local: threading.local = field(default_factory=threading.local, repr=False)

    def resolver(self):
        """This thread's Powertools resolver (per-request state stays per thread)."""
        app = getattr(self._local, "app", None)
        if app is None:
            from .api.app import create_app

            app = self._local.app = create_app(self)
        return app

    def resolve(self, event: dict, context=None) -> dict:
        return self.resolver().resolve(event, context)

    def background(self, every: float = 5.0) -> Background:
        """The maintenance loop of `make serve`, woken when a request queues an e-mail."""
        return Background(self.maintenance, self.wakeup, every=every)

    def now(self) -> datetime:
        return self.clock()

    def close(self) -> None:
        closer = getattr(self.store, "close", None)
        if closer is not None:
            closer()


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    store: Store | None = None,
    mailer: Mailer | None = None,
    manifest: ManifestSource | None = None,
    owner: str | None = None,
) -> Relay:
    """Wire the relay from its settings; any part may be given instead (tests: clock, mailer)."""
    clock = clock or utcnow
    if settings.vocab_dir is not None:
        vocab.use(settings.vocab_dir)
    store = store or open_store(settings)
    mailer = mailer or open_mailer(settings)
    manifest = manifest or ManifestSource(settings.manifest)
    links = Links(settings)
    wakeup = Wakeup()
    postman = Postman(store, settings, manifest, links)
    delivery = Delivery(store, mailer, postman, clock, owner=owner)
    return Relay(
        settings=settings,
        clock=clock,
        store=store,
        mailer=mailer,
        manifest=manifest,
        links=links,
        wakeup=wakeup,
        authenticator=Authenticator(settings.moderator_tokens),
        questions=Questions(store, manifest, settings, links, clock, _screen, wakeup.ring),
        moderation=Moderation(store, settings, clock, wakeup.ring),
        conversations=Conversations(store, mailer, manifest, settings, links, clock, _screen),
        postman=postman,
        delivery=delivery,
        maintenance=Maintenance(store, delivery, settings, clock),
        availability=AvailabilityMap(store, manifest, settings, clock),
        applications=Applications(store, settings, links, clock, _screen, wakeup.ring),
        mentee_threads=MenteeThreads(store, manifest, settings, links, clock, wakeup.ring),
    )


def settings_from_env(env: Mapping[str, str] | None = None, **defaults: str) -> Settings:
    """Settings from the environment; `defaults` fill what it does not say (PASSERELLE_* names)."""
    source = dict(os.environ if env is None else env)
    for name, value in defaults.items():
        source.setdefault(name, value)
    return Settings.from_env(source)


def from_env(env: Mapping[str, str] | None = None, **overrides) -> Relay:
    """The relay as the environment configures it (Lambda, `make serve`, the CLI)."""
    settings = settings_from_env(env)
    if overrides:
        settings = replace(settings, **overrides)
    return build(settings)
