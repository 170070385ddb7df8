"""Builds a relay e-mail (plain text + HTML) from its templates (relay.presentation).

Headers only ever hold the subject (a fixed text of the catalogs), our own sender
and the recipient's address; the `strict` policy refuses any CR/LF in a header,
so a header injection cannot be built. Pseudonyms and message texts go only in
the bodies, escaped in HTML.
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage

from ..presentation import lang_of, render_mail

STRICT = policy.SMTP.clone(raise_on_defect=True)


def email(*, sender: str, to: str, lang: str, name: str, site_url: str, **ctx) -> EmailMessage:
    """The e-mail `templates/mail/<name>` in `lang` to `to`."""
    lang = lang_of(lang)
    subject, text, html = render_mail(name, lang, site_url=site_url, **ctx)
    msg = EmailMessage(policy=STRICT)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text, cte="quoted-printable")
    msg.add_alternative(html, subtype="html", cte="quoted-printable")
    msg["Content-Language"] = lang
    return msg
