// Browse by facets without a query, from the precomputed facet file
// (search-data/<lang>/facets.json) and pages of cards grouped by facet value.
// Pagefind would download its whole index for a filter-only search; this
// downloads one small columnar file and only the card pages it shows.

const FACETS = ["sector", "region", "language", "accepting"];

export class FacetBrowser {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    this.data = null;
    this.pages = new Map();
  }

  async load() {
    if (!this.data) {
      const response = await fetch(this.baseUrl + "facets.json");
      if (!response.ok) throw new Error(`facets.json: HTTP ${response.status}`);
      this.data = decode(await response.json());
    }
    return this.data;
  }

  // Counts per facet value (each facet counted with the other facets applied)
  // and the positions of the matching mentors, in display order.
  async query(selected) {
    const data = await this.load();
    const active = FACETS.filter((f) => selected[f]);
    const wanted = {};
    for (const facet of active) wanted[facet] = data.index[facet].get(selected[facet]);
    const counts = {};
    for (const facet of FACETS) counts[facet] = new Array(data.values[facet].length).fill(0);
    const matches = [];
    for (let p = 0; p < data.count; p++) {
      let misses = 0;
      let missed = null;
      for (const facet of active) {
        if (!has(data, facet, p, wanted[facet])) {
          misses += 1;
          missed = facet;
          if (misses > 1) break;
        }
      }
      if (misses > 1) continue;
      if (misses === 1) {
        countRow(data, missed, p, counts);
        continue;
      }
      matches.push(p);
      for (const facet of FACETS) countRow(data, facet, p, counts);
    }
    const named = {};
    for (const facet of FACETS) {
      named[facet] = {};
      data.values[facet].forEach((code, i) => (named[facet][code] = counts[facet][i]));
    }
    return { total: matches.length, counts: named, matches, group: this.group(data, active, selected) };
  }

  // The rarest selected value: its card pages hold every match. (Browsing
  // always has at least one selected value; with none the page is idle.)
  group(data, active, selected) {
    let best = null;
    for (const facet of active) {
      const members = data.members(facet, data.index[facet].get(selected[facet]));
      if (!best || members.length < best.members.length) {
        best = { facet, value: selected[facet], members };
      }
    }
    return best;
  }

  // Cards for matches [start, end): fetches only the pages that hold them.
  async cards(result, start, end) {
    const data = await this.load();
    const wanted = result.matches.slice(start, end);
    const { facet, value, members } = result.group;
    const rankOf = new Map(members.map((p, rank) => [p, rank]));
    const ranks = wanted.map((p) => rankOf.get(p));
    const pageNumbers = [...new Set(ranks.map((r) => Math.floor(r / data.pageSize)))];
    const pages = await Promise.all(pageNumbers.map((n) => this.page(facet, value, n)));
    const byNumber = new Map(pageNumbers.map((n, i) => [n, pages[i]]));
    return ranks.map((r) => toCard(byNumber.get(Math.floor(r / data.pageSize))[r % data.pageSize]));
  }

  async page(facet, value, number) {
    const key = `${facet}/${encodeURIComponent(value)}/${number}.json`;
    if (!this.pages.has(key)) {
      this.pages.set(
        key,
        fetch(this.baseUrl + key).then((r) => {
          if (!r.ok) throw new Error(`${key}: HTTP ${r.status}`);
          return r.json().then((doc) => doc.cards);
        }),
      );
    }
    return this.pages.get(key);
  }
}

function decode(doc) {
  const { alphabet, values, widths, columns, count } = doc;
  const digit = new Map([...alphabet].map((c, i) => [c, i]));
  const read = (text, width) => {
    const out = [];
    for (let i = 0; i < text.length; i += width) {
      let n = 0;
      for (let j = 0; j < width; j++) n = n * alphabet.length + digit.get(text[i + j]);
      out.push(n);
    }
    return out;
  };
  const cols = {};
  for (const facet of FACETS) {
    cols[facet] =
      facet === "language"
        ? (count ? columns[facet].split(".") : []).map((part) => read(part, widths[facet]))
        : read(columns[facet], widths[facet]);
  }
  const index = {};
  for (const facet of FACETS) index[facet] = new Map(values[facet].map((code, i) => [code, i]));
  const memberCache = new Map();
  return {
    count,
    values,
    cols,
    index,
    pageSize: doc.page_size,
    members(facet, i) {
      const key = `${facet}:${i}`;
      if (!memberCache.has(key)) {
        const list = [];
        for (let p = 0; p < count; p++) if (has(this, facet, p, i)) list.push(p);
        memberCache.set(key, list);
      }
      return memberCache.get(key);
    },
  };
}

function has(data, facet, position, valueIndex) {
  const cell = data.cols[facet][position];
  return facet === "language" ? cell.includes(valueIndex) : cell === valueIndex;
}

function countRow(data, facet, position, counts) {
  const cell = data.cols[facet][position];
  if (facet === "language") for (const i of cell) counts[facet][i] += 1;
  else counts[facet][cell] += 1;
}

function toCard(row) {
  const [url, name, occupation, sector, region, languages, accepting, photo, photoAlt] = row;
  return { url, name, occupation, sector, region, languages, accepting: accepting === 1, photo, photoAlt };
}
