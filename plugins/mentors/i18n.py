"""Theme strings in both languages from one build: Babel catalogs and a context-aware gettext.

Pelican gives one Jinja environment per generator and renders pages of both
languages with it, so the gettext callables read the page's `lang` from the
template context instead of being bound to one locale.
"""

from __future__ import annotations

import os
import tempfile
import types
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date as babel_format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, pass_context
from jinja2.ext import Extension
from jinja2.lexer import Token

from .escaping import printed
from .fragments import FragmentCache, FragmentCodeGenerator, PageFragmentCache
from .links import FILTERS as LINK_FILTERS
from .lookups import read_attribute
from .typography import french_spacing

DOMAIN = "messages"
LOCALES = {"fr": "fr_CA", "en": "en_CA"}


def compile_catalogs(translations_dir: Path) -> list[Path]:
    """Compile every `<lang>/LC_MESSAGES/*.po` into its .mo (atomically: workers may race)."""
    return [_compile(po) for po in sorted(Path(translations_dir).glob("*/LC_MESSAGES/*.po"))]


def _compile(po_path: Path) -> Path:
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=po_path.parent.parent.name)
    mo_path = po_path.with_suffix(".mo")
    fd, tmp = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
    with os.fdopen(fd, "wb") as handle:
        write_mo(handle, catalog)
    os.replace(tmp, mo_path)
    return mo_path


def _compiled_if_stale(translations_dir: Path, lang: str) -> None:
    """A language's .mo made again when missing or older than its .po (a fresh checkout has
    none: they are not committed), so a build never shows the French site in English."""
    po_path = Path(translations_dir) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo_path = po_path.with_suffix(".mo")
    if po_path.is_file() and (
        not mo_path.is_file() or mo_path.stat().st_mtime_ns < po_path.stat().st_mtime_ns
    ):
        _compile(po_path)


def update_catalogs(root: Path, translations_dir: Path) -> list[Path]:
    """`invoke translations`: extract every string (babel.cfg: theme and relay templates, the
    relay's Python) into messages.pot, merge it into each language's .po (new strings come
    empty, to translate; strings gone are dropped), then compile."""
    from babel.messages.frontend import CommandLineInterface

    pot = Path(translations_dir) / f"{DOMAIN}.pot"
    before = pot.read_text(encoding="utf-8") if pot.is_file() else ""
    run = CommandLineInterface().run
    run(["pybabel", "-q", "extract", "-F", str(root / "babel.cfg"), "-o", str(pot),
         "--project", "Passerelle", "--no-location", "--sort-output", "-w", "100",
         "-k", "translate:2", str(root)])  # fmt: skip
    if _undated(pot.read_text(encoding="utf-8")) == _undated(before):
        pot.write_text(before, encoding="utf-8")  # nothing new: no diff for a date alone
    for lang in LOCALES:
        run(["pybabel", "-q", "update", "-i", str(pot), "-d", str(translations_dir), "-l", lang,
             "-D", DOMAIN, "--ignore-obsolete", "--ignore-pot-creation-date", "--no-fuzzy-matching",
             "-w", "100"])  # fmt: skip
    return compile_catalogs(translations_dir)


def _undated(pot_text: str) -> str:
    return "\n".join(line for line in pot_text.splitlines() if "POT-Creation-Date" not in line)


class Catalogs:
    """Compiled translations per language, loaded once; a missing catalog shows message ids.

    A stale `.mo` is compiled again when the catalogs are made, not when first read: the
    build's inputs digest (`incremental.inputs_digest`, taken next by the template cache)
    covers the `.mo` files, so it must see them current, or the build keeps the pages
    and compiled templates of the old strings.
    """

    def __init__(self, translations_dir: Path | None, default_lang: str = "fr"):
        self.dir = translations_dir
        self.default_lang = default_lang
        self._loaded: dict[str, NullTranslations] = {}
        if translations_dir and Path(translations_dir).is_dir():
            for lang in LOCALES:
                _compiled_if_stale(translations_dir, lang)

    def get(self, lang: str | None) -> NullTranslations:
        lang = lang if lang in LOCALES else self.default_lang
        if lang not in self._loaded:
            found = None
            if self.dir and Path(self.dir).is_dir():
                found = Translations.load(str(self.dir), [lang], DOMAIN)
            if lang == "fr" and isinstance(found, Translations):
                # French typography once for every theme string ("Secteur : …"), at load.
                catalog = found._catalog  # gettext's own table of this catalog
                for key, text in catalog.items():
                    if key:  # "" is the catalog's header
                        catalog[key] = french_spacing(text)
            self._loaded[lang] = found or NullTranslations()
        return self._loaded[lang]


