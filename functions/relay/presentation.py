"""Everything the relay shows a person: its pages and e-mails, rendered from Jinja templates.

Pages extend the site's own `base.html` (same header, footer, CSS, skip link and
language switcher), e-mails extend `mail/layout.html` and `mail/layout.txt`;
every string comes from the theme's Babel catalogs (theme/translations), the
ones the site build uses. Templates live in `relay/templates/` (pages/, mail/)
and in the theme; both ship in the Lambda artifact (functions/theme links to
theme/).

    render_page("conversation", "fr", site_url=..., **ctx) -> str
    render_mail("confirmation", "en", site_url=..., **ctx) -> (subject, text, html)
    message("form_errors", "bad_token", "fr") -> a sentence of templates/messages.html
    translate("fr", "Address confirmed") -> one message id in a language
"""

from __future__ import annotations

import io
import threading
import time
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, pass_context, select_autoescape

from . import vocab
from .links import FILTERS as LINK_FILTERS
from .typography import french_spacing

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
THEME = HERE.parent / "theme"  # functions/theme -> ../theme, shipped with the function
TRANSLATIONS = THEME / "translations"
LANGS = ("fr", "en")
LOCALES = {"fr": "fr_CA", "en": "en_CA"}
TIMEZONE = ZoneInfo("America/Montreal")  # every time shown is Québec local time
SITENAME = "Passerelle"


def lang_of(lang: str | None) -> str:
    return lang if lang in LANGS else "fr"


# --- catalogs ------------------------------------------------------------------------------------


class _Catalogs:
    """The theme's compiled catalogs, reloaded when a .po or .mo changes (make serve rebuilds
    them on save). Without a compiled .mo (a fresh checkout), the .po is compiled in memory;
    fuzzy entries are left out either way, as pybabel compile does."""

    #: How long a look at the catalog files holds: a saved catalog shows within a second, and
    #: a request does not pay two stat() calls for every sentence it says.
    RECHECK_SECONDS = 1.0

    def __init__(self, folder: Path):
        self.folder = folder
        self._lock = threading.Lock()
        self._loaded: dict[str, tuple[tuple, NullTranslations]] = {}
        self._stamps: dict[str, tuple[float, tuple]] = {}

    def _stamp(self, lang: str) -> tuple:
        now = time.monotonic()
        seen = self._stamps.get(lang)
        if seen and now - seen[0] < self.RECHECK_SECONDS:
            return seen[1]
        base = self.folder / lang / "LC_MESSAGES" / "messages"
        stamp = tuple(
            (p.stat().st_mtime_ns if p.is_file() else 0)
            for p in (base.with_suffix(".po"), base.with_suffix(".mo"))
        )
        self._stamps[lang] = (now, stamp)
        return stamp

    def get(self, lang: str) -> NullTranslations:
        lang = lang_of(lang)
        stamp = self._stamp(lang)
        with self._lock:
            known = self._loaded.get(lang)
            if known and known[0] == stamp:
                return known[1]
            translations = self._load(lang, stamp)
            self._loaded[lang] = (stamp, translations)
            return translations

    def _load(self, lang: str, stamp: tuple) -> NullTranslations:
        base = self.folder / lang / "LC_MESSAGES" / "messages"
        po_time, mo_time = stamp
        if mo_time and mo_time >= po_time:
            with base.with_suffix(".mo").open("rb") as handle:
                return Translations(handle)
        if not po_time:
            return NullTranslations()
        with base.with_suffix(".po").open("rb") as handle:
            catalog = read_po(handle, locale=LOCALES[lang])
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer)


CATALOGS = _Catalogs(TRANSLATIONS)


def translate(lang: str, text: str, **values) -> str:
    """`text` (an English message id, a literal: `invoke translations` extracts it) in `lang`,
    %-formatted with `values`."""
    translated = CATALOGS.get(lang).gettext(text)
    return translated % values if values else translated


# --- formatting ----------------------------------------------------------------------------------


