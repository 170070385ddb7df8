"""The relay's HTML answers: its pages (relay.presentation templates in the site's frame).

Pages are noindex and never cached; every value is escaped by the templates.
"""

from __future__ import annotations

from ..config import Settings
from ..presentation import lang_of, mentor_url, message, render_page, translate
from ..screening import help_resources


def render(settings: Settings, name: str, lang: str, **ctx) -> str:
    """The page `templates/pages/<name>.html` for this relay's site."""
    return render_page(name, lang, site_url=settings.site_url, relay_url=settings.relay_url, **ctx)


def profile_url(site_url: str, lang: str, slug: str) -> str:
    return f"{site_url.rstrip('/')}/{mentor_url(lang, slug)}"


def request_lang(query_lang: str | None, accept_language: str | None) -> str:
    """The language of a page that belongs to no thread (404, a broken link): `?lang=`, else
    the browser's first choice between French and English, else French."""
    if query_lang in ("fr", "en"):
        return query_lang
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in ("fr", "en"):
            return code
    return "fr"


def other_lang_href(path: str, lang: str) -> str:
    """The same page in the other language, for pages whose language the URL can choose."""
    other = "en" if lang_of(lang) == "fr" else "fr"
    return f"{path}?lang={other}"


def mentor_links(settings: Settings, lang: str, slug: str, name: str) -> list[tuple[str, str]]:
    if not slug:
        return []
    text = translate(lang, "Back to %(name)s's profile", name=name or slug)
    return [(profile_url(settings.site_url, lang, slug), text)]


def retry_in(lang: str, minutes: int) -> str:
    return translate(lang, "You can try again in %(minutes)s min.", minutes=minutes)


def link_refused_page(settings: Settings, lang: str, code: str, path: str) -> str:
    """A link that does not work (forged, expired, gone): says so and where to go on."""
    return message_page(
        settings, lang, translate(lang, "This link does not work"),
        [message("form_errors", code, lang),
         translate(lang, "If you copied it from an e-mail, copy it again in full. A question that "
                         "was not confirmed within 72 hours must be asked again.")],
        alternate_href=other_lang_href(path, lang),
    )  # fmt: skip


def received_with_help_page(settings: Settings, lang: str) -> str:
    """The "question sent" page of a plain form post, with help to get now."""
    return render(settings, "received", lang, help=help_resources(lang))


def message_page(
    settings: Settings, lang: str, title: str, paragraphs: list[str], next_links=(), **ctx
) -> str:
    return render(settings, "message", lang, title=title, paragraphs=paragraphs,
                  next_links=list(next_links), **ctx)  # fmt: skip


def form_page(
    settings: Settings,
    *,
    lang: str,
    values: dict[str, object],
    codes: dict[str, str],
    form_code: str,
    status_text: str,
    mentor_name: str | None,
    similar: list[tuple[str, str]] = (),
    help_now: bool = False,
) -> str:
    """The question form again (the theme's partial): what was typed, each error next to its
    field, for a mentor who cannot take it links to similar mentors who can, and for a
    question about self-harm or abuse, where to get help now, first."""
    from .. import vocab

    slug = str(values.get("mentor", "") or "")
    mentor = {"slug": slug, "name": mentor_name or slug} if mentor_name else None
    form_values = {k: v for k, v in values.items() if isinstance(v, str)}
    return render(
        settings, "question_form", lang,
        mentor=mentor, similar_mentors=[],
        similar=[{"url": url, "name": name} for url, name in similar],
        help=help_resources(lang) if help_now else (),
        form_values=form_values,
        form_errors={field: message("field_errors", code, lang) for field, code in codes.items()},
        form_status=status_text, form_code=form_code,
        vocab={name: [{"code": code, "name": label} for code, label in vocab.labels(name, lang)]
               for name in ("regions", "situations")},
        next_links=mentor_links(settings, lang, slug, mentor_name or "") if mentor else [],
    )  # fmt: skip


def confirm_page(settings: Settings, *, lang: str, token: str) -> str:
    """GET on the e-mailed link only shows a button: mail scanners that prefetch confirm nothing."""
    return render(settings, "confirm", lang, token=token)


def not_found_page(settings: Settings, lang: str, path: str) -> str:
    return render(settings, "not_found", lang, alternate_href=other_lang_href(path, lang))
