"""Settings and adapters of the relay on Lambda, resolved at run time.

The link-signing secret comes from Secrets Manager and the site's origin from
an SSM parameter (CloudFront's domain exists only after the stack made it),
both through Powertools Parameters, cached for `CACHE_SECONDS` per container:
nothing secret sits in the function's configuration.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from aws_lambda_powertools.utilities import parameters

from .. import container
from ..config import Settings
from ..store import open_store
from .observability import MeteredStore
from .suppression import SuppressingMailer

CACHE_SECONDS = 300


class MissingSetting(RuntimeError):
    """The function's environment lacks what template.yaml gives it; the message names it."""


def settings(env: Mapping[str, str] | None = None) -> Settings:
    """The function's settings; with `container.settings_from_env`, the only reader of its env."""
    env = dict(os.environ if env is None else env)
    secret_arn = env.get("PASSERELLE_SECRET_ARN", "")
    if secret_arn:
        env["PASSERELLE_SECRET"] = parameters.get_secret(secret_arn, max_age=CACHE_SECONDS)
    origin_name = env.get("PASSERELLE_SITE_URL_PARAMETER", "")
    if origin_name:
        env["PASSERELLE_SITE_URL"] = parameters.get_parameter(origin_name, max_age=CACHE_SECONDS)
    if not env.get("PASSERELLE_SECRET"):
        raise MissingSetting("PASSERELLE_SECRET_ARN (or PASSERELLE_SECRET) must be set")
    return container.settings_from_env(env)


def mailer(settings: Settings, store, env: Mapping[str, str] | None = None):
    from ..mail.ses import SesMailer

    env = os.environ if env is None else env
    ses = SesMailer(configuration_set=env.get("PASSERELLE_SES_CONFIGURATION_SET") or None)
    return SuppressingMailer(ses, store, settings.secret)


def relay(settings: Settings) -> container.Relay:
    """The Lambda flavour of the composition root: a metered store, SES behind the suppression
    list."""
    store = MeteredStore(open_store(settings))
    return container.build(settings, store=store, mailer=mailer(settings, store))
