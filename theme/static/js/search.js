// Papershelf's search engine for the browser: Whoosh's query language and BM25F ranking,
// answered from the static shards that the build exports from the Whoosh index
// (generator/search/export.py).  Analysis, parsing and scoring follow Whoosh step by step
// (whoosh.analysis, whoosh.qparser, whoosh.query, whoosh.scoring) so that a query returns
// the same papers in the same order as `papershelf search`; tests/test_search_parity.py
// holds the two to it.  Nothing here touches the page: search-page.js does the rendering.

// ---------------------------------------------------------------------------------------
// Analysis (whoosh.analysis): tokenizer, lowercase, stop words, Porter stemmer.

// Python's \w and \s, which are Unicode-aware; JavaScript's are ASCII-only.
const W = "[\\p{L}\\p{N}_]";
const WS = "[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const WORD_RE = new RegExp(`${W}+(?:\\.?${W}+)*`, "gu");
const KEYWORD_RE = /[^ \t\r\n]+/gu;
const SURROGATE = /[\uD800-\uDFFF]/;

/** Length in code points, as Python's len(). */
function pyLen(s) {
  return SURROGATE.test(s) ? Array.from(s).length : s.length;
}

/** One token: its text after analysis, and where it was in the input (UTF-16 offsets). */
function tokens(re, text) {
  const out = [];
  re.lastIndex = 0;
  for (const m of text.matchAll(re)) {
    out.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  }
  return out;
}

export class Analyzer {
  constructor(meta) {
    this.stops = new Set(meta.stopWords);
    this.minSize = meta.stopMinSize;
  }

  /**
   * Whoosh's analyzer of ``kind`` ("text", "name", "keyword", "id") applied to ``text``.
   * ``tokenize: false`` keeps the text whole, ``removestops: false`` keeps stop words
   * (unstemmed), as the query parser asks for prefixes.  Returns [{text, start, end}].
   */
  analyze(kind, text, { tokenize = true, removestops = true } = {}) {
    if (kind === "id") return [{ text, start: 0, end: text.length }];
    const whole = [{ text, start: 0, end: text.length }];
    const toks = tokenize ? tokens(kind === "keyword" ? KEYWORD_RE : WORD_RE, text) : whole;
    const out = [];
    for (const t of toks) {
      const lowered = t.text.toLowerCase();
      if (kind !== "text") {
        out.push({ ...t, text: lowered });
        continue;
      }
      const stopped = pyLen(lowered) < this.minSize || this.stops.has(lowered);
      if (stopped) {
        if (!removestops) out.push({ ...t, text: lowered });
        continue;
      }
      out.push({ ...t, text: stem(lowered) });
    }
    return out;
  }
}

// Porter stemmer: a line-by-line port of whoosh/lang/porter.py.
const STEP2 = {
  ational: "ate", tional: "tion", enci: "ence", anci: "ance", izer: "ize", bli: "ble", alli: "al",
  entli: "ent", eli: "e", ousli: "ous", ization: "ize", ation: "ate", ator: "ate", alism: "al",
  iveness: "ive", fulness: "ful", ousness: "ous", aliti: "al", iviti: "ive", biliti: "ble", logi: "log",
};
const STEP3 = { icate: "ic", ative: "", alize: "al", iciti: "ic", ical: "ic", ful: "", ness: "" };
const C = "[^aeiouy]+";
const V = "[aeiou]+";
const MGR0 = new RegExp(`^(${C})?${V}${C}`, "u");
const MEQ1 = new RegExp(`^(${C})?${V}${C}(${V})?$`, "u");
const MGR1 = new RegExp(`^(${C})?${V}${C}${V}${C}`, "u");
const S_V = new RegExp(`^(${C})?[aeiouy]`, "u");
const C_V = new RegExp(`^${C}[aeiouy][^aeiouwxy]$`, "u");
const ED_ING = /^([^\n]*)(ed|ing)$/u;
const AT_BL_IZ = /(at|bl|iz)$/u;
const STEP1B = /([^aeiouylsz])\1$/u;
const STEP2_RE = /^([^\n]+?)(ational|tional|enci|anci|izer|bli|alli|entli|eli|ousli|ization|ation|ator|alism|iveness|fulness|ousness|aliti|iviti|biliti|logi)$/u;
const STEP3_RE = /^([^\n]+?)(icate|ative|alize|iciti|ical|ful|ness)$/u;
const STEP4_1 = /^([^\n]+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)$/u;
const STEP4_2 = /^([^\n]+?)(s|t)(ion)$/u;
const STEP5 = /^([^\n]+?)e$/u;

// Python's re.match anchors at the start only; these patterns all start with ^ or are
// used with search semantics where Whoosh uses .match (then they must match at 0).
function pmatch(re, s) {
  const m = re.exec(s);
  return m && m.index === 0 ? m : null;
}

