// The search page: free text through Pagefind, browsing by facets through the
// precomputed facet file, the state kept in the URL. Labels come from the page
// (#search-config, rendered from the theme catalogs and data/*.yaml).

import { FacetBrowser } from "./search-browse.js";

const FACETS = ["sector", "region", "language", "accepting"];
const PAGE = 10;
const ARTICLES = 5;
const TYPING_DELAY = 80;
// Pagefind's ranking, tuned on tests/data/relevance.yaml: a word that is the query
// (or close to it) beats a longer word it only starts; short records (a profile)
// are not rewarded for being short; repeated words count, but soon saturate.
const RANKING = { termSimilarity: 2.0, pageLength: 0.1, termSaturation: 1.2, termFrequency: 0.6 };

const root = document.getElementById("search");
const config = JSON.parse(document.getElementById("search-config").textContent);
const form = document.getElementById("search-form");
const box = document.getElementById("search-q");
const selects = {
  sector: document.getElementById("search-sector"),
  region: document.getElementById("search-region"),
  language: document.getElementById("search-language"),
};
const acceptingBox = document.getElementById("search-accepting");
const acceptingCount = document.getElementById("search-accepting-count");
const status = document.getElementById("search-status");
const mentorsSection = document.getElementById("search-mentors");
const mentorList = document.getElementById("search-mentor-list");
const moreButton = document.getElementById("search-more");
const articlesSection = document.getElementById("search-articles");
const articleList = document.getElementById("search-article-list");
const moreArticlesButton = document.getElementById("search-more-articles");
const langSwitch = document.querySelector(".lang-switch");
const empty = document.getElementById("search-empty");
const clearButton = document.getElementById("search-clear");
const msg = config.messages;
const plural = new Intl.PluralRules(config.lang);
const browser = new FacetBrowser(config.data);

let pagefind = null;
let filtersLoaded = null;
let costs = null; // what each query word costs (`withinBudget`)
let sequence = 0;
let typingTimer = null;
let current = null; // {kind: "text"|"browse", ...} for "show more"

function say(key, n) {
  const forms = msg[key];
  const text = typeof forms === "string" ? forms : forms[plural.select(n)] || forms.other;
  return text.replace("{n}", String(n));
}

// ---- state <-> form <-> URL ------------------------------------------------

function readForm() {
  return {
    q: box.value.trim(),
    sector: selects.sector.value,
    region: selects.region.value,
    language: selects.language.value,
    accepting: acceptingBox.checked ? "yes" : "",
  };
}

function writeForm(state) {
  box.value = state.q;
  for (const facet of ["sector", "region", "language"]) {
    const select = selects[facet];
    select.value = state[facet];
    if (select.value !== state[facet]) select.value = "";
  }
  acceptingBox.checked = state.accepting === "yes";
}

function fromUrl(search) {
  const params = new URLSearchParams(search);
  const p = config.params;
  return {
    q: (params.get(p.q) || "").trim(),
    sector: params.get(p.sector) || "",
    region: params.get(p.region) || "",
    language: params.get(p.language) || "",
    accepting: params.get(p.accepting) === config.acceptingValue ? "yes" : "",
  };
}

function toUrl(state) {
  const p = config.params;
  const params = new URLSearchParams();
  if (state.q) params.set(p.q, state.q);
  if (state.sector) params.set(p.sector, state.sector);
  if (state.region) params.set(p.region, state.region);
  if (state.language) params.set(p.language, state.language);
  if (state.accepting) params.set(p.accepting, config.acceptingValue);
  const query = params.toString();
  return location.pathname + (query ? "?" + query : "");
}

// The other language's search page, with the same query and filters under its own
// parameter names (the link in the header otherwise drops them).
function followLanguage(state) {
  if (!langSwitch) return;
  const other = config.other;
  const params = new URLSearchParams();
  if (state.q) params.set(other.params.q, state.q);
  for (const facet of ["sector", "region", "language"]) {
    if (state[facet]) params.set(other.params[facet], state[facet]);
  }
  if (state.accepting) params.set(other.params.accepting, other.acceptingValue);
  const query = params.toString();
  langSwitch.href = other.url + (query ? "?" + query : "");
}

