"""The e-mails of a conversation: a message for the mentor, an answer for the mentee, a notice
that the mentee's message was passed on, a refusal.

Built with the helpers of compose.py (text + HTML, strict headers). Subjects are
fixed texts; pseudonyms and message texts go only in the bodies, escaped in
HTML. The mentor's e-mail never holds the mentee's address: the mentee is
only a pseudonym, an age band and a region.
"""

from __future__ import annotations

from email.message import EmailMessage
from html import escape

from .compose import _lang, _message

AGE_BANDS = {
    "minor": {"fr": "14 à 17 ans", "en": "aged 14 to 17"},
    "adult": {"fr": "18 à 30 ans", "en": "aged 18 to 30"},
}

TEXTS = {
    "fr": {
        "question_subject": "Une nouvelle question pour vous sur Passerelle",
        "message_subject": "Un nouveau message dans votre conversation Passerelle",
        "answer_subject": "Vous avez reçu une réponse sur Passerelle",
        "rejected_subject": "Votre message n'a pas été transmis",
        "hello": "Bonjour {name},",
        "hello_plain": "Bonjour,",
        "question_intro": "{pseudonym} ({age}, région : {region}) vous pose une question :",
        "message_intro": "{pseudonym} ({age}, région : {region}) vous a écrit :",
        "minor_note": (
            "Cette personne est mineure. Comme tous les messages, votre réponse sera relue "
            "par notre équipe avant de lui être transmise."
        ),
        "answer_action": "Pour lire la conversation et répondre sur le site :",
        "answer_button": "Répondre sur Passerelle",
        "link_expires": "Ce lien est personnel et expire dans {days} jours.",
        "pause_action": "Trop de questions en ce moment? Mettez-vous en pause en un clic :",
        "pause_button": "Me mettre en pause",
        "answer_intro": "{mentor} vous a répondu :",
        "mentee_action": "Pour lire toute la conversation, répondre ou l'effacer :",
        "mentee_button": "Ouvrir la conversation",
        "rejected_intro": "Votre message n'a pas été transmis, pour la raison suivante :",
        "rejected_action": "Vous pouvez écrire un nouveau message depuis la conversation :",
        "no_reply": "Ne répondez pas à ce courriel : les échanges passent par le site.",
        "passed_subject": "Votre message a été transmis",
        "passed_intro": (
            "Bonne nouvelle : notre équipe a relu votre message et l'a transmis à {mentor}. "
            "Vous recevrez un courriel dès qu'une réponse arrivera."
        ),
    },
    "en": {
        "question_subject": "A new question for you on Passerelle",
        "message_subject": "A new message in your Passerelle conversation",
        "answer_subject": "You have an answer on Passerelle",
        "rejected_subject": "Your message was not passed on",
        "hello": "Hello {name},",
        "hello_plain": "Hello,",
        "question_intro": "{pseudonym} ({age}, region: {region}) asks you a question:",
        "message_intro": "{pseudonym} ({age}, region: {region}) wrote to you:",
        "minor_note": (
            "This person is a minor. Like every message, your answer will be read by our team "
            "before it is passed on."
        ),
        "answer_action": "To read the conversation and answer on the site:",
        "answer_button": "Answer on Passerelle",
        "link_expires": "This link is personal and expires in {days} days.",
        "pause_action": "Too many questions right now? Pause yourself in one click:",
        "pause_button": "Pause me",
        "answer_intro": "{mentor} answered you:",
        "mentee_action": "To read the whole conversation, answer or erase it:",
        "mentee_button": "Open the conversation",
        "rejected_intro": "Your message was not passed on, for this reason:",
        "rejected_action": "You can write a new message from the conversation:",
        "no_reply": "Do not reply to this e-mail: conversations happen on the site.",
        "passed_subject": "Your message was passed on",
        "passed_intro": (
            "Good news: our team read your message and passed it on to {mentor}. "
            "You will get an e-mail as soon as an answer arrives."
        ),
    },
}


def _quote_text(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines() or [""])


def _quote_html(text: str) -> str:
    body = escape(text).replace("\n", "<br>")
    return (
        '<blockquote style="border-left:4px solid #ccc;margin:1em 0;padding:.25em 1em;'
        f'white-space:normal">{body}</blockquote>'
    )


def _para(text: str) -> str:
    return f"<p>{escape(text).replace(chr(10), '<br>')}</p>"


def _link(url: str, label: str) -> str:
    return f'<p><a href="{escape(url)}">{escape(label)}</a></p>'


def _page(lang: str, parts: list[str]) -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"></head>'
        f'<body style="font-family:sans-serif;line-height:1.5">{"".join(parts)}</body></html>'
    )