export function stem(word) {
  let w = word;
  if (pyLen(w) < 3) return w;
  const firstIsY = w[0] === "y";
  if (firstIsY) w = "Y" + w.slice(1);
  // Step 1a
  if (w.endsWith("s")) {
    if (w.endsWith("sses")) w = w.slice(0, -2);
    else if (w.endsWith("ies")) w = w.slice(0, -2);
    else if (w[w.length - 2] !== "s") w = w.slice(0, -1);
  }
  // Step 1b
  if (w.endsWith("eed")) {
    if (pmatch(MGR0, w.slice(0, -3))) w = w.slice(0, -1);
  } else {
    const m = pmatch(ED_ING, w);
    if (m) {
      const s = m[1];
      if (pmatch(S_V, s)) {
        w = s;
        if (pmatch(AT_BL_IZ, w)) w += "e";
        else if (pmatch(STEP1B, w)) w = w.slice(0, -Array.from(w).pop().length);
        else if (pmatch(C_V, w)) w += "e";
      }
    }
  }
  // Step 1c
  if (w.endsWith("y")) {
    const s = w.slice(0, -1);
    if (pmatch(S_V, s)) w = s + "i";
  }
  // Step 2
  let m = pmatch(STEP2_RE, w);
  if (m && pmatch(MGR0, m[1])) w = m[1] + STEP2[m[2]];
  // Step 3
  m = pmatch(STEP3_RE, w);
  if (m && pmatch(MGR0, m[1])) w = m[1] + STEP3[m[2]];
  // Step 4
  m = pmatch(STEP4_1, w);
  if (m) {
    if (pmatch(MGR1, m[1])) w = m[1];
  } else {
    m = pmatch(STEP4_2, w);
    if (m) {
      const s = m[1] + m[2];
      if (pmatch(MGR1, s)) w = s;
    }
  }
  // Step 5
  m = pmatch(STEP5, w);
  if (m) {
    const s = m[1];
    if (pmatch(MGR1, s) || (pmatch(MEQ1, s) && !pmatch(C_V, s))) w = s;
  }
  if (w.endsWith("ll") && pmatch(MGR1, w)) w = w.slice(0, -1);
  if (firstIsY) w = "y" + w.slice(1);
  return w;
}

// ---------------------------------------------------------------------------------------
// Query parsing (whoosh.qparser with the plugins of generator/search/schema.py).

export class QueryError extends Error {}

export const MAX_QUERY_CHARS = 500;
const TRIM = new RegExp(`^${WS}+|${WS}+$`, "gu");

// Syntax nodes.  Group kinds: "and", "or", "not" (a wrapper).  Leaves: "word", "wild",
// "prefix", "phrase", "fieldname", "ws", "open", "close", "op".
function group(kind, nodes = [], boost = 1) {
  return { node: "group", kind, nodes, boost };
}
const isGroup = (n) => n.node === "group";
const isText = (n) => n.node === "word" || n.node === "wild" || n.node === "prefix" || n.node === "phrase";
const hasFieldname = (n) => isText(n) || n.node === "fieldname";

function setFieldname(n, name) {
  if (isGroup(n)) {
    n.nodes.forEach((c) => setFieldname(c, name));
  } else if (isText(n) && n.fieldname == null) {
    n.fieldname = name;
  }
}

function word(text, start, end) {
  return { node: "word", text, start, end, fieldname: null, boost: 1 };
}

// Taggers in Whoosh's priority order; each matches at the cursor (sticky), and may look
// behind it, as Python's pattern.match(text, pos) does.
const TAGGERS = [
  { re: new RegExp(`(?<text>${W}+|[*]):`, "uy"), make: (m) => ({ node: "fieldname", fieldname: m.groups.text, original: m[0] }) },
  { re: /(?<text>[*?\u055e\u061f\u1367])/uy, make: (m) => ({ node: "wild", text: m.groups.text, fieldname: null, boost: 1 }) },
  {
    re: /"(?<text>[^\n]*?)"(~(?<slop>[1-9][0-9]*))?/uy,
    make: (m) => ({
      node: "phrase", text: m.groups.text, textStart: m.index + 1, slop: m.groups.slop ? parseInt(m.groups.slop, 10) : 1,
      fieldname: null, boost: 1,
    }),
  },
  { re: /[(]/uy, make: () => ({ node: "open" }) },
  { re: /[)]/uy, make: () => ({ node: "close" }) },
  { re: new RegExp(`(^|(?<=(${WS}|[()])))NOT(?=${WS})`, "uy"), make: (m) => ({ node: "op", op: "not", text: m[0] }) },
  { re: new RegExp(`(?<=${WS})AND(?=${WS})`, "uy"), make: (m) => ({ node: "op", op: "and", text: m[0] }) },
  { re: new RegExp(`(?<=${WS})OR(?=${WS})`, "uy"), make: (m) => ({ node: "op", op: "or", text: m[0] }) },
  { re: new RegExp(`${WS}+`, "uy"), make: () => ({ node: "ws" }) },
];

function tag(text) {
  const stack = [];
  let prev = 0;
  let pos = 0;
  while (pos < text.length) {
    let node = null;
    for (const tagger of TAGGERS) {
      tagger.re.lastIndex = pos;
      const m = tagger.re.exec(text);
      if (m) {
        node = tagger.make(m);
        node.start = m.index;
        node.end = m.index + m[0].length;
        if (node.end <= pos) {
          node = null;
          continue;
        }
        if (prev < pos) stack.push(word(text.slice(prev, pos), prev, pos));
        stack.push(node);
        prev = pos = node.end;
        break;
      }
    }
    if (!node) pos += 1;
  }
  if (prev < text.length) stack.push(word(text.slice(prev), prev, text.length));
  return group("and", stack);
}

