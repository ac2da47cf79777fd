// The search page (/search/?q=...): results as you type, keyboard navigation, the query
// in the URL.  The engine (search.js) and the index are fetched only when a query needs
// them, so the page itself never waits for them.  Paper text is put on the page with
// textContent and <mark> elements, never as HTML.

const form = document.querySelector("[data-search-page]");
const input = document.getElementById("search-input");
const status = document.querySelector("[data-search-status]");
const list = document.querySelector("[data-search-results]");
const PAGE = 20;
const DEBOUNCE_MS = 180;

let engine = null; // {module, index} once loaded
let loading = null;
let sequence = 0; // answers to older queries are dropped
let shown = { query: "", hits: [], total: 0, terms: [] };
let selected = -1;
let committed = true; // the next typed query starts a new history entry

function loadEngine() {
  if (!loading) {
    // Resolved against the page: a bare import() would resolve against this module.
    loading = import(new URL(form.dataset.engineUrl, document.baseURI).href).then(async (module) => {
      const metaUrl = new URL(form.dataset.metaUrl, document.baseURI).href;
      engine = { module, index: await module.StaticIndex.open(metaUrl) };
      return engine;
    });
    loading.catch(() => {
      loading = null; // let a later query try again
    });
  }
  return loading;
}

function setStatus(text, isError = false) {
  status.textContent = text;
  status.classList.toggle("error", isError);
}

function queryFromUrl() {
  return new URLSearchParams(window.location.search).get("q") || "";
}

function urlFor(query) {
  const url = new URL(window.location.href);
  if (query) url.searchParams.set("q", query);
  else url.searchParams.delete("q");
  return url.href;
}

function remember(query, push) {
  if (query === queryFromUrl()) return;
  if (push) window.history.pushState({ q: query }, "", urlFor(query));
  else window.history.replaceState({ q: query }, "", urlFor(query));
}

async function run(query, { push = false } = {}) {
  const mine = ++sequence;
  const text = query.trim();
  remember(text, push);
  document.title = text ? `${text} · Search` : "Search";
  if (!text) {
    clear();
    setStatus("");
    done("");
    return;
  }
  list.setAttribute("aria-busy", "true");
  if (!engine) setStatus("Loading the search index…");
  let answer;
  try {
    const { module, index } = await loadEngine();
    answer = await module.search(index, text, PAGE);
    if (mine !== sequence) return;
    shown = { query: text, hits: answer.hits, total: answer.total, terms: module.highlightTerms(answer.query) };
  } catch (error) {
    if (mine !== sequence) return;
    clear();
    if (engine && error instanceof engine.module.QueryError) setStatus(error.message, true);
    else setStatus(`Search is unavailable: the search index could not be loaded (${error.message}).`, true);
    done(text);
    return;
  }
  await render(mine);
}

/** Mark the results as the settled answer to ``query`` (assistive tech and tests wait on it). */
function done(query) {
  list.dataset.query = query;
  list.setAttribute("aria-busy", "false");
}

function clear() {
  list.replaceChildren();
  selected = -1;
  shown = { query: "", hits: [], total: 0, terms: [] };
}

async function render(mine) {
  const { index } = engine;
  const docs = await Promise.all(shown.hits.map((h) => index.document(h.docnum).catch(() => null)));
  if (mine !== sequence) return;
  list.replaceChildren();
  selected = -1;
  docs.forEach((doc, i) => {
    if (doc) list.append(resultItem(doc, i));
  });
  if (!shown.total) setStatus(`No papers match “${shown.query}”. Try fewer words, or a word’s beginning followed by *.`);
  else if (shown.total > shown.hits.length) {
    setStatus(`${shown.total.toLocaleString("en")} papers match; showing the best ${shown.hits.length}.`);
    list.append(moreButton());
  } else setStatus(shown.total === 1 ? "1 paper matches." : `${shown.total.toLocaleString("en")} papers match.`);
  done(shown.query);
}

function moreButton() {
  const li = document.createElement("li");
  li.className = "search-more";
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Show more results";
  button.addEventListener("click", async () => {
    const mine = ++sequence;
    const { module, index } = engine;
    const answer = await module.search(index, shown.query, shown.hits.length + PAGE);
    if (mine !== sequence) return;
    shown.hits = answer.hits;
    await render(mine);
  });
  li.append(button);
  return li;
}

