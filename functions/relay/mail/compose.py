"""Builds the relay's e-mails (plain text + HTML) in the recipient's language.

Headers only ever hold fixed texts, our own sender and the recipient's
address; the `strict` policy refuses any CR/LF in a header, so a header
injection cannot be built. Pseudonyms and message texts never go in headers.
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from html import escape

STRICT = policy.SMTP.clone(raise_on_defect=True)

TEXTS = {
    "confirm": {
        "fr": {
            "subject": "Confirmez votre adresse pour envoyer votre question",
            "intro": "Bonjour,\n\nVous avez posé une question à {mentor} sur Passerelle.",
            "action": "Pour l'envoyer en modération, confirmez votre adresse courriel :",
            "button": "Confirmer mon adresse",
            "outro": (
                "Ce lien expire dans 72 heures. Sans confirmation, la question est effacée.\n"
                "Votre adresse ne sera jamais montrée à la personne mentore.\n"
                "Si vous n'avez rien demandé, ignorez ce message."
            ),
        },
        "en": {
            "subject": "Confirm your address to send your question",
            "intro": "Hello,\n\nYou asked {mentor} a question on Passerelle.",
            "action": "To send it to moderation, please confirm your e-mail address:",
            "button": "Confirm my address",
            "outro": (
                "This link expires in 72 hours. Without confirmation, the question is deleted.\n"
                "Your address will never be shown to the mentor.\n"
                "If you did not ask anything, ignore this message."
            ),
        },
    },
}


def _lang(lang: str) -> str:
    return lang if lang in ("fr", "en") else "fr"


def _message(*, sender: str, to: str, subject: str, text: str, html: str, lang: str):
    msg = EmailMessage(policy=STRICT)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text, cte="quoted-printable")
    msg.add_alternative(html, subtype="html", cte="quoted-printable")
    msg["Content-Language"] = lang
    return msg


def _html(lang: str, paragraphs: list[str], link: str, button: str) -> str:
    body = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs[:-1])
    last = escape(paragraphs[-1]).replace("\n", "<br>")
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"></head>'
        f'<body style="font-family:sans-serif;line-height:1.5">{body}'
        f'<p><a href="{escape(link)}">{escape(button)}</a></p><p>{last}</p></body></html>'
    )


def confirmation(*, sender: str, to: str, lang: str, mentor_name: str, link: str) -> EmailMessage:
    """Asks the mentee to prove the address before the question enters the queue."""
    lang = _lang(lang)
    t = TEXTS["confirm"][lang]
    intro = t["intro"].format(mentor=mentor_name)
    text = f"{intro}\n\n{t['action']}\n{link}\n\n{t['outro']}\n\n— Passerelle\n"
    html = _html(lang, [intro, t["action"], t["outro"]], link, t["button"])
    return _message(sender=sender, to=to, subject=t["subject"], text=text, html=html, lang=lang)