// Filters, in Whoosh's priority order: groups (0), wildcards (50), field names (100),
// multifield (110), whitespace (500), operators (600).
function doGroups(g) {
  const stack = [group("and")];
  for (const n of g.nodes) {
    if (n.node === "open") stack.push(group("and"));
    else if (n.node === "close") {
      if (stack.length > 1) {
        const last = stack.pop();
        stack[stack.length - 1].nodes.push(last);
      }
    } else stack[stack.length - 1].nodes.push(n);
  }
  let top = stack[0];
  for (const ls of stack.slice(1)) top.nodes.push(...ls.nodes);
  if (top.nodes.length === 1 && isGroup(top.nodes[0])) {
    const boost = top.boost;
    top = top.nodes[0];
    top.boost = boost;
  }
  return top;
}

const QMARKS = "?\u055e\u061f\u1367";

function doWildcards(g) {
  const nodes = g.nodes;
  let i = 0;
  while (i < nodes.length) {
    const n = nodes[i];
    if (n.node === "wild") {
      if (i < nodes.length - 1 && isText(nodes[i + 1])) {
        const next = nodes.splice(i + 1, 1)[0];
        n.text += next.text;
      }
      if (i > 0 && isText(nodes[i - 1])) {
        const before = nodes.splice(i - 1, 1)[0];
        n.text = before.text + n.text;
      } else i += 1;
    } else {
      if (isGroup(n)) doWildcards(n);
      i += 1;
    }
  }
  for (let j = 0; j < nodes.length; j++) {
    const n = nodes[j];
    if (n.node !== "wild") continue;
    const t = n.text;
    if (t.length > 1 && !t.includes("[") && ![...QMARKS].some((q) => t.includes(q)) && t.indexOf("*") === t.length - 1) {
      nodes[j] = { node: "prefix", text: t.slice(0, -1), start: n.start, end: n.end, fieldname: null, boost: 1 };
    }
  }
  return g;
}

function toWord(n) {
  return word(n.original, n.start, n.end);
}

function doFieldnames(g) {
  const out = [];
  let i = g.nodes.length;
  while (i > 0) {
    i -= 1;
    let n = g.nodes[i];
    if (n.node === "fieldname") n = toWord(n);
    else if (isGroup(n)) n = doFieldnames(n);
    if (i > 0 && n.node !== "ws" && g.nodes[i - 1].node === "fieldname") {
      setFieldname(n, g.nodes[i - 1].fieldname);
      i -= 1;
    }
    out.push(n);
  }
  out.reverse();
  return { ...g, nodes: out };
}

function doMultifield(g, meta) {
  g.nodes.forEach((n, i) => {
    if (isGroup(n)) g.nodes[i] = doMultifield(n, meta);
    else if (hasFieldname(n) && n.fieldname == null) {
      g.nodes[i] = group("or", meta.defaultFields.map((f) => ({ ...n, fieldname: f, boost: meta.boosts[f] ?? 1 })));
    }
  });
  return g;
}

function removeWhitespace(g) {
  const out = [];
  for (const n of g.nodes) {
    if (isGroup(n)) out.push(removeWhitespace(n));
    else if (n.node !== "ws") out.push(n);
  }
  return { ...g, nodes: out };
}

function doOperators(g) {
  const nodes = g.nodes;
  for (const op of ["not", "and", "or"]) {
    let i = 0;
    while (i < nodes.length) {
      const t = nodes[i];
      if (t.node === "op" && t.op === op) i = replaceOperator(t, nodes, i);
      else i += 1;
    }
  }
  nodes.forEach((n, i) => {
    if (isGroup(n)) nodes[i] = doOperators(n);
  });
  return g;
}

function replaceOperator(op, nodes, pos) {
  if (op.op === "not") {
    const length = nodes.length;
    nodes.splice(pos, 1);
    if (pos < length - 1) nodes[pos] = group("not", [nodes[pos]]);
    return pos;
  }
  if (pos > 0 && pos < nodes.length - 1) {
    const left = nodes[pos - 1];
    const right = nodes[pos + 1];
    if (isGroup(left) && left.kind === op.op) {
      left.nodes.push(right);
      nodes.splice(pos, 2);
    } else {
      nodes.splice(pos - 1, 3, group(op.op, [left, right]));
    }
  } else nodes.splice(pos, 1);
  return pos;
}

// From syntax to query objects: {q: "term"|"and"|"or"|"not"|"phrase"|"prefix"|"wildcard"|
// "every"|"null", ...}, as whoosh.qparser's node.query() builds them.
const NULL = { q: "null" };

function makeQuery(n, meta, analyzer) {
  if (isGroup(n)) {
    if (n.kind === "not") {
      if (!n.nodes.length) return null;
      const sub = makeQuery(n.nodes[0], meta, analyzer);
      return sub && truthy(sub) ? { q: "not", sub, boost: 1 } : null;
    }
    const subs = n.nodes.map((c) => makeQuery(c, meta, analyzer)).filter((s) => s !== null);
    return { q: n.kind, subs, boost: n.boost };
  }
  if (n.node === "phrase") return phraseQuery(n, meta, analyzer);
  if (n.node === "word") return termQuery(n.fieldname, n.text, "term", n.boost, true, true, meta, analyzer);
  if (n.node === "prefix") return termQuery(n.fieldname, n.text, "prefix", n.boost, false, false, meta, analyzer);
  if (n.node === "wild") return termQuery(n.fieldname, n.text, "wildcard", n.boost, false, false, meta, analyzer);
  return null;
}