function remember(state, push) {
  followLanguage(state);
  const url = toUrl(state);
  if (url === location.pathname + location.search) return;
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

// ---- running a search ------------------------------------------------------

// Pagefind searches in its web worker: a search for a word most profiles hold takes
// 0.3-0.5 s, which on this thread would freeze the page (and typing) each time.
// Its loader, pagefind.js (12 KB), only passes calls on to that worker, so the
// search talks to the worker itself (`inWorker`) and a first search downloads the
// worker alone. Where no worker starts, pagefind.js runs Pagefind on this thread.
async function loadPagefind() {
  loadCosts();
  if (!pagefind) {
    const settings = { baseUrl: config.baseUrl, excerptLength: 24, ranking: RANKING };
    pagefind = inWorker(settings).catch(async () => {
      const module = await import(config.pagefind);
      await module.options({ ...settings, noWorker: true });
      await module.init();
      return module;
    });
  }
  return pagefind;
}

// Pagefind's worker (pagefind-worker.js, the version this site's index was built
// with) answers messages {id, instanceId, method, args} with {id, result} or
// {id, error}; a result's data comes by its id ("getData"), and is let go of once
// the result is ("releaseData"), as pagefind.js does.
async function inWorker(settings) {
  const script = new URL(config.pagefind, location.href);
  if (script.origin !== location.origin) throw new Error("a worker comes from this site only");
  const base = script.pathname.replace(/[^/]*$/, "");
  const worker = new Worker(base + "pagefind-worker.js");
  const waiting = new Map();
  let next = 0;
  const fail = (error) => {
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  worker.addEventListener("error", () => fail(new Error("Pagefind's worker failed")));
  worker.addEventListener("message", ({ data }) => {
    const pending = waiting.get(data.id);
    waiting.delete(data.id);
    if (pending && data.error) pending.reject(new Error(data.error));
    else if (pending) pending.resolve(data.result);
  });
  const call = (method, ...args) =>
    new Promise((resolve, reject) => {
      const id = `m${next++}`;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, instanceId: "search", method, args });
    });
  const released = new FinalizationRegistry((id) => call("releaseData", id).catch(() => {}));
  const language = (document.documentElement.getAttribute("lang") || "unknown").toLowerCase();
  try {
    await call("init", { ...settings, basePath: base, language, primary: true });
  } catch (error) {
    worker.terminate();
    throw error;
  }
  return {
    async search(term, options = {}) {
      const found = await call("search", term, options);
      for (const result of found.results) {
        const id = result.data;
        released.register(result, id);
        result.data = () => call("getData", id);
      }
      return found;
    },
    preload: (term, options = {}) => call("preload", term, options),
    async destroy() {
      await call("destroy").catch(() => {});
      worker.terminate();
      fail(new Error("Pagefind was let go of"));
    },
  };
}

// The facets' filters (one a facet, each listing every value's pages), loaded once
// after the first results are on screen, so later searches return counts for all
// facets without delaying the first one. A preload names them: Pagefind loads the
// chunks a search would need and stops there (pf.filters() would load every value's
// filter too, ~115 of them).
function loadFilters(pf, query) {
  if (!filtersLoaded) {
    const facets = Object.fromEntries(FACETS.map((facet) => [facet, []]));
    filtersLoaded = pf.preload(query, { filters: facets });
  }
  return filtersLoaded;
}

function selectedFacets(state) {
  const selected = {};
  for (const facet of FACETS) if (state[facet]) selected[facet] = state[facet];
  return selected;
}

// Each facet value is also a Pagefind filter of its own (site_search.records,
// FACET_VALUE): a search narrowed by a value downloads that value's page list, not
// the facet's whole chunk (which only the counts load, `loadFilters`).
function facetFilter(facet, value) {
  return config.facetFilter.replace("{facet}", facet).replace("{value}", value);
}

