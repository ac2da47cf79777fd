/**
 * Lookup keys for the published site's static JSON, computed exactly as the build does
 * (generator/site/api.py and generator/urls.py; a browser test holds them together).
 */

const ARXIV_ID = /^(?:arxiv:\s*)?(\d{4}\.\d{4,5})(?:v\d+)?$/i;

/**
 * NFKD, marks removed, lower case, the runs of [a-z0-9] joined by one space.
 * @param {string} title
 */
export function titleKey(title) {
  const words = title.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().match(/[a-z0-9]+/g);
  return words ? words.join(" ") : "";
}

/**
 * The shard a key lives in: the first two hex digits of its SHA-256 (UTF-8).
 * @param {string} key
 */
export async function shardOf(key) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return [...new Uint8Array(digest).slice(0, 1)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** @param {string} value */
export function arxivKey(value) {
  const match = ARXIV_ID.exec((value || "").trim());
  return match ? match[1] : "";
}

/**
 * The keys a page offers for lookups, best first.  Only what is needed to find a
 * paper: the backend normalises the rest.
 * @param {{url: string, arxiv_id?: string, meta?: Record<string, string[]>, jsonld?: any[]}} page
 */
export function pageKeys(page) {
  const meta = page.meta || {};
  const first = (name) => (meta[name] && meta[name].find((v) => v.trim())) || "";
  const article = (page.jsonld || []).flatMap((b) => (b && b["@graph"]) || [b]).find((n) => n && /Article/.test(String(n["@type"])));
  const doi = (first("citation_doi") || "").replace(/^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:\s*)/i, "");
  return {
    arxiv: arxivKey(page.arxiv_id || "") || arxivKey(first("citation_arxiv_id")),
    doi: /^10\.\d{4,9}\/\S+$/.test(doi) ? doi : "",
    url: page.url,
    title: first("citation_title") || (article && (article.headline || article.name)) || first("og:title") || "",
  };
}