const truthy = (q) => !((q.q === "and" || q.q === "or") && q.subs.length === 0);

function leaf(kind, field, text, boost) {
  return { q: kind, field, text, boost };
}

function termQuery(field, text, kind, boost, tokenize, removestops, meta, analyzer) {
  const spec = meta.fields[field];
  if (!spec) return leaf(kind, field, text, boost);
  const texts = analyzer.analyze(spec.analyzer, text, { tokenize, removestops }).map((t) => t.text);
  if (texts.length > 1) return { q: "and", subs: texts.map((t) => leaf(kind, field, t, boost)), boost: 1 };
  if (!texts.length) return null;
  return leaf(kind, field, texts[0], boost);
}

function phraseQuery(n, meta, analyzer) {
  const spec = meta.fields[n.fieldname];
  const words = spec
    ? analyzer.analyze(spec.analyzer, n.text).map((t) => t.text)
    : (n.text.match(/\S+/gu) || []);
  return { q: "phrase", field: n.fieldname, words, slop: n.slop, boost: n.boost };
}

// whoosh.query normalize(): flatten, drop nulls, remove duplicates, unwrap singletons.
function key(q) {
  return JSON.stringify(q);
}

function withBoost(q, boost) {
  return { ...q, boost };
}

export function normalize(q) {
  switch (q.q) {
    case "and":
    case "or": {
      let subs = [];
      for (const s0 of q.subs) {
        const s = normalize(s0);
        if (s.q === q.q) subs.push(...s.subs.map((ss) => withBoost(ss, ss.boost * s.boost)));
        else subs.push(s);
      }
      if (subs.every((s) => s.q === "null")) return NULL;
      if (subs.some((s) => s.q === "every" && s.field == null)) return { q: "every", field: null, boost: 1 };
      const seen = new Set();
      subs = subs.filter((s) => {
        const k = key(s);
        if (seen.has(k)) return false;
        seen.add(k);
        return s.q !== "null";
      });
      if (!subs.length) return NULL;
      if (subs.length === 1) {
        const sub = subs[0];
        const subBoost = sub.boost ?? 1;
        return q.boost === 1 && subBoost === 1 ? sub : withBoost(sub, subBoost * q.boost);
      }
      return { q: q.q, subs, boost: q.boost };
    }
    case "not": {
      const sub = normalize(q.sub);
      return sub.q === "null" ? NULL : { q: "not", sub, boost: q.boost };
    }
    case "phrase":
      if (!q.words.length) return NULL;
      if (q.words.length === 1) return { q: "term", field: q.field, text: q.words[0], boost: 1 };
      return q;
    case "wildcard": {
      const t = q.text;
      if (t === "*") return { q: "every", field: q.field, boost: q.boost };
      if (!t.includes("*") && !t.includes("?")) return leaf("term", q.field, t, q.boost);
      if (!t.includes("?") && !t.includes("[") && t.endsWith("*") && t.indexOf("*") === t.length - 1) {
        return leaf("prefix", q.field, t.slice(0, -1), q.boost);
      }
      return q;
    }
    default:
      return q;
  }
}

function* leaves(q) {
  if (q.q === "and" || q.q === "or") for (const s of q.subs) yield* leaves(s);
  else if (q.q === "not") yield* leaves(q.sub);
  else yield q;
}

function rawParse(text, meta, analyzer) {
  let g = tag(text);
  g = doGroups(g);
  g = doWildcards(g);
  g = doFieldnames(g);
  g = doMultifield(g, meta);
  g = removeWhitespace(g);
  g = doOperators(g);
  const q = makeQuery(g, meta, analyzer);
  return q && truthy(q) ? normalize(q) : NULL;
}

function expandTopics(q, meta, analyzer) {
  if (q.q === "and" || q.q === "or") return { ...q, subs: q.subs.map((s) => expandTopics(s, meta, analyzer)) };
  if (q.q === "not") return { ...q, sub: expandTopics(q.sub, meta, analyzer) };
  if (q.field !== "topic") return q;
  if (q.q !== "term") throw new QueryError("topic: takes the name of one topic, as in topic:robotics.");
  const name = q.text.toLowerCase();
  if (!Object.prototype.hasOwnProperty.call(meta.topics, name)) {
    const known = Object.keys(meta.topics).sort().join(", ") || "none on this shelf";
    throw new QueryError(`Unknown topic '${q.text}' — topics are: ${known}.`);
  }
  const sub = rawParse(meta.topics[name], meta, analyzer);
  return q.boost !== 1 ? withBoost(sub, sub.boost * q.boost) : sub;
}

