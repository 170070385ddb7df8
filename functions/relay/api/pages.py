"""HTML the relay renders itself: the form again with errors (no JavaScript), confirmations.

Every value is escaped; pages are noindex and never cached.
"""

from __future__ import annotations

from html import escape

from .. import vocab
from .texts import FIELD_ERRORS, FORM_ERRORS, LABELS, OUTCOMES, say

STYLE = (
    "body{font:1rem/1.5 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fff}"
    "main{max-width:40rem;margin:0 auto;padding:1.5rem}"
    "label{display:block;font-weight:600;margin-top:1rem}"
    "input,select,textarea{font:inherit;width:100%;box-sizing:border-box;padding:.4rem}"
    ".check{display:flex;gap:.5rem;align-items:flex-start}.check input{width:auto}"
    ".field-error{color:#a4001d;font-weight:600;margin:.25rem 0}"
    ".hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}"
    ".alert{border-left:4px solid #a4001d;padding:.5rem 1rem;background:#fff4f4}"
    "button{font:inherit;margin-top:1rem;padding:.6rem 1.2rem}"
)


def page(lang: str, title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex"><meta name="referrer" content="same-origin">'
        f"<title>{escape(title)} · Passerelle</title><style>{STYLE}</style></head>"
        f'<body><main id="main"><h1>{escape(title)}</h1>{body}</main></body></html>'
    )


def help_section(lang: str) -> str:
    """Where to get help now in Québec (data/help_resources.yaml), shown at once to the author
    of a message about self-harm or abuse."""
    from ..screening import help_resources

    items = []
    for r in help_resources(lang):
        links = []
        if r.call:
            text = say(OUTCOMES, "help_call", lang) % r.call_label
            links.append(f'<a href="tel:{escape(r.call)}">{escape(text)}</a>')
        if r.text:
            text = say(OUTCOMES, "help_text", lang) % r.text_label
            links.append(f'<a href="sms:{escape(r.text)}">{escape(text)}</a>')
        items.append(
            f"<li><strong>{escape(r.name)}</strong> — {escape(r.how)} {' · '.join(links)}</li>"
        )
    return (
        '<section class="help" id="help" aria-labelledby="help-title">'
        f'<h2 id="help-title">{escape(say(OUTCOMES, "help_title", lang))}</h2>'
        f"<p>{escape(say(OUTCOMES, 'help_lead', lang))}</p><ul>{''.join(items)}</ul></section>"
    )


def received_with_help_page(lang: str, home: str) -> str:
    """The "question sent" page of a plain form post, with help to get now."""
    body = (
        f'<p role="status">{escape(say(OUTCOMES, "received", lang))}</p>{help_section(lang)}'
        f'<p><a href="{escape(home)}">{escape(say(OUTCOMES, "home", lang))}</a></p>'
    )
    return page(lang, say(OUTCOMES, "received_title", lang), body)


def profile_url(site_url: str, lang: str, slug: str) -> str:
    prefix = "/en" if lang == "en" else ""
    return f"{site_url}{prefix}/mentors/{slug}/"


def message_page(lang: str, title_key: str, text: str, link: tuple[str, str] | None) -> str:
    body = f"<p>{escape(text)}</p>"
    if link:
        body += f'<p><a href="{escape(link[0])}">{escape(link[1])}</a></p>'
    return page(lang, say(OUTCOMES, title_key, lang), body)


def _error(field: str, codes: dict[str, str], lang: str) -> str:
    text = say(FIELD_ERRORS, codes[field], lang) if field in codes else ""
    return f'<p class="field-error" id="{field}-error">{escape(text)}</p>'


def _attrs(field: str, codes: dict[str, str], hint: bool = False) -> str:
    described = f"{field}-hint {field}-error" if hint else f"{field}-error"
    invalid = ' aria-invalid="true"' if field in codes else ""
    return f'aria-describedby="{described}"{invalid}'


def _select(name: str, vocabulary: str, value: str, codes: dict, lang: str) -> str:
    options = [f'<option value="">{escape(say(LABELS, "choose", lang))}</option>']
    for code, label in vocab.labels(vocabulary, lang):
        selected = " selected" if code == value else ""
        options.append(f'<option value="{escape(code)}"{selected}>{escape(label)}</option>')
    return (
        f'<label for="{name}">{escape(say(LABELS, name, lang))}</label>'
        f'<select id="{name}" name="{name}" required {_attrs(name, codes)}>{"".join(options)}'
        f"</select>{_error(name, codes, lang)}"
    )