function resultItem(doc, i) {
  const root = new URL(form.dataset.siteRoot, document.baseURI);
  const li = document.createElement("li");
  li.id = `search-result-${i}`;
  const heading = document.createElement("h2");
  const a = document.createElement("a");
  a.href = new URL(`papers/${encodeURIComponent(doc.slug)}/`, root).href;
  const bdi = document.createElement("bdi");
  appendMarked(bdi, doc.title, "title");
  a.append(bdi);
  a.addEventListener("click", () => remember(shown.query, false));
  heading.append(a);
  const meta = document.createElement("p");
  meta.className = "meta";
  const time = document.createElement("time");
  time.dateTime = doc.joined;
  time.textContent = doc.joined;
  meta.append(time);
  if (doc.collections.length) meta.append(` · ${doc.collections.join(", ")}`);
  const summary = document.createElement("p");
  summary.className = "summary";
  appendMarked(summary, ...snippet(doc.abstract));
  li.append(heading, meta, summary);
  return li;
}

function matcher(field) {
  const terms = shown.terms.filter((t) => t.field === field || t.field === "abstract" || t.field === "title");
  return (stemmed) => terms.some((t) => (t.prefix ? stemmed.startsWith(t.text) : stemmed === t.text));
}

/** Append ``text`` to ``parent`` with the query's words wrapped in <mark>. */
function appendMarked(parent, text, field = "abstract", prefix = "", suffix = "") {
  const analyzer = engine.index.analyzer;
  const isMatch = matcher(field);
  let at = 0;
  if (prefix) parent.append(prefix);
  for (const token of analyzer.analyze("text", text)) {
    if (!isMatch(token.text)) continue;
    if (token.start > at) parent.append(text.slice(at, token.start));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(token.start, token.end);
    parent.append(mark);
    at = token.end;
  }
  if (at < text.length) parent.append(text.slice(at));
  if (suffix) parent.append(suffix);
}

/** The passage of the abstract (about 260 characters) with the most matched words. */
function snippet(abstract, size = 260) {
  const isMatch = matcher("abstract");
  const hits = engine.index.analyzer.analyze("text", abstract).filter((t) => isMatch(t.text));
  let start = 0;
  let best = -1;
  for (const h of hits) {
    const count = hits.filter((o) => o.start >= h.start && o.end <= h.start + size).length;
    if (count > best) {
      best = count;
      start = Math.max(0, h.start - 60);
    }
  }
  if (start > 0) {
    const space = abstract.indexOf(" ", start);
    start = space >= 0 && space < start + 30 ? space + 1 : start;
  }
  let end = Math.min(abstract.length, start + size);
  if (end < abstract.length) {
    const space = abstract.lastIndexOf(" ", end);
    end = space > start ? space : end;
  }
  return [abstract.slice(start, end), "abstract", start > 0 ? "… " : "", end < abstract.length ? " …" : ""];
}

function select(i) {
  const items = [...list.querySelectorAll("li[id^='search-result-']")];
  if (!items.length) return;
  selected = Math.max(-1, Math.min(items.length - 1, i));
  items.forEach((li, n) => li.setAttribute("aria-selected", String(n === selected)));
  if (selected >= 0) {
    input.setAttribute("aria-activedescendant", items[selected].id);
    items[selected].scrollIntoView({ block: "nearest" });
  } else input.removeAttribute("aria-activedescendant");
}

let timer = null;
input.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => {
    run(input.value, { push: committed });
    committed = false;
  }, DEBOUNCE_MS);
});
input.addEventListener("focus", () => loadEngine().catch(() => {}), { once: true });
input.addEventListener("keydown", (event) => {
  if (event.key === "ArrowDown") {
    event.preventDefault();
    select(selected + 1);
  } else if (event.key === "ArrowUp") {
    event.preventDefault();
    select(selected - 1);
  } else if (event.key === "Enter" && selected >= 0) {
    event.preventDefault();
    const link = list.querySelector(`#search-result-${selected} a`);
    if (link) {
      remember(shown.query, false);
      window.location.href = link.href;
    }
  } else if (event.key === "Escape") {
    select(-1);
  }
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(timer);
  run(input.value, { push: committed });
  committed = true;
});
window.addEventListener("popstate", () => {
  input.value = queryFromUrl();
  committed = true;
  run(input.value);
});

input.value = queryFromUrl();
if (input.value) run(input.value);
if (!("ontouchstart" in window)) input.focus();
