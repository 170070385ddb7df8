"""The e-mails of the two loops that bring people back: a mentor applicant's confirmation link,
and a mentee's link to all their conversations (templates mail/application_confirm.* and
mail/threads_link.*, strings in the theme's catalogs)."""

from __future__ import annotations

from email.message import EmailMessage

from .. import presentation
from .compose import _message


def _mail(template: str, *, sender: str, to: str, lang: str, site_url: str, **ctx) -> EmailMessage:
    lang = presentation.lang_of(lang)
    subject, text, html = presentation.render_mail(template, lang, site_url=site_url, **ctx)
    return _message(sender=sender, to=to, subject=subject, text=text, html=html, lang=lang)


def application_confirmation(
    *, sender: str, to: str, lang: str, name: str, link: str, site_url: str
) -> EmailMessage:
    """Asks the applicant to prove the address; the application then waits for an editor."""
    return _mail("application_confirm", sender=sender, to=to, lang=lang, site_url=site_url,
                 applicant=name, link=link)  # fmt: skip


def threads_link(*, sender: str, to: str, lang: str, link: str, site_url: str) -> EmailMessage:
    """One link to every conversation of this address; it says nothing of who they are with."""
    return _mail("threads_link", sender=sender, to=to, lang=lang, site_url=site_url, link=link,
                 days=7)  # fmt: skip
