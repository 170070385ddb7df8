"""Rendering shortcuts of the build: sentences translated when templates compile, parts rendered
once per build (`cached`), the window of pagination links, and what each gives on real pages."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT
from jinja2 import DictLoader, Environment
from mentors.build import build_site
from mentors.i18n import Catalogs, compile_catalogs, install, language_environment
from mentors.pagination import window

TRANSLATIONS = ROOT / "theme" / "translations"
ASK = '{{ _("Ask %(name)s a question", name=who) }}'


@pytest.fixture(scope="module")
def theme_env() -> Environment:
    """An environment as Pelican makes it for the theme, with the plugin's i18n installed."""
    compile_catalogs(TRANSLATIONS)
    env = Environment(
        loader=DictLoader({"ask.html": ASK}),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install(env, Catalogs(TRANSLATIONS))
    return env


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_sentence_with_variables_compiles_to_what_gettext_gives_at_run_time(theme_env, lang):
    who = "<b>Zoé & Léa</b>"
    at_run_time = theme_env.get_template("ask.html").render(lang=lang, who=who)
    overlay = language_environment(theme_env, lang)
    compiled = overlay.get_template("ask.html").render(who=who)
    assert compiled == at_run_time
    assert "&lt;b&gt;Zoé &amp; Léa&lt;/b&gt;" in compiled and "<b>" not in compiled
    assert ("Poser une question" in compiled) == (lang == "fr")
    # Translated in the code itself: no gettext call is left for the page to make.
    assert "resolve('_')" not in overlay.compile(ASK, raw=True)


def test_values_print_as_jinja_escapes_them_without_a_markup_each(theme_env):
    from markupsafe import Markup

    class Html:
        def __html__(self):
            return "<em>ok</em>"

    source = (
        "{{ v }}|{{ n }}|{{ none }}|{{ missing }}|{{ safe }}|{{ obj }}|{{ v|e }}|"
        '<a title="{{ v }}">'
        "{% set block %}[{{ v }}]{% endset %}{{ block }}|{% macro f(x) %}({{ x }}){% endmacro %}"
        "{{ f(v) }}|{% autoescape false %}{{ v }}{% endautoescape %}|"
        "{% autoescape flag %}{{ v }}{% endautoescape %}|" + ASK
    )
    values = {
        "v": '<b>Zoé & "Léa"</b> l\'été',
        "n": 42,
        "none": None,
        "safe": Markup("<i>déjà</i>"),
        "obj": Html(),
        "flag": True,
        "who": "<Zoé>",
    }
    at_run_time = theme_env.from_string(source).render(lang="fr", **values)
    overlay = language_environment(theme_env, "fr")
    assert "environment.passerelle_printed(" in overlay.compile(source, raw=True)
    assert overlay.from_string(source).render(**values) == at_run_time
    printed = "&lt;b&gt;Zoé &amp; &#34;Léa&#34;&lt;/b&gt; l&#39;été"
    assert at_run_time.startswith(f"{printed}|42|None||<i>déjà</i>|<em>ok</em>|{printed}|")


def test_a_dict_key_reads_as_an_attribute_as_jinja_reads_it(theme_env):
    from collections import defaultdict
    from types import SimpleNamespace

    from mentors import lookups

    source = (
        "{{ d.a }}|{{ d.missing is defined }}|{{ d.missing }}|{{ d.items is defined }}|"
        "{{ d.items() | list | length }}|{{ d['items'] }}|{{ o.a }}|{{ o.missing is defined }}|"
        "{{ dd.a }}|{{ dd.b is defined }}|{{ n.a is defined }}"
    )
    values = {
        "d": {"a": "<x>", "items": "a key named as a method"},
        "o": SimpleNamespace(a=1),
        "dd": defaultdict(int, a=2),
        "n": None,
    }
    overlay = language_environment(theme_env, "fr")
    assert overlay.getattr.__func__ is lookups.read_attribute
    expected = "&lt;x&gt;|False||True|2|a key named as a method|1|False|2|True|False"
    assert theme_env.from_string(source).render(**values) == expected
    assert overlay.from_string(source).render(**values) == expected


def test_a_sentence_whose_arguments_are_not_plain_keywords_stays_a_run_time_call(theme_env):
    overlay = language_environment(theme_env, "fr")
    source = '{{ _("Ask %(name)s a question", **extra) }}'
    assert "resolve('_')" in overlay.compile(source, raw=True)
    assert "Zoé" in overlay.from_string(source).render(extra={"name": "Zoé"})


def test_a_cached_part_is_rendered_once_per_language_and_key(theme_env):
    calls = []

    def seen(value):
        calls.append(value)
        return value

    source = '{% call cached("part", key) %}[{{ seen(key) }}|{{ _("Search") }}]{% endcall %}'
    fr = language_environment(theme_env, "fr").from_string(source)
    en = language_environment(theme_env, "en").from_string(source)
    pages = [fr.render(key=k, seen=seen) for k in ("a", "b", "a", "a", "b")]
    pages += [en.render(key="a", seen=seen), en.render(key="a", seen=seen)]
    assert pages[:5] == ["[a|Rechercher]", "[b|Rechercher]", *["[a|Rechercher]"] * 2, pages[1]]
    assert pages[5:] == ["[a|Search]"] * 2
    assert calls == ["a", "b", "a"]


def test_a_kept_part_is_output_without_calling_its_block_again(theme_env, monkeypatch):
    from mentors.fragments import FragmentCache

    entered = []
    original = FragmentCache.__call__

    def counting(self, *key, caller, slots=()):
        entered.append(key)
        return original(self, *key, caller=caller, slots=slots)

    monkeypatch.setattr(FragmentCache, "__call__", counting)
    source = (
        '{% for k in keys %}{% call cached("part", k) %}[{{ k }}]{% endcall %}{% endfor %}'
        '{% macro f() %}{% call cached("m") %}<{{ _("Search") }}>{% endcall %}{% endmacro %}'
        "{{ f() }}{{ f() }}"
        '{% for k in keys %}{% call(who) cached("slotted", 1, slots=[k]) %}({{ who }}){% endcall %}'
        "{% endfor %}"
    )
    keys = ["a", "<b>", "a", "a"]
    page = language_environment(theme_env, "fr").from_string(source).render(keys=keys)
    assert page == "[a][&lt;b&gt;][a][a]<Rechercher><Rechercher>(a)(&lt;b&gt;)(a)(a)"
    assert entered == [("part", "a"), ("part", "<b>"), ("m",), ("slotted", 1)]
    assert theme_env.from_string(source).render(keys=keys, lang="fr") == page


def test_a_part_with_slots_is_rendered_once_and_filled_as_printing_them_would(theme_env):
    from relay import presentation

    calls = []
    source = (
        '{% call(slug, who) cached("form", slots=[mentor.slug, mentor.name]) %}'
        '<p data-for="{{ slug }}">{{ seen() }}' + ASK + "|{{ who }}</p>"
        "{% endcall %}"
    )
    fr = language_environment(theme_env, "fr").from_string(source)
    relay = presentation.environment().from_string(source)
    mentors = [
        {"slug": "zoe-lea", "name": "<b>Zoé & Léa</b>"},
        {"slug": 'a"b', "name": "O'Neil %(name)s \ue0000\ue001"},
        {"slug": "c", "name": None},
    ]
    pages = [fr.render(mentor=m, lang="fr", seen=lambda: calls.append(1) or "") for m in mentors]
    plain = [relay.render(mentor=m, lang="fr", seen=lambda: "") for m in mentors]
    assert pages == plain
    assert calls == [1]  # rendered for the first page only
    assert pages[0] == (
        '<p data-for="zoe-lea">Poser une question à &lt;b&gt;Zoé &amp; Léa&lt;/b&gt;'
        "|&lt;b&gt;Zoé &amp; Léa&lt;/b&gt;</p>"
    )
    assert 'data-for="a&#34;b"' in pages[1] and "O&#39;Neil %(name)s" in pages[1]


def test_the_relay_renders_a_cached_part_every_time():
    from relay import presentation

    calls = []
    template = presentation.environment().from_string(
        '{% call cached("part") %}{{ seen() }}{% endcall %}'
    )
    outputs = [template.render(seen=lambda: calls.append(1) or len(calls)) for _ in range(3)]
    assert outputs == ["1", "2", "3"]


def test_window_links_the_ends_and_two_pages_each_side_with_gaps():
    assert window(1, 1) == [1]
    assert window(1, 4) == [1, 2, 3, 4]
    assert window(1, 10) == [1, 2, 3, None, 10]
    assert window(5, 10) == [1, 2, 3, 4, 5, 6, 7, None, 10]  # a gap of one page shows it
    assert window(6, 417) == [1, None, 4, 5, 6, 7, 8, None, 417]
    assert window(417, 417) == [1, None, 415, 416, 417]


def test_each_page_of_a_long_listing_links_its_window_and_next_leads_through_all(tmp_path):
    """One mentor a page: the directory has more pages than any window."""
    out = tmp_path / "output"
    overrides = {"PLUGINS": ["pelican.plugins.yaml_metadata", "mentors"], "MENTORS_PER_PAGE": 1}
    assert build_site(ROOT / "pelicanconf.py", out, overrides=overrides)
    count = len([p for p in (ROOT / "content" / "mentors").glob("*.md") if p.stem.count(".") == 0])
    assert count > 10

    def nav_of(number: int) -> str:
        page = out / "mentors" / ("" if number == 1 else f"{number}/") / "index.html"
        html = page.read_text(encoding="utf-8")
        nav = html[html.index('<nav class="listing-nav"') :]
        return nav[: nav.index("</nav>")]

    for number in (1, 2, 6, count - 1, count):
        nav = nav_of(number)
        shown = window(number, count)
        current = re.findall(r'<span aria-current="page">.*?</span>(\d+)</span>', nav)
        linked = re.findall(r'<li><a href="/mentors/(?:(\d+)/)?"><span', nav)
        assert current == [str(number)]
        assert sorted([int(n) if n else 1 for n in linked] + [number]) == [n for n in shown if n]
        assert nav.count('<li class="gap" aria-hidden="true">…</li>') == shown.count(None)
    number, walked = 1, [1]
    while 'rel="next"' in (nav := nav_of(number)):
        number = int(re.search(r'href="/mentors/(\d+)/" rel="next"', nav)[1])
        walked.append(number)
    assert walked == list(range(1, count + 1))


def test_cards_and_similar_mentors_rendered_once_are_what_the_macros_make():
    from types import SimpleNamespace

    from jinja2 import FileSystemLoader
    from mentors.generator import MentorsGenerator

    def environment(with_cache: bool):
        env = Environment(
            loader=FileSystemLoader(ROOT / "theme" / "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        install(env, Catalogs(TRANSLATIONS))
        overlay = language_environment(env, "fr", {"SITEURL": "", "RELAY_URL": ""})
        if with_cache:
            overlay.globals["cards_html"] = MentorsGenerator._cards(overlay)
            overlay.globals["similar_items"] = MentorsGenerator._similar_items(overlay)
        overlay.globals["m"] = overlay.get_template("macros.html").module
        return overlay

    place = SimpleNamespace(name="Montréal & <Laval>")
    photo = SimpleNamespace(src="images/a.jpg", srcset="images/a.jpg 160w, images/b.jpg 320w")
    mentors = [
        SimpleNamespace(
            slug=f"m-{n}",
            url=f"mentors/m-{n}/",
            name=f"Zoé {n}",
            occupation="Soudeuse <TIG>",
            photo=photo if n % 2 else None,
            is_fallback=n == 2,
            content_lang="en",
            sector=place,
            region=place,
            accepting=n != 1,
            answers_within_days=n or None,
        )
        for n in range(4)
    ]
    source = '{{ m.mentor_cards(ms, "h2") }}|{{ m.mentor_cards(ms[1:]) }}|{{ m.mentor_cards([]) }}'
    # The similar mentors a profile lists, the fourth on hidden: the same item may be
    # the third of one list and the fourth of another.
    source += "|{{ m.similar_list(ms) }}|{{ m.similar_list(ms[1:] + ms[:1]) }}"
    source += "|{{ m.similar_list([]) }}"
    made = environment(False).from_string(source).render(ms=mentors)
    cached = environment(True).from_string(source).render(ms=mentors)
    assert cached == made
    assert made.count("<li data-slug=") == 8 and made.count(" hidden>") == 2
    assert "Soudeuse &lt;TIG&gt;</li>" in made
    assert made.count('<li><article class="card mentor-card">') == 7