/** The checks of generator/search/query.py, in the same order, with the same messages. */
export function parseQuery(text, meta, analyzer = new Analyzer(meta)) {
  const t = text.replace(TRIM, "");
  if (!t) throw new QueryError("Type some words to search for.");
  const length = pyLen(t);
  if (length > MAX_QUERY_CHARS) {
    throw new QueryError(`The query is too long (${length.toLocaleString("en")} characters); keep it under ${MAX_QUERY_CHARS}.`);
  }
  if ((t.match(/"/g) || []).length % 2) throw new QueryError('A quotation mark is not closed: phrases go between two " marks.');
  let q = rawParse(t, meta, analyzer);
  q = normalize(expandTopics(q, meta, analyzer));
  const known = [...Object.keys(meta.fields), "topic"];
  const unknown = [...new Set([...leaves(q)].map((l) => l.field).filter((f) => f && !known.includes(f)))].sort();
  if (unknown.length) {
    throw new QueryError(`Unknown field ${unknown.map((n) => n + ":").join(", ")} — fields are ${known.map((f) => f + ":").join(", ")}`);
  }
  if ([...leaves(q)].some((l) => l.q === "wildcard" || l.q === "every")) {
    throw new QueryError("Wildcards: only a * at the end of a word is supported, as in transform*.");
  }
  if (q.q === "null") throw new QueryError("Nothing to search for: the query has only common words (such as “the” or “of”).");
  return q;
}

// ---------------------------------------------------------------------------------------
// The static index: meta file, lexicon chunks (postings), position chunks, documents.

function lowerBound(chunks, term) {
  // The last chunk whose first term is <= term (JavaScript compares UTF-16 code units,
  // which is how the build sorted them).
  let lo = 0;
  let hi = chunks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (chunks[mid][0] <= term) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo - 1);
}

// Chunks are binary (generator/search/shards.py): unsigned LEB128 varints, a float64 for
// log(df + 1), and blocks with their byte length in front, so a chunk's directory is read
// without decoding any postings; a term's postings are decoded when a query needs them.
const UTF8 = new TextDecoder();

function varint(bytes, pos) {
  let value = 0;
  let scale = 1;
  for (;;) {
    const b = bytes[pos++];
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, pos];
    scale *= 128;
  }
}

/** A postings chunk's directory: term -> field number -> where its blocks are. */
function readPostingsChunk(buffer) {
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  const terms = new Map();
  let [count, pos] = varint(bytes, 0);
  for (let t = 0; t < count; t++) {
    let text, entries;
    [text, pos] = sized(bytes, pos);
    [entries, pos] = varint(bytes, pos);
    const fields = new Map();
    for (let e = 0; e < entries; e++) {
      const entry = {};
      let fieldNo, block;
      [fieldNo, pos] = varint(bytes, pos);
      [entry.df, pos] = varint(bytes, pos);
      entry.ldf = view.getFloat64(pos, true);
      pos += 8;
      [entry.last, pos] = varint(bytes, pos);
      entry.blocks = [];
      for (let b = 0; b < 3; b++) {
        [block, pos] = sized(bytes, pos);
        entry.blocks.push(block);
      }
      fields.set(fieldNo, entry);
    }
    terms.set(UTF8.decode(text), fields);
  }
  return terms;
}

/** A positions chunk's directory: term -> field number -> its block. */
function readPositionsChunk(buffer) {
  const bytes = new Uint8Array(buffer);
  const terms = new Map();
  let [count, pos] = varint(bytes, 0);
  for (let t = 0; t < count; t++) {
    let text, entries;
    [text, pos] = sized(bytes, pos);
    [entries, pos] = varint(bytes, pos);
    const fields = new Map();
    for (let e = 0; e < entries; e++) {
      let fieldNo, block;
      [fieldNo, pos] = varint(bytes, pos);
      [block, pos] = sized(bytes, pos);
      fields.set(fieldNo, block);
    }
    terms.set(UTF8.decode(text), fields);
  }
  return terms;
}

/** A length-prefixed run of ``bytes`` at ``pos`` (a view, not a copy) and the position after it. */
function sized(bytes, pos) {
  const [size, start] = varint(bytes, pos);
  return [bytes.subarray(start, start + size), start + size];
}

/** ``count`` varints of ``block``, as an Int32Array; ``deltas`` adds each to the last. */
function decodeBlock(block, count, deltas) {
  const out = new Int32Array(count);
  let pos = 0;
  let value = 0;
  for (let i = 0; i < count; i++) {
    let v = 0;
    let shift = 0;
    let b;
    do {
      b = block[pos++];
      v |= (b & 0x7f) << shift;
      shift += 7;
    } while (b >= 0x80);
    value = deltas ? value + v : v;
    out[i] = value;
  }
  return out;
}

export class StaticIndex {
  /** ``fetchJson(url)``, ``fetchBytes(url)`` (an ArrayBuffer) and ``fetchText(url)``; URLs resolve against the meta file's. */
  constructor(metaUrl, meta, fetchJson, fetchBytes = defaultFetchBytes, fetchText = defaultFetchText) {
    this.base = new URL(".", metaUrl).href;
    this.meta = meta;
    this.fetchJson = fetchJson;
    this.fetchBytes = fetchBytes;
    this.fetchText = fetchText;
    this.analyzer = new Analyzer(meta);
    this.fieldNo = new Map(meta.fieldOrder.map((name, i) => [name, i]));
    this.chunks = new Map();
    this.positions = new Map();
    this.decoded = new Map(); // "field\0term" -> decoded postings (or null)
  }

  static async open(metaUrl, fetchJson = defaultFetch, fetchBytes = defaultFetchBytes, fetchText = defaultFetchText) {
    const index = new StaticIndex(metaUrl, await fetchJson(metaUrl), fetchJson, fetchBytes, fetchText);
    // Parse a query now, while the page loads: the first use of the Unicode-aware
    // patterns compiles them (milliseconds), which the reader's first query then skips.
    try {
      parseQuery('title:"warming up" OR NOT abstract:engines*', index.meta, index.analyzer);
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
    }
    return index;
  }

  _chunk(i, positions = false) {
    const cache = positions ? this.positions : this.chunks;
    if (!cache.has(i)) {
      const name = this.meta.chunks[i][1];
      const url = `${this.base}${positions ? "p" : "t"}/${name}.bin`;
      cache.set(i, this.fetchBytes(url).then(positions ? readPositionsChunk : readPostingsChunk));
    }
    return cache.get(i);
  }

  /** Chunk numbers holding ``term``, or every term starting with it when ``prefix``. */
  chunkRange(term, prefix = false) {
    const chunks = this.meta.chunks;
    const first = lowerBound(chunks, term);
    let last = first;
    if (prefix) while (last + 1 < chunks.length && chunks[last + 1][0].startsWith(term)) last += 1;
    return [first, last];
  }

  /** Fetch every chunk a query needs (in parallel) before it is scored. */
  async load(q) {
    const wanted = [];
    for (const l of leaves(q)) {
      if (l.q === "term") wanted.push([l.text, false, false]);
      else if (l.q === "prefix") wanted.push([l.text, true, false]);
      else if (l.q === "phrase") for (const w of l.words) wanted.push([w, false, true]);
    }
    const jobs = [];
    for (const [term, prefix, positions] of wanted) {
      const [a, b] = this.chunkRange(term, prefix);
      for (let i = a; i <= b; i++) {
        jobs.push(this._chunk(i));
        if (positions) jobs.push(this._chunk(i, true));
      }
    }
    await Promise.all(jobs);
  }

  /** Decoded postings of one term in one field: {df, idf, ids, weights, lengths}, ascending ids. */
  async postings(field, term) {
    const key = `${field}\u0000${term}`;
    if (this.decoded.has(key)) return this.decoded.get(key);
    const [i] = this.chunkRange(term);
    const chunk = await this._chunk(i);
    const entry = chunk.get(term)?.get(this.fieldNo.get(field));
    let p = null;
    if (entry) {
      const [ids, weights, lengths] = entry.blocks;
      p = {
        df: entry.df,
        // Whoosh's log(N / (df + 1)) + 1, as generator/search/ranking.py splits it: both
        // logs come from Python, so the browser does exactly the same arithmetic.
        idf: (this.meta.logN - entry.ldf) + 1,
        ids: decodeBlock(ids, entry.df, true),
        weights: decodeBlock(weights, entry.df, false),
        lengths: this.meta.fields[field].scorable ? decodeBlock(lengths, entry.df, false) : null,
      };
    }
    this.decoded.set(key, p);
    return p;
  }

  /** Each posting's positions (in document order) of ``term`` in ``field``. */
  async positionsOf(field, term) {
    const [i] = this.chunkRange(term);
    const chunk = await this._chunk(i, true);
    const block = chunk.get(term)?.get(this.fieldNo.get(field));
    const out = [];
    if (!block) return out;
    let pos = 0;
    while (pos < block.length) {
      let n;
      [n, pos] = varint(block, pos);
      const list = new Array(n);
      let p = 0;
      for (let k = 0; k < n; k++) {
        let d;
        [d, pos] = varint(block, pos);
        p += d;
        list[k] = p;
      }
      out.push(list);
    }
    return out;
  }

  async expand(field, prefix) {
    const [a, b] = this.chunkRange(prefix, true);
    const fieldNo = this.fieldNo.get(field);
    const out = [];
    for (let i = a; i <= b; i++) {
      const chunk = await this._chunk(i);
      for (const [term, fields] of chunk) {
        if (term.startsWith(prefix) && fields.has(fieldNo)) out.push(term);
      }
    }
    // Whoosh walks the lexicon in UTF-8 byte order, which is code point order.
    return out.sort(comparePy);
  }

  /**
   * What a result shows: its slug, title, day joined, collections and abstract.  The
   * result file holds all but the abstract, which is read from the paper's own page
   * (parsed, never put on a page as HTML): the site publishes each abstract once.
   */
  async document(docnum) {
    const doc = await this.fetchJson(`${this.base}doc/${docnum}.json`);
    const url = new URL(this.meta.paperPage.replace("{slug}", encodeURIComponent(doc.slug)), this.base).href;
    return { ...doc, abstract: pageAbstract(await this.fetchText(url)) };
  }
}

/** The abstract of a paper page's HTML: the text of its paragraphs, as in the paper file. */
export function pageAbstract(html) {
  const page = new DOMParser().parseFromString(html, "text/html");
  return [...page.querySelectorAll("section.abstract p")].map((p) => p.textContent).join("\n\n");
}

function comparePy(a, b) {
  const x = Array.from(a, (c) => c.codePointAt(0));
  const y = Array.from(b, (c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

async function defaultFetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

async function defaultFetchText(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

async function defaultFetch(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

// ---------------------------------------------------------------------------------------
// Scoring (whoosh.scoring.BM25F) and matching (whoosh.matching), over sorted typed arrays.

// Whoosh's make_binary_tree: how a phrase's intersection adds its words' scores.
function binaryTreeSum(values) {
  if (values.length === 1) return values[0];
  const half = values.length >> 1;
  return binaryTreeSum(values.slice(0, half)) + binaryTreeSum(values.slice(half));
}

// A set of matches is {ids, scores}: ascending document numbers (Int32Array) and their
// scores (Float64Array).  Sets are combined by merging sorted arrays, which stays cheap
// when a common word matches most of a large shelf.
const EMPTY = { ids: new Int32Array(0), scores: new Float64Array(0) };

async function termScores(index, field, text, boost) {
  const spec = index.meta.fields[field];
  if (!spec) return EMPTY;
  const p = await index.postings(field, text);
  if (!p) return EMPTY;
  const meta = index.meta;
  const avgfl = (spec.scorable ? spec.length / (meta.docCount || 1) : 0) || 1;
  const n = p.ids.length;
  const scores = new Float64Array(n);
  const weights = p.weights;
  if (spec.scorable) {
    // whoosh.scoring.bm25, the same operations in the same order (the constants are the
    // same doubles whether computed here or per posting).
    const { idf, lengths } = p;
    const B = meta.B;
    const K1 = meta.K1;
    const k1p1 = K1 + 1;
    const oneMinusB = 1 - B;
    for (let i = 0; i < n; i++) {
      const tf = weights[i];
      scores[i] = idf * ((tf * k1p1) / (tf + K1 * (oneMinusB + (B * lengths[i]) / avgfl)));
    }
  } else {
    for (let i = 0; i < n; i++) scores[i] = weights[i];
  }
  if (boost !== 1) for (let i = 0; i < n; i++) scores[i] *= boost;
  return { ids: p.ids, scores };
}

/** Two sorted sets merged; a document in both scores a's score plus b's. */
function merge(a, b) {
  const ids = new Int32Array(a.ids.length + b.ids.length);
  const scores = new Float64Array(ids.length);
  let i = 0;
  let j = 0;
  let m = 0;
  while (i < a.ids.length && j < b.ids.length) {
    const x = a.ids[i];
    const y = b.ids[j];
    if (x < y) {
      ids[m] = x;
      scores[m++] = a.scores[i++];
    } else if (y < x) {
      ids[m] = y;
      scores[m++] = b.scores[j++];
    } else {
      ids[m] = x;
      scores[m++] = a.scores[i++] + b.scores[j++];
    }
  }
  while (i < a.ids.length) {
    ids[m] = a.ids[i];
    scores[m++] = a.scores[i++];
  }
  while (j < b.ids.length) {
    ids[m] = b.ids[j];
    scores[m++] = b.scores[j++];
  }
  return { ids: ids.subarray(0, m), scores: scores.subarray(0, m) };
}

function union(index, parts, boost) {
  // Merged in query order, so each document's scores are added in that order.
  if (!parts.length) return EMPTY;
  let out = parts.slice(1).reduce(merge, parts[0]);
  if (boost !== 1) out = { ids: out.ids, scores: out.scores.map((s) => s * boost) };
  return out;
}

/** The first index at or after ``from`` where ``ids[i] >= target`` (galloping search). */
function gallop(ids, from, target) {
  let step = 1;
  let hi = from;
  while (hi < ids.length && ids[hi] < target) {
    from = hi + 1;
    hi += step;
    step *= 2;
  }
  hi = Math.min(hi, ids.length);
  while (from < hi) {
    const mid = (from + hi) >> 1;
    if (ids[mid] < target) from = mid + 1;
    else hi = mid;
  }
  return from;
}

/** Documents in both sorted sets, scoring a's score plus b's (typed arrays throughout). */
function intersect(a, b) {
  const ai = a.ids;
  const bi = b.ids;
  const as = a.scores;
  const bs = b.scores;
  const n = Math.min(ai.length, bi.length);
  const ids = new Int32Array(n);
  const scores = new Float64Array(n);
  let m = 0;
  if (ai.length * 16 < bi.length || bi.length * 16 < ai.length) {
    // Very unequal lengths: walk the short one and leap through the long one.
    const short = ai.length < bi.length;
    const si = short ? ai : bi;
    const li = short ? bi : ai;
    let j = 0;
    for (let i = 0; i < si.length && j < li.length; i++) {
      j = gallop(li, j, si[i]);
      if (j < li.length && li[j] === si[i]) {
        ids[m] = si[i];
        // a's score first, as the even case adds them.
        scores[m++] = short ? as[i] + bs[j] : as[j] + bs[i];
        j += 1;
      }
    }
  } else {
    let i = 0;
    let j = 0;
    while (i < ai.length && j < bi.length) {
      const x = ai[i];
      const y = bi[j];
      if (x < y) i++;
      else if (y < x) j++;
      else {
        ids[m] = x;
        scores[m++] = as[i++] + bs[j++];
      }
    }
  }
  return { ids: ids.subarray(0, m), scores: scores.subarray(0, m) };
}

function intersection(index, parts, boost) {
  // Added in query order; Whoosh's matcher tree may add in another order, which can
  // differ in the last bit only, never enough to reorder distinct scores.
  let out = parts[0];
  for (let k = 1; k < parts.length && out.ids.length; k++) out = intersect(out, parts[k]);
  if (boost !== 1) out = { ids: out.ids, scores: out.scores.map((s) => s * boost) };
  return out;
}

function complement(index, excluded) {
  // Whoosh's InverseMatcher gives every document it yields a score of 1.
  const n = index.meta.docCount;
  const ex = excluded.ids;
  const ids = new Int32Array(n - ex.length);
  let m = 0;
  let j = 0;
  for (let d = 0; d < n; d++) {
    if (j < ex.length && ex[j] === d) j++;
    else ids[m++] = d;
  }
  return { ids: ids.subarray(0, m), scores: new Float64Array(m).fill(1) };
}

// whoosh.query.spans.SpanNear2Matcher._get_spans, for one document.
function phraseMatches(positionLists, slop) {
  let aspans = positionLists[0].map((p) => [p, p]);
  let i = 1;
  while (i < positionLists.length && aspans.length) {
    const bspans = positionLists[i].map((p) => [p, p]);
    const spans = new Map();
    for (const a of aspans) {
      let j = bisect(bspans, a[0]);
      while (j < bspans.length) {
        const b = bspans[j];
        j += 1;
        if (b[1] < a[0] - slop || a[0] > b[0]) continue;
        if (b[0] > a[1] + slop) break;
        const dist = distance(a, b);
        if (dist >= 1 && dist <= slop) {
          const s = [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
          spans.set(s.join(","), s);
        }
      }
    }
    aspans = [...spans.values()].sort((x, y) => x[0] - y[0]);
    i += 1;
  }
  return i === positionLists.length && aspans.length > 0;
}

function bisect(spans, start) {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid][0] < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function distance(a, b) {
  const overlaps = (a[0] >= b[0] && a[0] <= b[1]) || (a[1] >= b[0] && a[1] <= b[1]) ||
    (b[0] >= a[0] && b[0] <= a[1]) || (b[1] >= a[0] && b[1] <= a[1]);
  if (overlaps) return 0;
  if (a[1] < b[0]) return b[0] - a[1];
  return a[0] - b[1];
}

async function phraseScores(index, q) {
  if (!index.meta.fields[q.field]) return EMPTY;
  const per = [];
  for (const w of q.words) {
    const p = await index.postings(q.field, w);
    if (!p) return EMPTY; // Whoosh: a missing word means no match at all
    const scored = await termScores(index, q.field, w, 1);
    per.push({ ids: p.ids, scores: scored.scores, positions: await index.positionsOf(q.field, w) });
  }
  const first = per[0].ids;
  const ids = new Int32Array(first.length);
  const scores = new Float64Array(first.length);
  const at = per.map(() => 0); // each word's cursor: documents come in ascending order
  let m = 0;
  for (let i = 0; i < first.length; i++) {
    const d = first[i];
    let everywhere = true;
    for (let k = 1; k < per.length; k++) {
      at[k] = gallop(per[k].ids, at[k], d);
      if (per[k].ids[at[k]] !== d) {
        everywhere = false;
        break;
      }
    }
    if (!everywhere) continue;
    at[0] = i;
    const lists = per.map((p, k) => p.positions[at[k]]);
    if (!phraseMatches(lists, q.slop)) continue;
    let s = binaryTreeSum(per.map((p, k) => p.scores[at[k]]));
    if (q.boost !== 1) s *= q.boost;
    ids[m] = d;
    scores[m++] = s;
  }
  return { ids: ids.subarray(0, m), scores: scores.subarray(0, m) };
}

async function evaluate(index, q) {
  switch (q.q) {
    case "term":
      return termScores(index, q.field, q.text, q.boost);
    case "prefix": {
      const terms = await index.expand(q.field, q.text);
      if (terms.length === 1) return termScores(index, q.field, terms[0], q.boost);
      const parts = [];
      for (const t of terms) parts.push(await termScores(index, q.field, t, q.boost));
      return union(index, parts, 1);
    }
    case "phrase":
      return phraseScores(index, q);
    case "and": {
      const parts = [];
      for (const s of q.subs) parts.push(await evaluate(index, s));
      return intersection(index, parts, q.boost);
    }
    case "or": {
      const parts = [];
      for (const s of q.subs) parts.push(await evaluate(index, s));
      return union(index, parts, q.boost);
    }
    case "not":
      return complement(index, await evaluate(index, q.sub));
    default:
      return EMPTY;
  }
}

/** Stems, prefixes and fields to highlight: the query's words outside NOT. */
export function highlightTerms(q) {
  const terms = [];
  const walk = (n) => {
    if (n.q === "and" || n.q === "or") n.subs.forEach(walk);
    else if (n.q === "term") terms.push({ field: n.field, text: n.text, prefix: false });
    else if (n.q === "prefix") terms.push({ field: n.field, text: n.text, prefix: true });
    else if (n.q === "phrase") n.words.forEach((w) => terms.push({ field: n.field, text: w, prefix: false }));
  };
  walk(q);
  return terms;
}

/** The ``limit`` best matches, by score then document number, without sorting them all. */
function best(found, limit) {
  const top = [];
  for (let i = 0; i < found.ids.length; i++) {
    const score = found.scores[i];
    if (top.length === limit && !(score > top[top.length - 1].score)) continue;
    // Documents come in ascending order, so an equal score ranks after those already in.
    let at = top.length;
    while (at > 0 && top[at - 1].score < score) at -= 1;
    top.splice(at, 0, { docnum: found.ids[i], score });
    if (top.length > limit) top.pop();
  }
  return top;
}

/**
 * Run ``text`` against ``index``: {total, hits: [{docnum, score}], query} with the best
 * ``limit`` first (score, then document number, as Whoosh's TopCollector orders them).
 * Throws QueryError with a message for the reader when the query cannot be run.
 */
export async function search(index, text, limit = 10) {
  const q = parseQuery(text, index.meta, index.analyzer);
  await index.load(q);
  const found = await evaluate(index, q);
  return { total: found.ids.length, hits: best(found, limit), query: q };
}