function pagefindFilters(selected) {
  const filters = {};
  for (const [facet, value] of Object.entries(selected)) filters[facetFilter(facet, value)] = "1";
  return filters;
}

// A page left open while the site is published again holds the old index's page
// table, whose fragments are gone (their names change every build:
// site_search.pagefind_compact). Pagefind is then loaded again, once, and the search rerun.
async function reloadPagefind() {
  if (!pagefind) return false;
  const stale = pagefind;
  pagefind = null;
  filtersLoaded = null;
  costs = null; // the new index's chunks have other ranges
  try {
    await (await stale).destroy();
  } catch {
    // it never loaded: nothing to free
  }
  return true;
}

// `attempt()`; when it fails with Pagefind loaded, Pagefind loaded again and `retry()`.
async function withFreshIndex(attempt, retry = attempt) {
  try {
    return await attempt();
  } catch (error) {
    if (!(await reloadPagefind())) throw error;
    return retry();
  }
}

async function run(state) {
  const mine = ++sequence;
  root.setAttribute("aria-busy", "true");
  try {
    if (state.q) await withFreshIndex(() => runText(state, mine));
    else if (Object.keys(selectedFacets(state)).length) await runBrowse(state, mine);
    else if (mine === sequence) showIdle();
  } catch (error) {
    if (mine === sequence) showFailure(error);
  } finally {
    if (mine === sequence) root.removeAttribute("aria-busy");
  }
}

// The index is not stemmed (site_search.pagefind_index): a query word matches the
// words it starts. Plural and feminine endings are trimmed from the query so that
// "infirmières" finds "infirmier" and "mécanicienne" finds "mécanicien", without
// the stemmer's leaps ("génie" -> "gen" -> "gens", "générale").
const ENDINGS = {
  fr: [[/ennes?$/, "en"], [/(ière|iere)s?$/, "ier"], [/euses?$/, "eu"], [/elles?$/, "el"],
       [/ées?$/, "é"], [/([^aeiouyéè])es$/, "$1"], [/aux$/, "a"], [/([^s])s$/, "$1"], [/x$/, ""]],
  en: [[/ies$/, "i"], [/ing$/, ""], [/([^s])s$/, "$1"]],
};

function stemless(query) {
  const rules = ENDINGS[config.lang] || [];
  return query
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => {
      if (word.length < 5 || /^".*"$/.test(word)) return word;
      for (const [ending, replacement] of rules) {
        const trimmed = word.toLowerCase().replace(ending, replacement);
        if (trimmed !== word.toLowerCase()) return trimmed.length >= 4 ? trimmed : word;
      }
      return word;
    })
    .join(" ");
}

// Profiles' records leave out function words and elided articles (site_search.stopwords):
// so does a query, or "technicien de laboratoire" would need a "de" no profile holds.
const STOPWORDS = new Set(config.stopwords);
const ELIDED = new RegExp(`^(?:${config.elision})['’]`, "i");

function withoutStopwords(query) {
  const words = query
    .split(/\s+/)
    .map((word) => word.replace(ELIDED, ""))
    .filter((word) => word && !STOPWORDS.has(word.toLowerCase()));
  return words.length ? words.join(" ") : query;
}