def for_mentor(
    *,
    sender: str,
    to: str,
    lang: str,
    mentor_name: str,
    pseudonym: str,
    age_band: str,
    region: str,
    text: str,
    first: bool,
    answer_link: str,
    pause_link: str,
    link_days: int,
) -> EmailMessage:
    """A question (first) or a follow-up from the mentee: who asks, the masked text, two links."""
    lang = _lang(lang)
    t = TEXTS[lang]
    age = AGE_BANDS.get(age_band, AGE_BANDS["adult"])[lang]
    intro = t["question_intro" if first else "message_intro"].format(
        pseudonym=pseudonym, age=age, region=region
    )
    hello = t["hello"].format(name=mentor_name)
    expires = t["link_expires"].format(days=link_days)
    minor = [t["minor_note"]] if age_band == "minor" else []
    plain = [hello, "", intro, "", _quote_text(text), ""]
    plain += [*minor, *([""] if minor else []), t["answer_action"], answer_link, expires, ""]
    plain += [t["pause_action"], pause_link, "", t["no_reply"], "", "— Passerelle", ""]
    html = _page(
        lang,
        [_para(hello), _para(intro), _quote_html(text), *map(_para, minor)]
        + [_para(t["answer_action"]), _link(answer_link, t["answer_button"]), _para(expires)]
        + [_para(t["pause_action"]), _link(pause_link, t["pause_button"]), _para(t["no_reply"])],
    )
    subject = t["question_subject" if first else "message_subject"]
    return _message(
        sender=sender, to=to, subject=subject, text="\n".join(plain), html=html, lang=lang
    )


def for_mentee(
    *,
    sender: str,
    to: str,
    lang: str,
    pseudonym: str,
    mentor_name: str,
    text: str,
    link: str,
    link_days: int,
) -> EmailMessage:
    """The mentor's approved answer and the link back to the whole conversation."""
    lang = _lang(lang)
    t = TEXTS[lang]
    hello = t["hello"].format(name=pseudonym) if pseudonym else t["hello_plain"]
    intro = t["answer_intro"].format(mentor=mentor_name)
    expires = t["link_expires"].format(days=link_days)
    plain = [hello, "", intro, "", _quote_text(text), "", t["mentee_action"], link, expires]
    plain += ["", t["no_reply"], "", "— Passerelle", ""]
    html = _page(
        lang,
        [_para(hello), _para(intro), _quote_html(text), _para(t["mentee_action"])]
        + [_link(link, t["mentee_button"]), _para(expires), _para(t["no_reply"])],
    )
    return _message(
        sender=sender, to=to, subject=t["answer_subject"], text="\n".join(plain), html=html,
        lang=lang,
    )  # fmt: skip


def rejected(
    *, sender: str, to: str, lang: str, reason: str, link: str | None, link_days: int
) -> EmailMessage:
    """Tells the author why a message was not passed on (a template, never a moderator's name)."""
    lang = _lang(lang)
    t = TEXTS[lang]
    plain = [t["hello_plain"], "", t["rejected_intro"], "", reason, ""]
    parts = [_para(t["hello_plain"]), _para(t["rejected_intro"]), _para(reason)]
    if link:
        expires = t["link_expires"].format(days=link_days)
        plain += [t["rejected_action"], link, expires, ""]
        parts += [_para(t["rejected_action"]), _link(link, t["mentee_button"]), _para(expires)]
    plain += [t["no_reply"], "", "— Passerelle", ""]
    parts.append(_para(t["no_reply"]))
    return _message(
        sender=sender, to=to, subject=t["rejected_subject"], text="\n".join(plain),
        html=_page(lang, parts), lang=lang,
    )  # fmt: skip


def passed_on(
    *, sender: str, to: str, lang: str, pseudonym: str, mentor_name: str, link: str,
    link_days: int,
) -> EmailMessage:  # fmt: skip
    """Tells the mentee their message went through moderation to the mentor (no text quoted)."""
    lang = _lang(lang)
    t = TEXTS[lang]
    hello = t["hello"].format(name=pseudonym) if pseudonym else t["hello_plain"]
    intro = t["passed_intro"].format(mentor=mentor_name)
    expires = t["link_expires"].format(days=link_days)
    plain = [hello, "", intro, "", t["mentee_action"], link, expires]
    plain += ["", t["no_reply"], "", "— Passerelle", ""]
    html = _page(
        lang,
        [_para(hello), _para(intro), _para(t["mentee_action"]), _link(link, t["mentee_button"])]
        + [_para(expires), _para(t["no_reply"])],
    )
    return _message(
        sender=sender, to=to, subject=t["passed_subject"], text="\n".join(plain), html=html,
        lang=lang,
    )  # fmt: skip