def similar_section(lang: str, similar: list[tuple[str, str]]) -> str:
    """Links to mentors who can take a question now, `(url, name)` each."""
    items = "".join(f'<li><a href="{escape(url)}">{escape(name)}</a></li>' for url, name in similar)
    return (
        f'<section class="similar" id="similar-mentors"><p>'
        f"{escape(say(OUTCOMES, 'similar_title', lang))}</p><ul>{items}</ul></section>"
    )


def form_page(
    *,
    lang: str,
    values: dict[str, object],
    codes: dict[str, str],
    form_code: str,
    site_url: str,
    similar: list[tuple[str, str]] = (),
) -> str:
    """The question form again: what was typed, each error next to its field (and, for a
    mentor who cannot take it, links to similar mentors who can)."""

    def v(name: str) -> str:
        value = values.get(name, "")
        return escape(value if isinstance(value, str) else str(value))

    def label(name: str) -> str:
        return escape(say(LABELS, name, lang))

    mentor = str(values.get("mentor", ""))
    consent = " checked" if values.get("consent") == "yes" else ""
    parts = [
        f'<div class="alert" role="alert" id="question-form-status">'
        f"<p>{escape(say(FORM_ERRORS, form_code, lang))}</p></div>",
        similar_section(lang, list(similar)) if similar else "",
        '<form id="question-form" method="post" action="/api/questions">',
        f'<input type="hidden" name="mentor" value="{v("mentor")}">',
        f'<input type="hidden" name="lang" value="{lang}">',
        f'<input type="hidden" name="rendered_at" value="{v("rendered_at")}">',
        f'<input type="hidden" name="idempotency_key" value="{v("idempotency_key")}">',
        f'<label for="pseudonym">{label("pseudonym")}</label>'
        f'<input id="pseudonym" name="pseudonym" type="text" maxlength="40" required '
        f'value="{v("pseudonym")}" {_attrs("pseudonym", codes)}>{_error("pseudonym", codes, lang)}',
        f'<label for="age">{label("age")}</label>'
        f'<input id="age" name="age" type="number" inputmode="numeric" required '
        f'value="{v("age")}" {_attrs("age", codes)}>{_error("age", codes, lang)}',
        _select("region", "regions", str(values.get("region", "")), codes, lang),
        _select("situation", "situations", str(values.get("situation", "")), codes, lang),
        f'<label for="email">{label("email")}</label>'
        f'<span class="hint" id="email-hint">{escape(say(LABELS, "email_hint", lang))}</span>'
        f'<input id="email" name="email" type="email" maxlength="254" required '
        f'autocomplete="email" value="{v("email")}" {_attrs("email", codes, hint=True)}>'
        f"{_error('email', codes, lang)}",
        f'<label for="question">{label("question")}</label>'
        f'<textarea id="question" name="question" rows="7" maxlength="2000" required '
        f"{_attrs('question', codes)}>{v('question')}</textarea>{_error('question', codes, lang)}",
        f'<div class="check"><input id="consent" name="consent" type="checkbox" value="yes"'
        f'{consent} {_attrs("consent", codes)}><label for="consent">{label("consent")}</label>'
        f"</div>{_error('consent', codes, lang)}",
        f'<div class="hp" aria-hidden="true"><label for="website">{label("honeypot")}</label>'
        '<input id="website" name="website" type="text" tabindex="-1" autocomplete="off"></div>',
        f'<button type="submit">{label("submit")}</button></form>',
    ]
    if mentor:
        url = profile_url(site_url, lang, mentor)
        parts.append(f'<p><a href="{escape(url)}">{escape(say(OUTCOMES, "back", lang))}</a></p>')
    return page(lang, say(OUTCOMES, "form_title", lang), "".join(parts))


def confirm_page(*, lang: str, token: str) -> str:
    """GET on the e-mailed link only shows a button: mail scanners that prefetch confirm nothing."""
    body = (
        f"<p>{escape(say(OUTCOMES, 'confirm_lead', lang))}</p>"
        '<form method="post" action="/api/questions/confirm">'
        f'<input type="hidden" name="token" value="{escape(token)}">'
        f'<button type="submit">{escape(say(OUTCOMES, "confirm_button", lang))}</button></form>'
    )
    return page(lang, say(OUTCOMES, "confirm_title", lang), body)