def format_when(value: datetime, lang: str) -> str:
    """A moment as people write it, in Québec time: "5 décembre 2026 à 14 h 05",
    "December 5, 2026 at 2:05 PM"."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(TIMEZONE)
    locale = LOCALES[lang_of(lang)]
    day = format_date(local.date(), "long", locale=locale)
    time = format_time(local, "short", locale=locale)
    return translate(lang, "%(date)s at %(time)s", date=day, time=time)


def _quote(text: str) -> str:
    """A text quoted as mail programs do ("> " before each line)."""
    return "\n".join(f"> {line}" if line else ">" for line in (text or "").splitlines() or [""])


def flag_name(flag: str, lang: str) -> str:
    """A flag in words for a moderator: its screening category's label (data/screening.yaml),
    and for a masked contact detail, which kind."""
    from .screening import label as screening_label  # the screener loads only when needed

    kind = str(flag)
    kinds = {
        "contact_email": translate(lang, "e-mail address"),
        "contact_phone": translate(lang, "phone number"),
        "contact_link": translate(lang, "link"),
        "contact_handle": translate(lang, "social media handle"),
        "contact_address": translate(lang, "street address"),
    }
    try:
        if kind.startswith("risk:"):
            return screening_label(kind.removeprefix("risk:"), lang)
        if kind == "contact_possible":
            return screening_label("possible_contact", lang)
        return f"{screening_label('contact', lang)} ({kinds[kind]})"
    except KeyError:  # a kind this vocabulary does not name: the code itself
        return kind


@lru_cache(maxsize=1)
def site_urls() -> dict[str, dict[str, str]]:
    """The site's URL scheme, both languages (data/urls.yaml, the table the build uses)."""
    with (vocab.data_dir() / "urls.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def mentor_url(lang: str, slug: str) -> str:
    """A mentor's profile, relative to the site root."""
    return f"{site_urls()[lang_of(lang)]['mentors']}{slug}/"


# --- the environment ---------------------------------------------------------------------------


def _build_environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(TEMPLATES), FileSystemLoader(THEME / "templates")]),
        autoescape=select_autoescape(["html"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

    def lang_in(ctx) -> str:
        return lang_of(ctx.get("lang"))

    # Newstyle gettext: Jinja escapes and %-formats what these return.
    @pass_context
    def _gettext(ctx, message):
        return CATALOGS.get(lang_in(ctx)).gettext(message)

    @pass_context
    def _ngettext(ctx, singular, plural, n):
        return CATALOGS.get(lang_in(ctx)).ngettext(singular, plural, n)

    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)

    @pass_context
    def when(ctx, value):
        return format_when(value, lang_in(ctx)) if isinstance(value, datetime) else value

    @pass_context
    def long_date(ctx, value):
        if isinstance(value, datetime):
            value = value.astimezone(TIMEZONE).date()
        if isinstance(value, date):
            return format_date(value, "long", locale=LOCALES[lang_in(ctx)])
        return value

    @pass_context
    def label(ctx, code, vocabulary):
        return vocab.label(vocabulary, str(code or ""), lang_in(ctx))

    @pass_context
    def message_in(ctx, group, code):
        return message(group, code, lang_in(ctx))

    @pass_context
    def typography(ctx, value, lang=None):
        """The site's French spacing (the theme's macros use it), on French text only."""
        return french_spacing(value) if (lang or lang_in(ctx)) == "fr" else value

    env.filters.update(
        when=when, format_date=long_date, quote=_quote, label=label, typography=typography
    )
    env.filters.update(LINK_FILTERS)  # the theme's URLs, as the site build makes them
    env.globals.update(SITENAME=SITENAME, mentor_url=mentor_url, message=message_in)
    # The theme's `cached` parts are kept by the site build; the relay renders them every time.
    env.globals["cached"] = lambda *key, caller, slots=(): caller(*slots)
    return env


_environment: Environment | None = None
_environment_lock = threading.Lock()


def environment() -> Environment:
    global _environment
    with _environment_lock:
        if _environment is None:
            _environment = _build_environment()
        return _environment


def _common(lang: str, site_url: str, ctx: dict) -> dict:
    """What every template of the site gets (docs/architecture.md "Template context")."""
    lang = lang_of(lang)
    other = "en" if lang == "fr" else "fr"
    urls = site_urls()
    site = site_url.rstrip("/")
    return {
        "lang": lang,
        "other_lang": other,
        "SITEURL": site,
        "RELAY_URL": "",  # forms of the relay's pages post to the relay that served them
        "urls": urls[lang],
        "page_url": None,  # relay pages have no canonical URL: they are behind links
        "translation_urls": None,
        "alternate_url": urls[other]["home"],
        "json_ld": None,
        **ctx,
    }


def render_page(name: str, lang: str, *, site_url: str, relay_url: str | None = None, **ctx) -> str:
    """The page `pages/<name>.html` in `lang`, in the site's frame.

    `alternate_href` (optional) is the same page in the other language; without it the
    language switcher leads to the other language's home."""
    template = environment().get_template(f"pages/{name}.html")
    return template.render(_common(lang, site_url, ctx))


def render_mail(
    name: str, lang: str, *, site_url: str, relay_url: str | None = None, **ctx
) -> tuple[str, str, str]:
    """The e-mail `mail/<name>` in `lang`: (subject, plain text, HTML).

    The subject is the `subject` block of `mail/<name>.txt` (one line)."""
    env = environment()
    values = _common(lang, site_url, ctx)
    text_template = env.get_template(f"mail/{name}.txt")
    subject = "".join(text_template.blocks["subject"](text_template.new_context(values)))
    subject = " ".join(subject.split())
    text = text_template.render(values)
    html = env.get_template(f"mail/{name}.html").render({**values, "subject": subject})
    return subject, text, html


def message(group: str, code: str, lang: str) -> str:
    """One sentence of `templates/messages.html` (a dict `group` of code -> text) in `lang`:
    what JSON answers say. An unknown code gives the group's "invalid" text."""
    module = _messages(lang_of(lang))
    table = getattr(module, group)
    text = table.get(code) or table.get("invalid") or module.form_errors["bad_request"]
    return str(text)


def _messages(lang: str):
    stamp = CATALOGS._stamp(lang)
    cached = _message_modules.get(lang)
    if cached and cached[0] == stamp:
        return cached[1]
    module = environment().get_template("messages.html").make_module({"lang": lang})
    _message_modules[lang] = (stamp, module)
    return module


_message_modules: dict[str, tuple] = {}
