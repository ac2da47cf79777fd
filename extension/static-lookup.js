/**
 * "Is it on the shelf?" from the published site's static JSON, for when the backend is
 * not running.  One small shard file per key kind, then the paper's own record.
 */
import { shardOf, titleKey } from "./lookup-keys.js";

/**
 * @param {string} siteUrl  such as https://user.github.io/shelf
 * @param {{arxiv?: string, doi?: string, title?: string}} keys
 * @returns {Promise<{found: boolean|null, matched_by?: string, paper?: object}>}  null: the site did not answer
 */
export async function staticLookup(siteUrl, keys) {
  let answered = false;
  const candidates = [
    ["arxiv", keys.arxiv || ""],
    ["doi", (keys.doi || "").toLowerCase()],
    ["title", titleKey(keys.title || "")],
  ];
  for (const [kind, key] of candidates) {
    if (!key) continue;
    const { reached, data: table } = await fetchJson(`${siteUrl}/api/lookup/${kind}/${await shardOf(key)}.json`);
    answered ||= reached;
    const slugs = table && table[key];
    if (!Array.isArray(slugs) || !slugs.length) continue;
    const { data: record } = await fetchJson(`${siteUrl}/api/papers/${encodeURIComponent(slugs[0])}.json`);
    if (record) return { found: true, matched_by: kind, paper: record };
  }
  return { found: answered ? false : null };
}

/** A missing shard (404) is an answer: no key in it.  A network failure is not. */
async function fetchJson(url) {
  try {
    const response = await fetch(url, { credentials: "omit", cache: "no-cache", signal: AbortSignal.timeout(8000) });
    return { reached: true, data: response.ok ? await response.json() : null };
  } catch {
    return { reached: false, data: null };
  }
}
