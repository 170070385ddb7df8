"""The mentor content type: validates content, then writes profiles, listings, home and magazine.

Pages are rendered straight from the Jinja environment (templates compiled once)
rather than through Pelican's per-page writer: thousands of profiles stay fast.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import multiprocessing as mp
import os
from functools import partial
from pathlib import Path
from typing import Any

from blinker import signal
from jinja2 import meta
from markupsafe import Markup
from pelican.generators import Generator
from pelican.plugins.image_process.image_process import set_default_settings

from . import responsiveness, similar, urls
from .build import after_pages, hand_back_heap
from .context import SiteContext, context_pairs
from .directory import Directory, MentorView, Ref
from .errors import ContentError
from .i18n import language_environment
from .images import photo_variants
from .incremental import (
    BuildState,
    Fingerprints,
    Memo,
    TemplateCache,
    inputs_digest,
    model_digest,
    write_atomic,
    write_new,
)
from .magazine import Magazine, check_sources
from .outputs import write_feed, write_manifest
from .pagination import paginate
from .shares import Shares
from .validation import read_mentors, text_digest
from .vocab import load_vocabularies

log = logging.getLogger(__name__)
_SHARED: tuple[MentorsGenerator, list, Shares] | None = None  # only while workers are forked
# Sent with the generator once the directory is complete (photos in its views) and the
# content checked, before any mentor page is written (site_search starts on it).
directory_ready = signal("mentors_directory_ready")


def _write_share(
    part: int, langs: tuple[str, ...], last: bool = False, saves_memo: bool = False
) -> tuple[dict, dict[str, str]]:
    """The language work of `langs` (`SiteContext.language_work`), then the pages this
    process takes (`Shares`); its results and the pages' fingerprints when they were
    left to make here. The `last` worker first writes the sitemap and the relay's
    manifest, and with `saves_memo` the build's memo, while the others render (a
    process done with its own share then takes pages of this one).

    The work first, and what it freed handed back before the pages: after them, both
    processes' peaks added up (+155 MB at 10,000 mentors, for the search data).
    """
    generator, jobs, shares = _SHARED
    results = generator.site.run_language_work(langs)
    if results:
        hand_back_heap()
    if last:
        generator._write_outputs()
    if saves_memo:
        generator._memo.save(keep=False)
    return results, generator._write_jobs(jobs[index] for index in shares.jobs(part))


def _languages_by_share(jobs: list, shares: list[range]) -> list[tuple[str, ...]]:
    """Each language given to the share that holds the middle of its pages."""
    given: list[list[str]] = [[] for _ in shares]
    for lang in urls.LANGS:
        own = [index for index, job in enumerate(jobs) if job[2]["lang"] == lang]
        middle = own[len(own) // 2] if own else 0
        given[next((n for n, share in enumerate(shares) if middle in share), 0)].append(lang)
    return [tuple(langs) for langs in given]


def _rendered_once(env, macro: str):
    """`made(mentor, *args)`: what `m.<macro>(mentor, *args)` gives in `env`, rendered the
    first time a mentor comes with those arguments and kept for every later page."""
    rendered: dict[tuple, str] = {}

    def made(mentor: MentorView, *args) -> str:
        key = (mentor.url, *args)
        found = rendered.get(key)
        if found is None:
            found = rendered[key] = str(getattr(env.globals["m"], macro)(mentor, *args))
        return found

    return made


def _names_used(env, name: str, seen: set[str]) -> set[str] | None:
    """Every variable `name` and the templates it extends, includes or imports may read;
    None when one of them is chosen at run time.

    A page gets these of Pelican's context (about 170 settings) rather than all:
    Jinja copies a page's variables into each context it makes, for the page and
    for each include, and that copy is a good part of a small page's cost.
    """
    names, others = _parsed(env, name)
    names = set(names)
    for other in others:
        if other is None:
            return None
        if other not in seen:
            seen.add(other)
            found = _names_used(env, other, seen)
            if found is None:
                return None
            names |= found
    return names


def _parsed(env, name: str) -> tuple[frozenset[str], tuple[str | None, ...]]:
    """A template's own free variables and the templates it names, parsed once per
    environment (every page template shares base.html and macros.html)."""
    cache = env.__dict__.setdefault("passerelle_parsed", {})
    if name not in cache:
        ast = env.parse(env.loader.get_source(env, name)[0])
        found = meta.find_undeclared_variables(ast), meta.find_referenced_templates(ast)
        cache[name] = frozenset(found[0]), tuple(found[1])
    return cache[name]


def today_from(settings: dict[str, Any]) -> dt.date:
    """`MENTOR_TODAY` (a date or ISO string) lets tests fix the day staleness is judged on."""
    value = settings.get("MENTOR_TODAY")
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value or dt.date.today()


class MentorsGenerator(Generator):
    def generate_context(self) -> None:
        settings = self.settings
        root = Path(self.path)
        shown_from = root.parent
        vocab = load_vocabularies(Path(settings["MENTORS_DATA_DIR"]))
        cache = settings.get("BUILD_CACHE_PATH")
        memo = Memo(Path(cache) / "parsed.pickle" if cache else None)
        sources, problems = read_mentors(
            root / "mentors",
            root / "images",
            vocab,
            shown_from,
            memo=memo,
            workers=self._workers(),
            parallel_from=settings.get("MENTORS_PARALLEL_FROM", 2000),
        )
        folders = [(root / p, True) for p in settings["ARTICLE_PATHS"]]
        folders += [(root / p, False) for p in settings["PAGE_PATHS"]]
        problems += check_sources(folders, vocab, shown_from)
        context = self.context
        magazine = Magazine(
            context.get("articles", []),
            context.get("pages", []),
            vocab,
            shown_from,
            hidden_articles=context.get("hidden_articles", []),
            hidden_pages=context.get("hidden_pages", []),
        )
        problems += magazine.problems
        if problems:
            raise ContentError(problems)
        directory = Directory(
            sources,
            vocab,
            today_from(settings),
            settings["MENTOR_STALE_MONTHS"],
            memo=memo,
            inputs=model_digest(settings),
        )
        self._memo = memo
        self._memo_saved = False  # by a render process (`_write_all`)
        after_pages(settings, self._save_memo, self.output_path, here=True)
        directory.similar = similar.candidates(directory)
        answers = responsiveness.read(settings["MENTORS_DATA_DIR"])
        for views in directory.views.values():
            for slug, view in views.items():  # a view may be the previous build's (the memo)
                view.answers_within_days = answers.get(slug)
        self.site = SiteContext(self.context, directory, magazine)
        self._photos()  # before any page is written: Pelican's articles show mentors' cards
        self.site.state = BuildState(settings.get("BUILD_CACHE_PATH"), self.output_path)
        self.vocab = vocab
        self.context["passerelle"] = self.site
        self.context["directory"] = directory  # read by other plugins (site_search)

    # -- output ---------------------------------------------------------------------------

    def generate_output(self, writer) -> None:
        self._compiled: dict[tuple[str, str], Any] = {}
        self._base_context: dict[tuple[str, str], dict[str, Any]] = {}
        self._envs: dict[str, Any] = {}
        self._jobs: list[tuple[str, str, dict[str, Any]]] = []
        self._prints = Fingerprints(inputs_digest(self.settings), plain=(MentorView, Ref))
        self.site.fingerprints = self._prints  # mentor views' digests, for site_search
        self._skipped = 0
        # With no page written before, every page is rendered: its fingerprint, kept for the
        # next build, is then made by the process that renders it (in parallel, not here).
        self._fingerprint_when_written = not self.site.state.pages
        self._digest_views()
        directory_ready.send(self)
        for lang in urls.LANGS:
            self._profiles(lang)
            self._listings(lang)
            self._indexes(lang)
            self._home(lang)
            self._magazine(lang)
            self._feeds(lang)
        state = self.site.state
        if self.settings.get("BUILD_IN_PLACE"):
            state.before_writing([urls.save_as(job[1]) for job in self._jobs])
        if state.pages:
            log.info("incremental: %d pages unchanged, %d to write", self._skipped, len(self._jobs))
        for lang in urls.LANGS:  # written by site_search, maybe after this generator
            self.site.sitemap.add(urls.section(lang, "search"), context_pairs("search"))
        self._outputs_written = False  # by a render process (`_write_all`)
        self._write_all()
        if not self._outputs_written:
            self._write_outputs()
        state.save_pending()

    def _write_outputs(self) -> None:
        """The sitemap and the relay's manifest, made of the model and the queued pages."""
        out = Path(self.output_path)
        site_url = self.site.site_url or self.settings.get("PREVIEW_URL", "")
        self.site.sitemap.write(out / "sitemap.xml", site_url)
        self._manifest(out / "relay" / "mentors.json")

    def _save_memo(self, site: Path) -> None:
        """Once the pages are written: the memo saved, unless a render process did."""
        if not self._memo_saved:
            self._memo.save()

    def _digest_views(self) -> None:
        """Every view's digest, before site_search may fork: its process finds them done, and
        this one reads the views' parts before they are shared copy-on-write, not after.

        A view made by the directory's key (`Directory.keys`: all its values are made of)
        has the digest of that key and of what was set on it since (photo, time to answer):
        its values follow from them, and they hash in 1 µs where pickling the values took
        25 (0.5 s at 10,000 mentors, before any page could be rendered).
        """
        directory, prints = self.site.directory, self._prints
        for lang, views in directory.views.items():
            for slug, view in views.items():
                key = directory.keys.get(slug)
                if key is None:
                    prints.plain_digest(view)
                    continue
                made_of = f"{lang}\0{key}\0{view.photo!r}\0{view.answers_within_days!r}"
                prints.known(view, text_digest(made_of))

    def _render(self, template: str, lang: str, url: str, translations=None, **extra) -> None:
        """Queue a page unless its inputs are those of the page already there (incremental)."""
        page = self.site.page(lang, url, translations)
        page.update(extra)
        if self._fingerprint_when_written or self.site.state.needs(
            urls.save_as(url), self._fingerprint(template, page), self.output_path
        ):
            self._jobs.append((template, url, page))
        else:
            self._skipped += 1

    def _fingerprint(self, template: str, page: dict[str, Any]) -> str:
        common = self.site.common[page["lang"]]
        own = {key: value for key, value in page.items() if key not in common}
        return self._prints.page(template, own, shared=common)

    def _template(self, name: str, lang: str):
        """Compiled once per language (constant strings translated in), then reused."""
        key = (name, lang)
        if key not in self._compiled:
            if lang not in self._envs:
                constants = {
                    name: str(self.settings.get(name) or "") for name in ("SITEURL", "RELAY_URL")
                }
                env = self._envs[lang] = language_environment(self.env, lang, constants)
                # A global, so templates that import macros without context have it too.
                env.globals["cards_html"] = self._cards(env)
                env.globals["similar_items"] = self._similar_items(env)
                # The macros, made once per language (after the globals they read): importing
                # them on each page costs Jinja a comparison of two sets of globals, in Python.
                env.globals["m"] = env.get_template("macros.html").module
            env = self._envs[lang]
            compiled = self._compiled[key] = env.get_template(name + ".html")
            # Jinja's template globals are a ChainMap over the environment's, which each
            # render copies key by key in Python; every global is set by now.
            compiled.globals = dict(compiled.globals)
            find = partial(_names_used, env, name + ".html", set())
            cache = env.bytecode_cache
            used = cache.names_used(env, name, find) if isinstance(cache, TemplateCache) else find()
            context = self.context
            self._base_context[key] = (
                dict(context) if used is None else {n: context[n] for n in used if n in context}
            )
        return self._compiled[key]

    @staticmethod
    def _similar_items(env):
        """`similar_items(mentors)`: the items `m.similar_list` makes, each rendered once per
        build, language and place (the fourth on are hidden) and joined here: one call a
        profile page instead of a macro call and a cached part an item (~0.05 ms a page)."""
        item = _rendered_once(env, "similar_item")

        def similar_items(mentors: list[MentorView]) -> Markup:
            items = [item(mentor, place >= 3) for place, mentor in enumerate(mentors)]
            return Markup("".join(items))  # noqa: S704 - autoescaped template output

        return similar_items

    @staticmethod
    def _cards(env):
        """`cards_html(mentors, heading)`: the list `m.mentor_cards` makes, from cards rendered
        once each and reused by every listing (one call a page instead of one a card)."""
        card = _rendered_once(env, "mentor_card")

        def cards_html(mentors: list[MentorView], heading: str = "h3") -> Markup:
            items = [f"  <li>{card(mentor, heading)}</li>" for mentor in mentors]
            # As the macro's loop comes out of Pelican's environment (trim_blocks, lstrip_blocks).
            return Markup(f'<ul class="cards" role="list">{"".join(items)}</ul>')  # noqa: S704

        return cards_html

    def _write_jobs(self, jobs) -> dict[str, str]:
        """Render and write `jobs`; the fingerprints `_render` left to make here, by page."""
        made = {}
        for template, url, page in jobs:
            if self._fingerprint_when_written:
                made[urls.save_as(url)] = self._fingerprint(template, page)
            self._write(template, url, page)
        return made

    def _write(self, template: str, url: str, page: dict[str, Any]) -> None:
        compiled = self._template(template, page["lang"])
        ctx = dict(self._base_context[template, page["lang"]])
        ctx.update(page)
        html = compiled.render(ctx)
        path = os.path.join(self.output_path, urls.save_as(url))
        if self.settings.get("BUILD_IN_PLACE"):
            write_atomic(path, html)
        else:  # the staging folder of a full build, served by nobody: no rename needed
            write_new(path, html.encode("utf-8"), new_folder=True)

    def _write_all(self) -> None:
        """Render every queued page; big sites use one process per CPU: this one and
        forked workers.

        Jinja rendering is CPU-bound and pages are independent, so forking after
        the model is built shares it with the workers at no copying cost.
        """
        jobs, self._jobs = self._jobs, []
        state = self.site.state
        workers = self._workers()
        threshold = self.settings.get("MENTORS_PARALLEL_FROM", 2000)
        # One page alone gains nothing from a second process (and leaves no share to fork for).
        if workers < 2 or len(jobs) < max(threshold, 2) or "fork" not in mp.get_all_start_methods():
            self.site.keep_language_results(self.site.run_language_work(urls.LANGS))
            state.rendered(self._write_jobs(jobs))
            return
        shares = Shares(len(jobs), workers)
        global _SHARED
        _SHARED = (self, jobs, shares)
        # The model's objects left out of the workers' garbage collections: a collection
        # would touch every one of them and copy the pages they share with this process.
        gc.freeze()
        try:
            # One share per process, in the jobs' order (a language's pages, then the
            # other's): each touches, and a worker copies, one language's part of the
            # model and keeps one language's cards. Small shares taken in turn made
            # both do both: 58 MB more at 10,000 mentors, for no quicker a build. Only
            # a process done with its own share takes the end of another's.
            langs = _languages_by_share(jobs, shares.initial)
            # This process renders the first share itself: it writes into its own memory
            # pages, where a worker in its place would copy them (and this process sit
            # idle): the peak at 10,000 mentors went from 606-620 MB to 492 MB. Each
            # process compiles the templates of its own pages (one language's).
            # What is written once, and the memo of a build whose process ends with it (no
            # use for it in memory), by the last worker while this process still renders.
            saves = bool(self.settings.get("BUILD_IN_CHILD"))
            last = workers - 1
            with mp.get_context("fork").Pool(last) as pool:
                work = [
                    (part, langs[part], part == last, saves and part == last)
                    for part in range(1, workers)
                ]
                others = pool.starmap_async(_write_share, work, chunksize=1)
                for results, fingerprints in [_write_share(0, langs[0]), *others.get()]:
                    self.site.keep_language_results(results)
                    state.rendered(fingerprints)
            self._outputs_written, self._memo_saved = True, saves
        finally:
            gc.unfreeze()
            _SHARED = None

    def _workers(self) -> int:
        return self.settings.get("MENTORS_RENDER_WORKERS") or os.cpu_count() or 1

    def _photos(self) -> None:
        """Each photo file is resized (or found up to date) once, however many profiles use it."""
        set_default_settings(self.context)
        variants: dict[str, dict[str, Any]] = {}
        for slug, source in self.site.directory.sources.items():
            profile = source.profile
            if profile.photo:
                if profile.photo not in variants:
                    variants[profile.photo] = photo_variants(profile.photo, "", self.context)
                photo = {**variants[profile.photo], "alt": profile.photo_alt or ""}
                self.site.directory.set_photo(slug, photo)

    def _person(self, mentor: MentorView) -> dict[str, Any]:
        data = {
            "@context": "https://schema.org",
            "@type": "Person",
            "name": mentor.name,
            "jobTitle": mentor.occupation,
            "description": mentor.summary,
            "url": self.site.absolute(mentor.url),
            "knowsLanguage": [ref.code for ref in mentor.languages],
            "workLocation": {"@type": "Place", "name": mentor.region.name},
            "knowsAbout": mentor.topics,
        }
        if mentor.photo:
            data["image"] = mentor.photo["src"]
        return data

    def _profiles(self, lang: str) -> None:
        directory, magazine = self.site.directory, self.site.magazine
        for slug in directory.slugs:
            mentor = directory.views[lang][slug]
            self._render(
                "mentor",
                lang,
                mentor.url,
                mentor.translation_urls,
                mentor=mentor,
                related_articles=magazine.related_articles(lang, mentor.sector.code),
                similar_mentors=[directory.views[lang][s] for s in directory.similar[slug]],
                json_ld=self._person(mentor),
            )

    def _listing(self, lang: str, listing: dict[str, Any], slugs: list[str]) -> None:
        views = self.site.directory.views[lang]
        mentors = [views[slug] for slug in slugs]
        other = urls.other(lang)
        other_base = listing["other_url"]
        for url, page_items, paginator in paginate(
            listing["url"], mentors, self.settings["MENTORS_PER_PAGE"]
        ):
            translations = {lang: url, other: urls.page_number(other_base, paginator["number"])}
            self._render(
                "listing",
                lang,
                url,
                translations,
                listing=listing,
                mentors_page=page_items,
                paginator=paginator,
            )

    def _listings(self, lang: str) -> None:
        directory = self.site.directory
        other = urls.other(lang)
        self._listing(
            lang,
            {
                "kind": "all",
                "code": None,
                "name": None,
                "count": len(directory.slugs),
                "url": urls.section(lang, "mentors"),
                "other_url": urls.section(other, "mentors"),
            },
            directory.slugs,
        )
        vocab_refs = self.site.common[lang]["vocab"]
        for kind in ("sector", "region", "language"):
            for ref in vocab_refs[kind + "s"]:
                slugs = directory.groups[kind].get(ref.code)
                if not slugs:
                    continue
                listing = {
                    "kind": kind,
                    "code": ref.code,
                    "name": ref.name,
                    "count": len(slugs),
                    "url": ref.url,
                    "other_url": urls.listing(other, kind, ref.slug),
                }
                self._listing(lang, listing, slugs)

    def _indexes(self, lang: str) -> None:
        vocab_refs = self.site.common[lang]["vocab"]
        for kind in ("sector", "region", "language"):
            entries = [ref for ref in vocab_refs[kind + "s"] if ref.count]
            url = urls.section(lang, urls.LISTING_SECTION[kind])
            self._render("listing_index", lang, url, index={"kind": kind, "entries": entries})

    def _home(self, lang: str) -> None:
        directory = self.site.directory
        views = directory.views[lang]
        self._render(
            "index",
            lang,
            urls.section(lang, "home"),
            newest_mentors=[views[slug] for slug in directory.newest[:6]],
            newest_articles=self.site.magazine.articles[lang][:3],
            mentor_count=sum(1 for slug in directory.slugs if views[slug].accepting),
            json_ld={
                "@context": "https://schema.org",
                "@type": "WebSite",
                "name": self.settings.get("SITENAME", ""),
                "url": self.site.absolute(urls.section(lang, "home")),
                "inLanguage": lang,
            },
        )

    def _magazine(self, lang: str) -> None:
        magazine = self.site.magazine
        common = {
            "categories": magazine.sorted_groups(magazine.categories[lang]),
            "tags": magazine.sorted_groups(magazine.tags[lang]),
        }
        per_page = self.settings["ARTICLES_PER_PAGE"]
        other = urls.other(lang)
        base = urls.section(lang, "articles")
        listings = [({"kind": "magazine", "name": None, "url": base}, magazine.articles[lang])]
        for kind, groups in (("category", magazine.categories), ("tag", magazine.tags)):
            for group in groups[lang].values():
                listing = {"kind": kind, "name": group.name, "url": group.url}
                listings.append((listing, group.articles))
        for listing, articles in listings:
            for url, page_items, paginator in paginate(listing["url"], articles, per_page):
                translations = None
                if listing["kind"] == "magazine":
                    other_url = urls.page_number(
                        urls.section(other, "articles"), paginator["number"]
                    )
                    translations = {lang: url, other: other_url}
                else:
                    translations = {lang: url}
                self._render(
                    "articles",
                    lang,
                    url,
                    translations,
                    listing=listing,
                    articles_page=page_items,
                    paginator=paginator,
                    **common,
                )

    def _feeds(self, lang: str) -> None:
        out = Path(self.output_path)
        site_url = self.site.site_url or self.settings.get("PREVIEW_URL", "")
        limit = self.settings.get("FEED_MAX_ITEMS") or 50
        name = self.settings.get("SITENAME", "")
        articles = self.site.magazine.articles[lang][:limit]
        write_feed(
            out,
            urls.section(lang, "feed_articles"),
            title=f"{name} — articles",
            site_url=site_url,
            link=urls.section(lang, "articles"),
            lang=lang,
            entries=[
                {"title": a.title, "url": a.url, "date": a.date, "summary": a.summary}
                for a in articles
            ],
        )
        views = self.site.directory.views[lang]
        newest = [views[slug] for slug in self.site.directory.newest[:limit]]
        write_feed(
            out,
            urls.section(lang, "feed_mentors"),
            title=f"{name} — mentors",
            site_url=site_url,
            link=urls.section(lang, "mentors"),
            lang=lang,
            entries=[
                {
                    "title": f"{m.name} — {m.occupation}",
                    "url": m.url,
                    "date": m.added,
                    "summary": m.summary,
                }
                for m in newest
            ],
        )

    def _manifest(self, path: Path) -> None:
        default_capacity = self.settings["MENTOR_DEFAULT_CAPACITY"]
        mentors = {}
        for slug in self.site.directory.slugs:
            source = self.site.directory.sources[slug]
            view = self.site.directory.views["fr"][slug]
            mentors[slug] = {
                "name": source.profile.name,
                "lang": source.profile.lang,
                "accepting": view.accepting,
                "sector": source.profile.sector,
                "region": source.profile.region,
                "capacity": source.profile.capacity or default_capacity,
                "similar": self.site.directory.similar[slug],
            }
        write_manifest(
            path,
            mentors,
            regions=[t.code for t in self.vocab.regions],
            situations=[t.code for t in self.vocab.situations],
        )