class ConstantGettext(Extension):
    """Translates `_("a literal")` when a template is compiled, for one language.

    Also writes in the values of the environment's `constant_names` (site-wide
    settings such as SITEURL), which then cost nothing per page either.

    Most theme strings are constants; translating them once per compiled
    template instead of once per rendered page removes most gettext calls from
    rendering. The result is exactly what newstyle gettext returns at run time:
    the translation marked safe, `%`-formatted with no variables, or with its
    keyword arguments (`_("Ask %(name)s", name=x)`: `"Demande à %(name)s"|safe
    % {"name": x}`, which escapes `x` as gettext would). Plurals stay run-time calls.
    """

    def filter_stream(self, stream):
        translations = getattr(self.environment, "constant_translations", None)
        constants = getattr(self.environment, "constant_names", {})
        tokens = list(stream)
        if translations is None:
            return iter(tokens)
        out, i = [], 0
        while i < len(tokens):
            token = tokens[i]
            if (
                token.type == "name"
                and token.value in constants
                and (not out or out[-1].type != "dot")
                and (i + 1 == len(tokens) or tokens[i + 1].type != "assign")
            ):
                # A site-wide setting (SITEURL): a constant, so `{{ SITEURL }}` is template text.
                out.append(Token(token.lineno, "string", constants[token.value]))
                i += 1
                continue
            window = tokens[i : i + 4]
            if (
                len(window) == 4
                and window[0].type == "name"
                and window[0].value in ("_", "gettext")
                and window[1].type == "lparen"
                and window[2].type == "string"
                and window[3].type in ("rparen", "comma")
                and (not out or out[-1].type != "dot")
            ):
                lineno = window[0].lineno
                message = translations.gettext(window[2].value)
                if window[3].type == "rparen":
                    out += _safe_string(lineno, message % {})
                    i += 4
                    continue
                found = _keyword_arguments(tokens, i + 4)
                if found is not None and _autoescaped(self.environment, stream.name):
                    arguments, end = found
                    out.append(Token(lineno, "lparen", "("))
                    out += _safe_string(lineno, message)
                    out += [Token(lineno, "mod", "%"), Token(lineno, "lbrace", "{")]
                    for name, value in arguments:
                        out += [Token(lineno, "string", name), Token(lineno, "colon", ":")]
                        out += [*value, Token(lineno, "comma", ",")]
                    out += [Token(lineno, "rbrace", "}"), Token(lineno, "rparen", ")")]
                    i = end
                    continue
            out.append(tokens[i])
            i += 1
        return iter(out)


def _safe_string(lineno: int, text: str) -> list[Token]:
    return [
        Token(lineno, "string", text),
        Token(lineno, "pipe", "|"),
        Token(lineno, "name", "safe"),
    ]


def _keyword_arguments(tokens: list[Token], start: int):
    """`name=value, ...)` from `start`: ([(name, value tokens)], index after ")"), else None."""
    arguments, depth, i = [], 0, start
    while i + 1 < len(tokens) and tokens[i].type == "name" and tokens[i + 1].type == "assign":
        name, value, i = tokens[i].value, [], i + 2
        while i < len(tokens):
            kind = tokens[i].type
            if depth == 0 and kind in ("comma", "rparen"):
                break
            depth += kind in ("lparen", "lbracket", "lbrace")
            depth -= kind in ("rparen", "rbracket", "rbrace")
            value.append(tokens[i])
            i += 1
        if not value or i == len(tokens):
            return None
        arguments.append((name, value))
        if tokens[i].type == "rparen":
            return arguments, i + 1
        i += 1  # the comma
    return None


def _autoescaped(env: Environment, name: str | None) -> bool:
    """Newstyle gettext escapes the arguments only where autoescaping is on, as `Markup %` does."""
    autoescape = env.autoescape
    return bool(autoescape(name) if callable(autoescape) else autoescape)


def language_environment(
    env: Environment, lang: str, constants: dict[str, str] | None = None, **globals_
) -> Environment:
    """An overlay of `env` whose templates have the constant strings of `lang` compiled in,
    print values without a `Markup` for each (`mentors.escaping`) and read a dict's keys
    as attributes without a failed lookup first (`mentors.lookups`).

    `constants`: names whose (string) values are written into the templates
    when they are compiled; they are globals too, for templates that test them.
    """
    overlay = env.overlay(extensions=[ConstantGettext], auto_reload=False, cache_size=400)
    overlay.code_generator_class = FragmentCodeGenerator
    overlay.passerelle_fragments = FragmentCache
    overlay.passerelle_printed = printed
    overlay.getattr = types.MethodType(read_attribute, overlay)
    overlay.constant_translations = env.passerelle_catalogs.get(lang)
    overlay.constant_names = dict(constants or {})
    overlay.globals = {**env.globals, **(constants or {}), **globals_, "lang": lang}
    overlay.globals["cached"] = FragmentCache()  # its own parts: one language, one SITEURL
    return overlay


@lru_cache(maxsize=4096)
def _formatted_date(value: date, format: str, locale: str) -> str:  # noqa: A002 - Babel's name
    """Babel's formatting is slow next to a page's other work; a site has few distinct dates."""
    return babel_format_date(value, format=format, locale=locale)


def install(env: Environment, catalogs: Catalogs) -> None:
    """Add jinja2.ext.i18n (newstyle) to `env` with callables that follow the page language,
    and the fragment cache of the theme's `cached` parts."""
    if "jinja2.ext.InternationalizationExtension" not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
    env.passerelle_catalogs = catalogs
    env.globals["cached"] = PageFragmentCache()  # per build: each build makes its environment

    def lang_of(ctx) -> str:
        return ctx.get("lang") or catalogs.default_lang

    @pass_context
    def gettext(ctx, message):
        return catalogs.get(lang_of(ctx)).gettext(message)

    @pass_context
    def ngettext(ctx, singular, plural, n):
        return catalogs.get(lang_of(ctx)).ngettext(singular, plural, n)

    @pass_context
    def pgettext(ctx, context, message):
        return catalogs.get(lang_of(ctx)).pgettext(context, message)

    @pass_context
    def npgettext(ctx, context, singular, plural, n):
        return catalogs.get(lang_of(ctx)).npgettext(context, singular, plural, n)

    env.install_gettext_callables(
        gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext
    )

    @pass_context
    def format_date(ctx, value, format="long"):  # noqa: A002 - Babel's own name
        if isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, date):
            return value
        return _formatted_date(value, format, LOCALES[lang_of(ctx)])

    env.filters["format_date"] = format_date

    @pass_context
    def typography(ctx, value, lang=None):
        """French spacing rules on French text (`lang`: the text's, else the page's)."""
        return french_spacing(value) if (lang or lang_of(ctx)) == "fr" else value

    env.filters["typography"] = typography
    env.filters.update(LINK_FILTERS)