function fold(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

function bare(word) {
  return fold(word).replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
}

// When no indexed word starts with a query word, Pagefind falls back on a shorter
// one that the query word starts with ("mecanicen" finds "me", "programmeur" finds
// "programme"). That happens for the whole index at once, so the top result tells:
// if none of its matched words starts with each query word, nothing really matches.
function genuine(data, query) {
  const words = data.content.split(/\s+/);
  const found = data.locations.map((at) => bare(words[at] || ""));
  return query
    .split(/\s+/)
    .map(bare)
    .filter((term) => term.length > 1)
    .every((term) => found.some((word) => word.startsWith(term) || word.split(/[-'’/]/).some((part) => part.startsWith(term))));
}

// ---- keeping any query light -----------------------------------------------

// Pagefind downloads one index chunk for each query word; a word most profiles hold
// has a big one of its own, so a query of enough such words would have no bound.
// The index publishes every chunk's range and bytes and a budget
// (site_search.query_costs): a query keeps its cheapest words while their chunks fit,
// and leaves out the costliest, the words most profiles hold, saying which. Without
// that file (an index from before it, a failed download), every word is kept.
function loadCosts() {
  costs ||= fetch(config.costs)
    .then((response) => (response.ok ? response.json() : null))
    .then((table) => (usable(table) ? table : null))
    .catch(() => null);
  return costs;
}

function usable(table) {
  const counts = [table?.budget, table?.request, table?.filter];
  return counts.every(Number.isFinite) && Array.isArray(table.chunks) && !!table.filters;
}

// A word as Pagefind's worker hands it to its index: punctuation dropped, lower case,
// accents taken off (pagefind-worker.js, `search`).
const PUNCTUATION = /[\p{Pd}\p{Pe}\p{Pf}\p{Pi}\p{Po}\p{Ps}]/u;

function indexed(word) {
  const kept = Array.from(word, (c) => (PUNCTUATION.test(c) ? "" : c.toLocaleLowerCase())).join("");
  return kept.normalize("NFD").replace(/\p{M}/gu, "");
}

// The chunk Pagefind loads for `term`: the first whose range holds it; where it falls
// between two ranges, the one Pagefind falls back on when no query word has a range
// (pagefind_web, `request_indexes`). Counting that one either way keeps the bound.
function chunkOf(chunks, term) {
  const holding = chunks.findIndex(([from, to]) => term >= from && term <= to);
  if (holding >= 0 || !term) return holding;
  const starts = (bound, n) => [term.slice(0, Math.min(n, bound.length)), bound.slice(0, n)];
  return chunks.findIndex(([from, to]) => {
    const [head, low] = starts(from, term.length);
    const [tail, high] = starts(to, term.length);
    return head >= low && tail <= high;
  });
}

// Which of `terms` a search narrowed by `filters` keeps within the budget, and which
// it leaves out (indexes into `terms`). The filters come first (a facet value's is
// listed if costly, else at most `filter`); then the cheapest words, a chunk counted
// once; at least one word. A quoted phrase keeps its first words, so that what it
// keeps is still a phrase.
function withinBudget(terms, table, phrase, filters) {
  const all = terms.map((_, i) => i);
  if (!table) return { kept: all, left: [] };
  const chunks = table.chunks;
  const filterCost = (name) => (table.filters[name] ?? table.filter) + table.request;
  const budget = filters.reduce((left, name) => left - filterCost(name), table.budget);
  const chunk = terms.map((term) => chunkOf(chunks, indexed(term)));
  const cost = (i) => (chunk[i] >= 0 ? chunks[chunk[i]][2] + table.request : 0);
  const order = phrase ? all : [...all].sort((a, b) => cost(a) - cost(b));
  const taken = new Set();
  const kept = [];
  const left = [];
  let spent = 0;
  for (const i of order) {
    const extra = taken.has(chunk[i]) ? 0 : cost(i);
    if (kept.length && (spent + extra > budget || (phrase && left.length))) {
      left.push(i);
      continue;
    }
    kept.push(i);
    spent += extra;
    taken.add(chunk[i]);
  }
  return { kept: kept.sort((a, b) => a - b), left: left.sort((a, b) => a - b) };
}

// The query Pagefind runs for what was typed, narrowed by `filters` (their names),
// and the words it leaves out (as typed).
async function prepared(typed, filters) {
  const phrase = /^\s*".+"\s*$/.test(typed); // Pagefind's exact search: its words unstemmed
  const text = withoutStopwords(typed);
  const words = (phrase ? text.replace(/"/g, "") : text).split(/\s+/).filter(Boolean);
  const terms = phrase ? words : words.map(stemless);
  const { kept, left } = withinBudget(terms, await loadCosts(), phrase, filters);
  const query = kept.map((i) => terms[i]).join(" ");
  return { query: phrase ? `"${query}"` : query, leftOut: left.map((i) => words[i]) };
}

// What a text search narrows mentors by: each chosen facet value's filter, and not the
// articles (only they carry a `type`, site_search.records: its chunk stays tiny).
function mentorFilters(state) {
  return { ...pagefindFilters(selectedFacets(state)), not: { type: "article" } };
}

// The filters a search narrowed by `filters` downloads: every name in it.
function filterNames(filters) {
  return Object.entries(filters).flatMap(([name, value]) => (name === "not" ? Object.keys(value) : [name]));
}

async function runText(state, mine) {
  const filters = mentorFilters(state);
  const typed = prepared(state.q, filterNames(filters));
  const [pf, { query, leftOut }] = await Promise.all([loadPagefind(), typed]);
  const selected = selectedFacets(state);
  const [mentors, articles] = await Promise.all([
    pf.search(query, { filters }),
    pf.search(query, { filters: { type: "article" } }),
  ]);
  if (mine !== sequence) return;
  for (const found of [mentors, articles]) {
    if (found.results.length && !genuine(await found.results[0].data(), query)) found.results = [];
  }
  if (mine !== sequence) return;
  current = { kind: "text", results: mentors.results, articles: articles.results, shown: 0, query, filters };
  const [firstMentors, firstArticles] = await Promise.all([
    Promise.all(mentors.results.slice(0, PAGE).map((r) => r.data())),
    Promise.all(articles.results.slice(0, ARTICLES).map((r) => r.data())),
  ]);
  if (mine !== sequence) return;
  render({
    total: mentors.results.length,
    cards: firstMentors.map(fromPagefind),
    articles: firstArticles,
    articleTotal: articles.results.length,
    leftOut,
    state,
  });
  current.shown = firstMentors.length;
  current.articlesShown = firstArticles.length;

  await loadFilters(pf, query);
  // A selected facet is counted as if it were not selected, so its other values
  // say how many results choosing them would give.
  const facets = Object.keys(selected);
  const counted = await Promise.all([
    pf.search(query, { filters }),
    ...facets.map((facet) => {
      const rest = { ...filters };
      delete rest[facetFilter(facet, selected[facet])];
      return pf.search(query, { filters: rest });
    }),
  ]);
  if (mine !== sequence) return;
  const counts = {};
  const none = mentors.results.length === 0; // nothing matches: no value has a result
  for (const facet of FACETS) counts[facet] = none ? {} : counted[0].filters[facet] || {};
  facets.forEach((facet, i) => (counts[facet] = none ? {} : counted[i + 1].filters[facet] || {}));
  updateFacets(counts, state);
  settled(state, mentors.results.length);
}

async function runBrowse(state, mine) {
  const result = await browser.query(selectedFacets(state));
  const cards = await browser.cards(result, 0, PAGE);
  if (mine !== sequence) return;
  current = { kind: "browse", result, shown: cards.length };
  render({ total: result.total, cards, articles: [], articleTotal: 0, state });
  updateFacets(result.counts, state);
  settled(state, result.total);
}

async function showMore() {
  if (!current) return;
  const mine = sequence;
  const start = current.shown;
  let cards;
  if (current.kind === "text") {
    const next = () => Promise.all(current.results.slice(start, start + PAGE).map((r) => r.data()));
    // Published again under this page (reloadPagefind): the same search on the new index.
    const data = await withFreshIndex(next, async () => {
      const found = await (await loadPagefind()).search(current.query, { filters: current.filters });
      current.results = found.results;
      return next();
    });
    cards = data.map(fromPagefind);
  } else {
    cards = await browser.cards(current.result, start, start + PAGE);
  }
  if (mine !== sequence) return;
  const items = cards.map(mentorItem);
  mentorList.append(...items);
  current.shown += cards.length;
  moreButton.hidden = current.shown >= total();
  if (items[0]) items[0].querySelector("a").focus();
  status.textContent = say("shown", current.shown);
}

async function showMoreArticles() {
  if (!current || current.kind !== "text") return;
  const start = current.articlesShown;
  const data = await Promise.all(current.articles.slice(start, start + ARTICLES).map((r) => r.data()));
  const items = data.map(articleItem);
  articleList.append(...items);
  current.articlesShown += data.length;
  moreArticlesButton.hidden = current.articlesShown >= current.articles.length;
  if (items[0]) items[0].querySelector("a").focus();
  status.textContent = say("articlesShown", current.articlesShown);
}

function total() {
  return current.kind === "text" ? current.results.length : current.result.total;
}

// A record is indexed as `w52/mentors/x.html` for the page at `mentors/x/`: in a folder named
// for its number of words, then at the page's path (site_search.records.record_name).
function pageUrl(data) {
  const path = data.url.slice(config.baseUrl.length).replace(/^w\d+\//, "");
  return config.baseUrl + path.replace(/\.html$/, "/");
}

// A photo's URL comes as one opaque word (site_search.records.opaque): letters, then its UTF-8
// in hex. As plain text, Pagefind would search its words ("mentor", "photo", "jpg").
function fromOpaque(word) {
  const hex = (word || "").replace(/^[g-z]+/, "");
  const bytes = (hex.match(/[0-9a-f]{2}/g) || []).map((pair) => parseInt(pair, 16));
  return new TextDecoder().decode(new Uint8Array(bytes));
}

function fromPagefind(data) {
  const f = data.filters || {};
  return {
    url: pageUrl(data),
    name: data.meta.title,
    occupation: data.meta.occupation || "",
    region: (f.region || [])[0] || "",
    accepting: (f.accepting || [])[0] === "yes",
    photo: fromOpaque(data.meta.photo),
  };
}

// ---- rendering -------------------------------------------------------------

// Results on screen: the event "search-results" marks it (bench/search.py times it).
function render({ total: count, cards, articles, articleTotal, leftOut = [], state }) {
  mentorList.replaceChildren(...cards.map(mentorItem));
  mentorsSection.hidden = count === 0;
  moreButton.hidden = cards.length >= count;
  articleList.replaceChildren(...articles.map(articleItem));
  articlesSection.hidden = articles.length === 0;
  moreArticlesButton.hidden = articles.length >= articleTotal;
  empty.hidden = count > 0;
  const parts = [say("mentorsFound", count)];
  if (state.q && articleTotal) parts.push(say("articlesFound", articleTotal));
  if (leftOut.length) parts.push(say("leftOut", leftOut.length).replace("{words}", quoted(leftOut)));
  if (count === 0 && articles.length === 0) parts.push(msg.emptyHint);
  status.textContent = parts.join(" ");
  const detail = { total: count, query: state.q, leftOut };
  root.dispatchEvent(new CustomEvent("search-results", { detail }));
}

function quoted(words) {
  const list = new Intl.ListFormat(config.lang, { type: "conjunction" });
  return list.format(words.map((word) => msg.quoted.replace("{word}", word)));
}

// Results and facet counts are all up to date: "search-rendered" (tests wait on it).
function settled(state, count) {
  root.dispatchEvent(new CustomEvent("search-rendered", { detail: { total: count, query: state.q } }));
}

function showIdle() {
  current = null;
  mentorList.replaceChildren();
  articleList.replaceChildren();
  mentorsSection.hidden = true;
  articlesSection.hidden = true;
  empty.hidden = true;
  restoreStaticCounts();
  status.textContent = msg.idle;
}

function showFailure(error) {
  console.error("search failed:", error);
  mentorsSection.hidden = true;
  articlesSection.hidden = true;
  empty.hidden = false;
  status.textContent = msg.failure;
}

function updateFacets(counts, state) {
  for (const facet of ["sector", "region", "language"]) {
    for (const option of selects[facet].options) {
      if (!option.value) continue;
      const n = counts[facet][option.value] || 0;
      option.textContent = `${option.dataset.name} (${n})`;
      // A value with no result is taken out of the list, unless it is the one chosen.
      option.disabled = option.hidden = n === 0 && state[facet] !== option.value;
    }
  }
  acceptingCount.textContent = `(${counts.accepting.yes || 0})`;
}

function restoreStaticCounts() {
  for (const facet of ["sector", "region", "language"]) {
    for (const option of selects[facet].options) {
      if (!option.value) continue;
      option.textContent = `${option.dataset.name} (${option.dataset.count})`;
      option.disabled = option.hidden = false;
    }
  }
  acceptingCount.textContent = acceptingCount.dataset.count ? `(${acceptingCount.dataset.count})` : "";
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

/** The same two initials as the listing cards show for a mentor without a photo. */
function initialsOf(name) {
  return (name || "")
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0].toUpperCase())
    .join("");
}

function mentorItem(card) {
  const item = element("li", "search-card");
  if (card.photo) {
    const img = element("img", "search-card-photo");
    img.src = card.photo;
    img.alt = "";
    img.width = 72;
    img.height = 72;
    img.loading = "lazy";
    item.append(img);
  } else {
    const initials = element("span", "search-card-photo search-card-nophoto", initialsOf(card.name));
    initials.setAttribute("aria-hidden", "true");
    item.append(initials);
  }
  const body = element("div", "search-card-body");
  const title = element("h3", "search-card-name");
  const link = element("a", null, card.name);
  link.href = card.url;
  title.append(link);
  body.append(title);
  if (card.occupation) body.append(element("p", "search-card-occupation", card.occupation));
  const details = element("p", "search-card-details");
  details.append(element("span", "search-card-region", config.regionNames[card.region] || ""));
  details.append(
    element(
      "span",
      card.accepting ? "search-card-status is-accepting" : "search-card-status",
      card.accepting ? msg.accepting : msg.notAccepting,
    ),
  );
  body.append(details);
  item.append(body);
  return item;
}

function articleItem(data) {
  const item = element("li", "search-article");
  const title = element("h3", "search-article-title");
  const link = element("a", null, data.meta.title);
  link.href = pageUrl(data);
  title.append(link);
  item.append(title, element("p", "search-article-excerpt", data.plain_excerpt || ""));
  return item;
}

// ---- events ----------------------------------------------------------------

function submitNow(push) {
  clearTimeout(typingTimer);
  const state = readForm();
  remember(state, push);
  run(state);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  submitNow(true);
});
// Start loading Pagefind as soon as someone is about to type, not on page load:
// a visitor who only browses facets never downloads it.
box.addEventListener("focus", () => loadPagefind().catch(() => {}), { once: true });
box.addEventListener("input", () => {
  clearTimeout(typingTimer);
  const term = box.value.trim();
  if (term) {
    Promise.all([loadPagefind(), prepared(term, filterNames(mentorFilters(readForm())))])
      .then(([pf, { query }]) => pf.preload(query))
      .catch(() => {});
  }
  typingTimer = setTimeout(() => submitNow(false), TYPING_DELAY);
});
for (const select of Object.values(selects)) select.addEventListener("change", () => submitNow(true));
acceptingBox.addEventListener("change", () => submitNow(true));
moreButton.addEventListener("click", () => showMore().catch(showFailure));
moreArticlesButton.addEventListener("click", () => showMoreArticles().catch(showFailure));
clearButton.addEventListener("click", () => {
  writeForm({ q: box.value.trim(), sector: "", region: "", language: "", accepting: "" });
  submitNow(true);
  box.focus();
});
// The form drops what the URL holds but the page does not offer (a stale or
// mistyped link), so the search runs on what the visitor sees.
function restore() {
  writeForm(fromUrl(location.search));
  const state = readForm();
  remember(state, false);
  run(state);
}

window.addEventListener("popstate", restore);

for (const select of Object.values(selects)) {
  for (const option of select.options) if (option.value) option.dataset.name ||= option.textContent;
}
// The filters are inert without this script; open on a wide screen or when one is set,
// folded on a phone so the first screen shows results.
const filters = document.getElementById("search-facets");
filters.hidden = false;
filters.open =
  matchMedia("(min-width: 48rem)").matches ||
  Object.values(selectedFacets(fromUrl(location.search))).some(Boolean);
root.classList.add("search-ready");
restore();
